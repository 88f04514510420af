"""Wellbeing checks in the office: the client record's table and "due" line,
recording one (checked as the phones' are, through the same kind), deleting
one recorded by mistake (phones get the tombstone), another area's 404."""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import days
from app.outcomes import rules
from app.wellbeing.models import WellbeingScore
from tests.sync.conftest import mutation

TODAY = days.today()


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def form(answers=(2, 3, 4, 3, 2, 3, 4), **fields):
    values = {"recorded_on": (TODAY - timedelta(days=2)).isoformat(), "occasion": "review"}
    values.update({f"q{n}": str(a) for n, a in enumerate(answers, start=1)})
    values.update(fields)
    return values


def services_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"  # uk_date


def rows(session):
    session.rollback()
    return session.scalars(select(WellbeingScore)).all()


def test_a_coordinator_records_a_check_and_the_pairs_phones_get_it(office, margaret, phone, session):
    ben = phone("ben@demo.test")
    ben.pull_all()
    page = f"/office/clients/{margaret.id}/wellbeing"
    response = office().post_form(page, page, form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/office/clients/{margaret.id}")
    [row] = rows(session)
    assert (row.raw_score, row.metric_hundredths, row.occasion) == (21, 1925, "review")  # 2+3+4+3+2+3+4
    changes, _, _ = ben.pull_all()
    [pulled] = [c for c in changes if c["kind"] == "wellbeing"]
    assert pulled["data"]["raw_score"] == 21 and pulled["data"]["metric_hundredths"] == 1925
    text = text_of(office().get(f"/office/clients/{margaret.id}").get_data(as_text=True))
    assert "Wellbeing checks (SWEMWBS)" in text
    assert re.search(r"3-monthly review 21 19\.25 \S+", text), text
    due = rules.add_months(TODAY - timedelta(days=2), 3)
    assert f"Next wellbeing check due on {services_day(due)}." in text


@pytest.mark.parametrize("changes, field, message", [
    (dict(answers=(2, 3, 4, 3, 2, 3)), "q7", "Question 7"),
    (dict(answers=(0, 3, 4, 3, 2, 3, 4)), "q1", "Question 1"),
    (dict(answers=(6, 3, 4, 3, 2, 3, 4)), "q1", "Question 1"),
    (dict(answers=("2.5", 3, 4, 3, 2, 3, 4)), "q1", "Question 1"),
    (dict(recorded_on=""), "recorded_on", "Give the day the wellbeing check was taken."),
    (dict(recorded_on=(TODAY + timedelta(days=1)).isoformat()), "recorded_on",
     "The day of the check cannot be in the future."),
    (dict(occasion="whenever"), "occasion", "Say when in support the check was taken"),
])
def test_bad_input_in_the_office_is_refused_with_words_and_nothing_saved(office, margaret, session, changes, field,
                                                                        message):
    page = f"/office/clients/{margaret.id}/wellbeing"
    response = office().post_form(page, page, form(**changes))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and f'href="#{field}"' in html and message in html
    assert rows(session) == []


def test_a_mistaken_check_is_deleted_in_the_office_and_leaves_the_phones(office, margaret, phone, session):
    amira = phone("amira@demo.test")
    sid = uuid.uuid4()
    amira.push(mutation("wellbeing", sid, "create", {
        "client_id": str(margaret.id), "recorded_on": TODAY.isoformat(), "occasion": "referral",
        **{f"q{n}": 1 for n in range(1, 8)}}))
    amira.pull_all()
    page = f"/office/clients/{margaret.id}/wellbeing"
    assert "Delete" in office().get(page).get_data(as_text=True)
    response = office().post_form(page, f"{page}/{sid}/delete")
    assert response.status_code == 303
    [row] = rows(session)
    assert row.deleted_at is not None and row.rev == 2
    changes, _, _ = amira.pull_all()
    assert [(c["id"], c["deleted"]) for c in changes if c["kind"] == "wellbeing"] == [(str(sid), True)]
    assert office().post_form(page, f"{page}/{sid}/delete").status_code == 404  # already gone


def test_another_areas_coordinator_gets_404(office, other_area_coordinator, margaret, session):
    stranger = office(other_area_coordinator)
    page = f"/office/clients/{margaret.id}/wellbeing"
    assert stranger.get(page).status_code == 404
    assert stranger.post_form("/office/", page, form()).status_code == 404
    assert rows(session) == []


def test_next_due_follows_the_rules(session, margaret):
    from app.clients.models import Client
    from app.wellbeing import services  # not at collection: it registers the kind (app/features.py keeps the order)

    client = session.get(Client, margaret.id)
    start = services.started_on(session, client)
    assert start is not None
    assert services.next_due(session, client, start) == services.Due(start, True)
    session.add(WellbeingScore(client_id=client.id, recorded_on=date(2026, 8, 31), occasion="review",
                               **{f"q{n}": 3 for n in range(1, 8)}, raw_score=21, metric_hundredths=1925))
    session.flush()
    assert services.next_due(session, client, date(2026, 11, 29)) == services.Due(date(2026, 11, 30), False)
    assert services.next_due(session, client, date(2026, 11, 30)) == services.Due(date(2026, 11, 30), True)
    client.status = "closed"
    assert services.next_due(session, client, date(2026, 11, 30)) is None
    session.rollback()


def test_the_office_home_lists_the_checks_due_now_or_soon_and_drops_one_once_taken(office, margaret, session):
    """The reminder of a due check: the client's next check (at the start of
    support, then 3 months after the last) due within 14 days is on the home
    page with its day; a check recorded moves it 3 months on, off the list."""
    from app.wellbeing.services import checks_due
    from app.accounts.models import User

    coordinator = session.scalar(select(User).where(User.email == "coordinator@demo.test"))
    session.rollback()
    due = {d.client_name: d for d in checks_due(session, coordinator, TODAY)}
    assert margaret.name in due and due[margaret.name].last_recorded_on is None
    assert due[margaret.name].due.on == margaret.referral_received_on and due[margaret.name].due.now
    html = office().get("/office/").get_data(as_text=True)
    assert 'id="wellbeing-due"' in html
    assert f'<a href="/office/clients/{margaret.id}#wellbeing">{margaret.name}</a>' in html
    assert f"due since {services_day(margaret.referral_received_on)}" in text_of(html)

    page = f"/office/clients/{margaret.id}/wellbeing"
    assert office().post_form(page, page, form(recorded_on=TODAY.isoformat(), occasion="referral")).status_code == 303
    session.rollback()
    assert margaret.name not in {d.client_name for d in checks_due(session, coordinator, TODAY)}
    # 3 months on, less the 14 days' notice, it is back as coming up (not yet due).
    soon = rules.add_months(TODAY, 3) - timedelta(days=14)
    [back] = [d for d in checks_due(session, coordinator, soon) if d.client_name == margaret.name]
    assert (back.due.on, back.due.now, back.last_recorded_on) == (rules.add_months(TODAY, 3), False, TODAY)
    assert margaret.name not in {d.client_name for d in checks_due(session, coordinator, soon - timedelta(days=1))}
    # A check deleted as recorded by mistake no longer counts: due again.
    [taken] = rows(session)
    assert office().post_form(page, f"{page}/{taken.id}/delete").status_code == 303
    session.rollback()
    assert margaret.name in {d.client_name for d in checks_due(session, coordinator, TODAY)}


def test_the_checks_due_are_only_of_the_coordinators_own_area(office, other_area_coordinator, session):
    from app.wellbeing.services import checks_due
    from app.accounts.models import User

    other = session.scalar(select(User).where(User.email == other_area_coordinator))
    session.rollback()
    assert checks_due(session, other, TODAY) == []
    assert 'id="wellbeing-due"' not in office(other_area_coordinator).get("/office/").get_data(as_text=True)
