"""Retention (app/data_protection/retention.py, `flask retention anonymise`):
closed clients past the period lose every identifying column the map
(personal_data.py) lists, keep every count the outcomes need, and the
phones that hold them get the blanked values; a dry run changes nothing."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.data_protection import retention
from app.data_protection.personal_data import CLIENT, REMOVED, TABLES, anonymised_name, short_reference
from app.db import Base
from app.expenses.models import ExpenseItem
from app.fieldwork.models import Goal, Visit
from app.outcomes import demand
from app.wellbeing.models import WellbeingScore
from tests.authorisation_fixtures import form_token
from tests.data_protection.conftest import more_of_area_a, rows_about, signed_in

LONG_AGO = datetime.now(timezone.utc) - timedelta(days=31 * 80)  # closed 80 months ago


def dump(app) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    with app.extensions["database"]["engine"].connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(select(t)))) for t in Base.metadata.sorted_tables}


def close_case(app, world, client_id, closed_at=None):
    """Close through the office's form, then, for a case closed long ago, move the closure back."""
    office = signed_in(app, world, "coordinator_a")
    token = form_token(office.get("/sign-in").get_data(as_text=True))
    r = office.post(f"/office/clients/{client_id}/close", data={"reason": "Moved to Leeds with Dot.",
                                                               "csrf_token": token})
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    if closed_at is not None:
        with app.extensions["database"]["engine"].begin() as conn:
            conn.execute(Client.__table__.update().where(Client.__table__.c.id == client_id).values(closed_at=closed_at))


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["retention", "anonymise", *args])
    return result


def figures(session, client_id) -> dict:
    """What the outcomes count for a client: demand totals by period and measure,
    wellbeing scores, goal states, visit lengths and expense amounts."""
    session.rollback()
    client = session.get(Client, client_id)
    by_period = demand.figures(session, client)
    return {
        "demand": [(p.period, [(m.measure, m.total, m.complete) for m in p.measures]) for p in by_period.periods],
        "reduction": (by_period.before, by_period.after),
        "wellbeing": sorted(session.execute(select(WellbeingScore.occasion, WellbeingScore.recorded_on,
                                                   WellbeingScore.raw_score, WellbeingScore.metric_hundredths)
                                            .where(WellbeingScore.client_id == client_id)).all()),
        "goals": sorted(session.scalars(select(Goal.status).where(Goal.client_id == client_id))),
        "visits": sorted(map(repr, session.execute(select(
            Visit.status, Visit.duration_minutes, Visit.actual_minutes, Visit.scheduled_start)
            .where(Visit.client_id == client_id)))),
        "expenses": sorted(map(repr, session.execute(select(ExpenseItem.claimed_pence, ExpenseItem.miles_tenths,
                                                            ExpenseItem.amount_pence)))),
    }


def test_a_dry_run_lists_what_it_would_change_and_changes_nothing(app, world):
    close_case(app, world, world.a.client_id, LONG_AGO)
    before = dump(app)
    result = run(app, "--older-than-months", "72", "--dry-run")
    assert result.exit_code == 0, result.output
    assert dump(app) == before
    short = short_reference(world.a.client_id)
    assert "Would anonymise 1 client whose case closed, or whose referral was declined, before" in result.output
    line = next(x for x in result.output.splitlines() if short in x)
    assert line.startswith(f"- client {short}, closed {LONG_AGO.date().isoformat()}: ")
    for table in ("clients 1", "visits 2", "goals 1", "concerns 2", "referral_decisions 1",
                  "demand_counts 1", "client_assignments 1"):
        assert table in line, (table, line)
    assert "Cliff" not in result.output  # the dry run's list (cron mails it) names nobody
    assert result.output.rstrip().endswith("Dry run: nothing was changed.")


def test_a_real_run_blanks_every_identifying_column_the_map_lists_and_keeps_the_rest(app, world, session):
    more_of_area_a(app, world)  # an edit conflict on the client's goal, too
    close_case(app, world, world.a.client_id, LONG_AGO)
    mine_before = rows_about(app, CLIENT, world.a.client_id)
    other_before = rows_about(app, CLIENT, world.b.client_id)
    result = run(app, "--older-than-months", "72")
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 client " in result.output
    mine_after = rows_about(app, CLIENT, world.a.client_id)
    checked = 0
    for name, rows in mine_before.items():
        entry = TABLES[name]
        if entry.owner != CLIENT:
            continue
        table = Base.metadata.tables[name]
        after = {tuple(r[c.name] for c in table.primary_key.columns): r for r in mine_after[name]}
        for row in rows:
            new = after[tuple(row[c.name] for c in table.primary_key.columns)]
            for column in entry.identifying:
                expected = anonymised_name(world.a.client_id) if (name, column) == ("clients", "name") else (
                    REMOVED if column in entry.keeps_a_value and row[column] is not None else None)
                assert new[column] == expected, (name, column, new[column])
                checked += row[column] is not None
            for column in entry.kept:
                if column not in ("rev", "seq", "updated_at", "anonymised_at"):
                    assert new[column] == row[column], (name, column)
                elif column == "anonymised_at":
                    assert row[column] is None and new[column] is not None
            if "rev" in table.c and any(row[c] is not None for c in entry.identifying):
                assert new["rev"] == row["rev"] + 1 and new["seq"] > row["seq"], name
    assert checked >= 15  # names, address, phone, notes, goals, concerns, decisions... were there to blank
    assert mine_before["sync_conflicts"] and all(c["mine"] is None for c in mine_after["sync_conflicts"])
    # The open client of area B: not a byte changed.
    assert rows_about(app, CLIENT, world.b.client_id) == other_before
    session.rollback()
    client = session.get(Client, world.a.client_id)
    assert (client.name, client.phone, client.address, client.date_of_birth, client.main_issues) == (
        anonymised_name(client.id), None, None, None, None)


def test_the_service_plans_without_changing_anything_on_a_dry_run(app, world, session):
    """Even if the caller commits."""
    close_case(app, world, world.a.client_id, LONG_AGO)
    before = dump(app)
    plans = retention.anonymise(session, date.today(), 72, dry_run=True)
    session.commit()
    assert [p.client_id for p in plans] == [world.a.client_id] and plans[0].counts["clients"] == 1
    assert dump(app) == before


def test_an_open_client_and_a_recently_closed_one_are_left_alone(app, world):
    close_case(app, world, world.a.unassigned_client_id)  # closed today
    close_case(app, world, world.a.referral_id, datetime.now(timezone.utc) - timedelta(days=30 * 70))  # 70 months
    before = dump(app)
    result = run(app, "--older-than-months", "72")
    assert result.exit_code == 0 and "Anonymised 0 clients" in result.output, result.output
    assert dump(app) == before
    # The boundary: closed just after the cut-off is kept, just before is anonymised.
    cut = retention.cut_off(date(2026, 11, 26), 72)
    assert cut == datetime(2020, 11, 26, tzinfo=timezone.utc)
    assert retention.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    with pytest.raises(ValueError):
        retention.months_before(date(2026, 3, 31), 0)


def test_the_outcome_figures_are_the_same_after(app, world, session):
    close_case(app, world, world.a.client_id, LONG_AGO)
    before = {c: figures(session, c) for c in (world.a.client_id, world.b.client_id)}
    assert before[world.a.client_id]["wellbeing"] and before[world.a.client_id]["demand"]
    assert run(app, "--older-than-months", "72").exit_code == 0
    after = {c: figures(session, c) for c in (world.a.client_id, world.b.client_id)}
    assert after == before


def test_a_second_run_skips_the_anonymised_and_each_client_done_is_audited(app, world, session):
    close_case(app, world, world.a.client_id, LONG_AGO)
    assert run(app).exit_code == 0  # RETENTION_MONTHS: 72 by default
    once = dump(app)
    session.rollback()
    done = session.get(Client, world.a.client_id)
    session.refresh(done)
    assert done.anonymised_at is not None and done.name == anonymised_name(world.a.client_id)
    result = run(app, "--older-than-months", "1")
    assert result.exit_code == 0 and "Anonymised 0 clients" in result.output, result.output
    assert dump(app) == once
    session.rollback()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.route == retention.ROUTE)).all()
    assert [(e.action, e.record_kind, e.record_id, e.user_id) for e in entries] == [
        ("change", "client", str(world.a.client_id), None)]


def test_the_period_comes_from_retention_months(app, world):
    close_case(app, world, world.a.client_id, LONG_AGO)
    app.config["RETENTION_MONTHS"] = 100
    result = run(app, "--dry-run")
    assert "Would anonymise 0 clients" in result.output and "(100 months)" in result.output, result.output
    app.config["RETENTION_MONTHS"] = 79
    assert "Would anonymise 1 client " in run(app, "--dry-run").output


@pytest.mark.parametrize("months", ["0", "-3", "six", "1201"])
def test_a_bad_period_is_refused_and_changes_nothing(app, world, months):
    close_case(app, world, world.a.client_id, LONG_AGO)
    before = dump(app)
    result = run(app, "--older-than-months", months)
    assert result.exit_code == 2 and "--older-than-months" in result.output, result.output
    assert dump(app) == before


def _pull_all(phone, cursor=None):
    changes, removed = [], []
    while True:
        body = phone.get("/api/sync/pull", query_string={"cursor": cursor} if cursor else {}).get_json()
        changes += body["changes"]
        removed += body["removed"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, removed, cursor


def test_the_phones_get_the_blanked_values_or_hold_nothing_of_the_client(app, world):
    coordinator, mentor = signed_in(app, world, "coordinator_a"), signed_in(app, world, "mentor_a1")
    close_case(app, world, world.a.client_id, LONG_AGO)
    _, _, office_cursor = _pull_all(coordinator)
    held, _, mentor_cursor = _pull_all(mentor)
    assert str(world.a.client_id) not in {c["id"] for c in held}  # it left the mentors' phones when it closed
    assert run(app, "--older-than-months", "72").exit_code == 0
    changes, _, _ = _pull_all(coordinator, office_cursor)
    by_id = {c["id"]: c for c in changes}
    client = by_id[str(world.a.client_id)]["data"]
    assert client["name"] == anonymised_name(world.a.client_id) and client["address"] is None
    visit = by_id[str(world.a.records["visit"])]["data"]
    assert visit["notes"] is None and visit["location"] is None
    assert by_id[str(world.a.records["goal"])]["data"]["title"] == REMOVED
    later, _, _ = _pull_all(mentor, mentor_cursor)
    assert not [c for c in later if c["id"] in by_id]
    assert "Cliff" not in str(changes) and "MARKA" not in str(changes)


def test_the_office_pages_of_an_anonymised_client_still_open_and_name_nobody(app, world):
    close_case(app, world, world.a.client_id, LONG_AGO)
    assert run(app, "--older-than-months", "72").exit_code == 0
    office = signed_in(app, world, "coordinator_a")
    for url in (f"/office/clients/{world.a.client_id}", f"/office/clients/{world.a.client_id}/demand",
                f"/office/clients/{world.a.client_id}/wellbeing", "/office/"):
        page = office.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert "Cliff" not in html and "3 Test Road" not in html, url
    assert anonymised_name(world.a.client_id) in office.get(f"/office/clients/{world.a.client_id}").get_data(as_text=True)


def test_a_journey_to_the_clients_visit_loses_its_places_and_keeps_its_amounts(app, world, session):
    from tests.data_protection.test_export import _journey_to_the_visit

    _journey_to_the_visit(app, world)
    close_case(app, world, world.a.client_id, LONG_AGO)
    session.rollback()
    journey = session.scalar(select(ExpenseItem).where(ExpenseItem.visit_id == world.a.records["visit"]))
    before = (journey.id, journey.miles_tenths, journey.claimed_pence, journey.rate_note, journey.rev)
    others = sorted(map(repr, session.execute(select(ExpenseItem.__table__).where(ExpenseItem.id != journey.id))))
    dry = run(app, "--older-than-months", "72", "--dry-run").output
    assert "expense_items 1" in dry, dry
    assert run(app, "--older-than-months", "72").exit_code == 0
    session.rollback()
    session.expire_all()
    journey = session.get(ExpenseItem, before[0])
    assert (journey.from_place, journey.to_place) == (REMOVED, REMOVED)
    assert (journey.id, journey.miles_tenths, journey.claimed_pence, journey.rate_note, journey.rev - 1) == before
    assert sorted(map(repr, session.execute(select(ExpenseItem.__table__).where(ExpenseItem.id != journey.id)))) == others



def decline_referral(app, world, client_id, decided_at):
    """Decline through the office's form, then move the decision back."""
    office = signed_in(app, world, "coordinator_a")
    token = form_token(office.get("/sign-in").get_data(as_text=True))
    r = office.post(f"/office/referrals/{client_id}/decision",
                    data={"outcome": "declined", "reason": "Already supported by Age UK; lives with Dot.",
                          "csrf_token": token})
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    with app.extensions["database"]["engine"].begin() as conn:
        conn.execute(Client.__table__.update().where(Client.__table__.c.id == client_id).values(decided_at=decided_at))


def test_a_referral_declined_long_ago_is_anonymised_and_one_waiting_never(app, world, session):
    """A declined referral holds the same details as a case (name, address,
    what the referrer said, the reason): the same period applies, from the
    decision. A referral still waiting for one is never touched."""
    # Area B's referral still waits, however old its dates: it must stay as it is.
    with app.extensions["database"]["engine"].begin() as conn:
        conn.execute(Client.__table__.update().where(Client.__table__.c.id == world.b.referral_id)
                     .values(decided_at=LONG_AGO, closed_at=LONG_AGO, created_at=LONG_AGO))
    waiting_before = rows_about(app, CLIENT, world.b.referral_id)
    decline_referral(app, world, world.a.referral_id, LONG_AGO)
    result = run(app, "--older-than-months", "72", "--dry-run")
    assert f"- client {short_reference(world.a.referral_id)}, declined {LONG_AGO.date().isoformat()}: " in result.output
    assert run(app, "--older-than-months", "72").exit_code == 0
    session.rollback()
    client = session.get(Client, world.a.referral_id)
    session.refresh(client)
    assert (client.name, client.address, client.decision_reason, client.status) == (
        anonymised_name(client.id), None, None, "declined")
    assert client.anonymised_at is not None
    decisions = rows_about(app, CLIENT, world.a.referral_id)["referral_decisions"]
    assert decisions and all(d["reason"] in (None, REMOVED) for d in decisions)
    assert waiting_before["clients"][0]["status"] == "referred"
    assert rows_about(app, CLIENT, world.b.referral_id) == waiting_before


def test_a_referral_declined_recently_or_waiting_is_left_alone(app, world):
    recent = datetime.now(timezone.utc) - timedelta(days=31 * 70)
    decline_referral(app, world, world.a.referral_id, recent)
    before = dump(app)
    result = run(app, "--older-than-months", "72")
    assert result.exit_code == 0 and "Anonymised 0 clients" in result.output, result.output
    after = dump(app)
    assert {t: rows for t, rows in after.items() if t != "audit_entries"} == {
        t: rows for t, rows in before.items() if t != "audit_entries"}
