"""The demand ledger's services (app/outcomes/demand.py): recording counts,
every refusal (with nothing written), corrections kept as history, and the
figures against a fixture worked out by hand. SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.accounts.services import create_user
from app.clients.models import Client
from app.casework.services import client_in_scope
from app.outcomes import demand
from app.outcomes.models import DemandCount
from app.outcomes.rules import Window
from tests.conftest import DEMO_PASSWORD

# The fixture worked out by hand: referred on 31 Aug 2025, closed on 31 Jan 2026.
#   7 to 12 months before: 31 Aug 2024 to 27 Feb 2025 (6 months before 31 Aug 2025 is 28 Feb 2025)
#   6 months before:       28 Feb 2025 to 30 Aug 2025
#   during support:        31 Aug 2025 to 31 Jan 2026
#   6 months after:        1 Feb 2026 to 31 Jul 2026
REFERRED = date(2025, 8, 31)
CLOSED_AT = datetime(2026, 1, 31, 16, 0, tzinfo=timezone.utc)
TODAY = date(2026, 9, 1)


@pytest.fixture
def people(session, demo):
    coordinator = session.scalar(select(User).where(User.email == "coordinator@demo.test"))
    other = create_user(session, email="darlington@demo.test", name="Dana Darlington", role="coordinator",
                        password=DEMO_PASSWORD, area_name="Darlington")
    session.commit()
    return coordinator, other


@pytest.fixture
def closed_client(session, people):
    client = session.scalars(select(Client).order_by(Client.name)).first()
    client.referral_received_on = REFERRED
    client.status = "closed"
    client.closed_at = CLOSED_AT
    session.commit()
    return client


@pytest.fixture
def open_client(session, people):
    client = session.scalars(select(Client).order_by(Client.name)).all()[1]
    client.referral_received_on = REFERRED
    session.commit()
    return client


def form(**kw):
    base = {"measure": "police_calls", "period": "", "first_day": "", "last_day": "", "count": "3",
            "source": "Durham Constabulary Niche extract", "obtained_on": "2026-08-20"}
    return {**base, **kw}


def record(session, client, user, **kw):
    row = demand.record(session, user, client, form(**kw), TODAY)
    session.commit()
    return row


def rows(session):
    return session.scalar(select(func.count()).select_from(DemandCount))


# -- periods -------------------------------------------------------------------------
def test_the_clients_windows_come_from_the_referral_and_the_uk_day_of_closure(closed_client, open_client):
    w = demand.client_windows(closed_client)
    assert w == {"before_12_to_7": Window(date(2024, 8, 31), date(2025, 2, 27)),
                 "before_6": Window(date(2025, 2, 28), date(2025, 8, 30)),
                 "during": Window(date(2025, 8, 31), date(2026, 1, 31)),
                 "after_6": Window(date(2026, 2, 1), date(2026, 7, 31))}
    assert set(demand.client_windows(open_client)) == {"before_12_to_7", "before_6"}


def test_closure_late_in_the_evening_of_a_summer_day_is_the_next_uk_day(session, closed_client):
    closed_client.closed_at = datetime(2025, 12, 31, 23, 30, tzinfo=timezone.utc)  # winter: the same day
    assert demand.closed_on(closed_client) == date(2025, 12, 31)
    closed_client.closed_at = datetime(2025, 7, 31, 23, 30, tzinfo=timezone.utc)   # 00:30 BST on 1 Aug
    assert demand.closed_on(closed_client) == date(2025, 8, 1)
    session.rollback()


# -- recording -------------------------------------------------------------------------
def test_a_whole_period_from_the_period_picker(session, closed_client, people):
    coordinator, _ = people
    row = record(session, closed_client, coordinator, period="before_6", count="12")
    assert (row.period, row.first_day, row.last_day, row.count) == ("before_6", date(2025, 2, 28), date(2025, 8, 30), 12)
    assert row.source == "Durham Constabulary Niche extract" and row.obtained_on == date(2026, 8, 20)
    assert row.recorded_by_id == coordinator.id and row.replaces_id is None and row.replaced_at is None


def test_part_of_a_period_from_the_days_the_period_worked_out(session, closed_client, people):
    coordinator, _ = people
    row = record(session, closed_client, coordinator, first_day="2026-02-01", last_day="30/04/2026", count="0")
    assert (row.period, row.first_day, row.last_day, row.count) == ("after_6", date(2026, 2, 1), date(2026, 4, 30), 0)


BAD = [
    (dict(count="-1"), "count", "cannot be less than 0"),
    (dict(count="2.5"), "count", "whole number"),
    (dict(count="three"), "count", "whole number"),
    (dict(count=""), "count", "Enter the count"),
    (dict(count="100001"), "count", "100,000 or fewer"),
    (dict(measure="arrests"), "measure", "Choose what was counted"),
    (dict(source="   "), "source", "Enter where the figures came from"),
    (dict(source="x" * 501), "source", "500 characters or fewer"),
    (dict(obtained_on="2026-09-02"), "obtained_on", "2 Sep 2026) cannot be in the future"),
    (dict(obtained_on="2025-05-30"), "obtained_on", "(30 May 2025) before the last day they count (31 May 2025)"),
    (dict(obtained_on=""), "obtained_on", "Enter the date the figures were obtained"),
    (dict(obtained_on="31/02/2026"), "obtained_on", "must be a real date"),
    (dict(first_day="2025-06-30", last_day="2025-03-01"), "last_day", "wrong way round"),
    (dict(first_day="2026-08-01", last_day="2026-09-30"), "last_day", "is in the future"),
    (dict(first_day="2025-08-01", last_day="2025-09-30"), "first_day",
     "1 Aug 2025 to 30 Sep 2025 is not inside one period. The periods are: 7 to 12 months before referral is "
     "31 Aug 2024 to 27 Feb 2025; 6 months before referral is 28 Feb 2025 to 30 Aug 2025; during support is "
     "31 Aug 2025 to 31 Jan 2026; 6 months after closure is 1 Feb 2026 to 31 Jul 2026."),
    (dict(period="before_6", first_day="2025-01-01", last_day="2025-03-31"), "first_day",
     "is not inside 6 months before referral, which is 28 Feb 2025 to 30 Aug 2025"),
    (dict(period="sometime"), "period", "Choose one of the periods"),
    (dict(first_day="", last_day="2025-03-31"), "first_day", "Enter the first day counted"),
]


@pytest.mark.parametrize("changes, field, words", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(session, closed_client, people, changes, field, words):
    coordinator, _ = people
    with pytest.raises(demand.DemandInputError) as refused:
        demand.record(session, coordinator, closed_client, form(**{"first_day": "2025-03-01",
                                                                    "last_day": "2025-05-31", **changes}), TODAY)
    session.rollback()
    assert words in refused.value.errors[field], refused.value.errors
    assert rows(session) == 0


def test_several_problems_are_all_said_in_the_forms_order(session, closed_client, people):
    coordinator, _ = people
    with pytest.raises(demand.DemandInputError) as refused:
        demand.record(session, coordinator, closed_client, form(measure="", count="-3", source="",
                                                                first_day="2025-03-01", last_day="2025-05-31"), TODAY)
    assert list(refused.value.errors) == ["measure", "count", "source"]


def test_counts_of_one_measure_may_not_overlap_and_the_message_names_the_other(session, closed_client, people):
    coordinator, _ = people
    record(session, closed_client, coordinator, first_day="2025-03-01", last_day="2025-05-31", count="4",
           source="Niche extract March")
    with pytest.raises(demand.DemandInputError) as refused:
        demand.record(session, coordinator, closed_client, form(first_day="2025-05-31", last_day="2025-06-30"), TODAY)
    session.rollback()
    assert refused.value.errors["first_day"] == (
        "Police calls (999 and 101) already has a count for 1 Mar 2025 to 31 May 2025 (4, from Niche extract "
        "March), which overlaps 31 May 2025 to 30 Jun 2025. Counts of one measure may not overlap: correct that "
        "count, or enter days it does not cover.")
    # Another measure over the same days, and the next day of the same measure, are fine.
    record(session, closed_client, coordinator, measure="incidents", first_day="2025-03-01", last_day="2025-05-31")
    record(session, closed_client, coordinator, first_day="2025-06-01", last_day="2025-06-30")
    assert rows(session) == 3


def test_an_open_case_has_no_during_or_after_periods_yet(session, open_client, people):
    coordinator, _ = people
    for period in ("during", "after_6"):
        with pytest.raises(demand.DemandInputError) as refused:
            demand.record(session, coordinator, open_client, form(period=period), TODAY)
        session.rollback()
        assert refused.value.errors == {"period": f"“{'During support' if period == 'during' else '6 months after closure'}” "
                                                  "can be recorded once the case is closed: the case is still open."}
    with pytest.raises(demand.DemandInputError) as refused:
        demand.record(session, coordinator, open_client, form(first_day="2025-09-01", last_day="2025-10-31"), TODAY)
    session.rollback()
    assert "can be recorded once the case is closed: the case is still open" in refused.value.errors["first_day"]
    assert rows(session) == 0


def test_a_client_with_no_referral_date_has_no_periods(session, open_client, people):
    coordinator, _ = people
    open_client.referral_received_on = None
    session.commit()
    with pytest.raises(demand.DemandInputError) as refused:
        demand.record(session, coordinator, open_client, form(first_day="2025-03-01", last_day="2025-05-31"), TODAY)
    assert "no date the referral was received" in refused.value.errors["first_day"]


def test_another_areas_coordinator_does_not_get_the_client(session, closed_client, people):
    coordinator, other = people
    assert client_in_scope(session, coordinator, closed_client.id) is closed_client
    assert client_in_scope(session, other, closed_client.id) is None


def test_the_database_refuses_what_the_checks_refuse(session, closed_client, people):
    coordinator, _ = people
    session.add(DemandCount(client_id=closed_client.id, measure="incidents", period="before_6",
                            first_day=date(2025, 3, 1), last_day=date(2025, 3, 31), count=-1, source="x",
                            obtained_on=TODAY, recorded_by_id=coordinator.id))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


# -- corrections -------------------------------------------------------------------------
def test_a_correction_replaces_the_count_and_keeps_the_old_one(session, closed_client, people):
    coordinator, _ = people
    old = record(session, closed_client, coordinator, period="before_6", count="12")
    new = demand.correct(session, coordinator, closed_client, old.id,
                         form(first_day="2025-02-28", last_day="2025-08-30", count="21", source="Niche re-run",
                              reason="The first extract missed the 101 calls."), TODAY)
    session.commit()
    session.refresh(old)
    assert (new.count, new.period, new.replaces_id, new.source) == (21, "before_6", old.id, "Niche re-run")
    assert old.replaced_at is not None and old.replaced_by_id == coordinator.id
    assert old.replaced_reason == "The first extract missed the 101 calls." and old.count == 12
    assert [c.id for c in demand.current_counts(session, closed_client)] == [new.id]
    [h] = demand.corrections(session, closed_client)
    assert (h.old.id, h.new.id, h.by, h.reason) == (old.id, new.id, coordinator.name, old.replaced_reason)


def test_a_correction_needs_a_reason_and_right_figures_and_changes_nothing_without(session, closed_client, people):
    coordinator, _ = people
    old = record(session, closed_client, coordinator, period="before_6", count="12")
    with pytest.raises(demand.DemandInputError) as refused:
        demand.correct(session, coordinator, closed_client, old.id,
                       form(first_day="2025-02-28", last_day="2025-08-30", count="-2", reason=" "), TODAY)
    session.rollback()
    assert set(refused.value.errors) == {"count", "reason"}
    assert "Enter the reason for the correction" in refused.value.errors["reason"]
    session.refresh(old)
    assert old.replaced_at is None and rows(session) == 1


def test_a_correction_may_not_overlap_another_current_count(session, closed_client, people):
    coordinator, _ = people
    first = record(session, closed_client, coordinator, first_day="2025-03-01", last_day="2025-03-31")
    record(session, closed_client, coordinator, first_day="2025-04-01", last_day="2025-04-30")
    with pytest.raises(demand.DemandInputError) as refused:
        demand.correct(session, coordinator, closed_client, first.id,
                       form(first_day="2025-03-01", last_day="2025-04-02", reason="Wrong end date."), TODAY)
    session.rollback()
    assert "already has a count for 1 Apr 2025 to 30 Apr 2025" in refused.value.errors["first_day"]


def test_a_count_already_replaced_cannot_be_corrected_again(session, closed_client, people):
    coordinator, _ = people
    old = record(session, closed_client, coordinator, period="before_6", count="12")
    demand.correct(session, coordinator, closed_client, old.id,
                   form(period="before_6", count="13", reason="Typo."), TODAY)
    session.commit()
    with pytest.raises(demand.DemandRefused) as refused:
        demand.correct(session, coordinator, closed_client, old.id,
                       form(period="before_6", count="14", reason="Again."), TODAY)
    session.rollback()
    assert "already corrected" in str(refused.value) and coordinator.name in str(refused.value)
    assert rows(session) == 2


def test_a_count_of_another_client_is_not_found(session, closed_client, open_client, people):
    coordinator, _ = people
    row = record(session, closed_client, coordinator, period="before_6")
    with pytest.raises(LookupError):
        demand.correct(session, coordinator, open_client, row.id, form(period="before_6", reason="x"), TODAY)


# -- the figures ---------------------------------------------------------------------------
def fill(session, client, user, period, counts: dict):
    for measure, count in counts.items():
        record(session, client, user, measure=measure, period=period, count=str(count))


def test_figures_against_the_hand_worked_fixture(session, closed_client, people):
    coordinator, _ = people
    # 6 months before: police calls in two extracts (5 + 7), the rest whole: B = 12 + 4 + 3 + 1 = 20.
    record(session, closed_client, coordinator, first_day="2025-02-28", last_day="2025-05-27", count="5")
    record(session, closed_client, coordinator, first_day="2025-05-28", last_day="2025-08-30", count="7")
    fill(session, closed_client, coordinator, "before_6", {"incidents": 4, "asb_reports": 3, "other_services": 1})
    # 6 months after: A = 2 + 1 + 0 + 0 = 3, other services' contacts one day short at first.
    fill(session, closed_client, coordinator, "after_6", {"police_calls": 2, "incidents": 1, "asb_reports": 0})
    short = record(session, closed_client, coordinator, measure="other_services", first_day="2026-02-01",
                   last_day="2026-07-30", count="0")
    result = demand.figures(session, closed_client)
    by = {p.period: p for p in result.periods}
    assert by["before_6"].complete and by["before_6"].total == 20
    assert [m.total for m in by["before_6"].measures] == [12, 4, 3, 1]
    assert not by["after_6"].complete and by["after_6"].total == 3
    assert [m.complete for m in by["after_6"].measures] == [True, True, True, False]
    assert (result.before, result.after, result.reduction) == (20, None, None)
    assert result.why_none == ("No reduction yet: it needs complete counts for the 6 months before referral "
                               "and the 6 months after closure.")
    assert by["during"].total == 0 and not by["during"].complete

    demand.correct(session, coordinator, closed_client, short.id,
                   form(measure="other_services", first_day="2026-02-01", last_day="2026-07-31", count="0",
                        reason="The extract ran to the end of July."), TODAY)
    session.commit()
    result = demand.figures(session, closed_client)
    # 100 x (20 - 3) / 20 = 85.0
    assert (result.before, result.after, str(result.reduction.percent), result.reduction.clients) == (20, 3, "85.0", 1)
    assert result.why_none is None


def test_no_demand_before_gives_no_percentage_and_more_demand_after_a_negative_one(session, closed_client, people):
    coordinator, _ = people
    fill(session, closed_client, coordinator, "before_6", {m: 0 for m in demand.rules.MEASURES})
    fill(session, closed_client, coordinator, "after_6", {"police_calls": 2, "incidents": 0, "asb_reports": 0,
                                                          "other_services": 0})
    result = demand.figures(session, closed_client)
    assert result.reduction.percent is None and (result.before, result.after) == (0, 2)
    assert "no demand was recorded in the 6 months before referral" in result.why_none
    [before] = [c for c in demand.current_counts(session, closed_client)
                if c.period == "before_6" and c.measure == "police_calls"]
    demand.correct(session, coordinator, closed_client, before.id,
                   form(period="before_6", first_day="2025-02-28", last_day="2025-08-30", count="1",
                        reason="One 101 call was missed."), TODAY)
    session.commit()
    # 100 x (1 - 2) / 1 = -100.0: demand grew.
    assert str(demand.figures(session, closed_client).reduction.percent) == "-100.0"


def test_an_open_case_has_no_reduction(session, open_client, people):
    coordinator, _ = people
    fill(session, open_client, coordinator, "before_6", {m: 1 for m in demand.rules.MEASURES})
    result = demand.figures(session, open_client)
    by = {p.period: p for p in result.periods}
    assert by["before_6"].complete and by["during"].window is None and by["after_6"].window is None
    assert result.before == 4 and result.after is None and result.reduction is None
