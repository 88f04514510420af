"""The demand ledger's office page (/office/clients/<id>/demand): recording,
errors with values kept, correcting with a reason, another area's client
(404, nothing saved), and the audit log. SQLite and PostgreSQL."""
from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app import days
from app.audit.models import AuditEntry
from app.clients.models import Client
from app.outcomes.models import DemandCount
from app.outcomes.rules import windows
from tests.safeguarding.conftest import office, other_area_coordinator  # noqa: F401  (fixtures)


def uk(day):
    return f"{day.day} {day:%b %Y}"


@pytest.fixture
def case(session, demo):
    """A client referred 400 days ago whose case closed 200 days ago (UK days), and their windows."""
    today = days.today()
    client = session.scalars(select(Client).order_by(Client.name)).first()
    client.referral_received_on = today - timedelta(days=400)
    client.status = "closed"
    client.closed_at = datetime.combine(today - timedelta(days=200), time(12), days.LONDON)
    session.commit()
    return client, windows(client.referral_received_on, today - timedelta(days=200))


def page_of(client):
    return f"/office/clients/{client.id}/demand"


def text(response):
    return html.unescape(response.get_data(as_text=True))


def counts(session):
    session.rollback()
    return session.scalar(select(func.count()).select_from(DemandCount))


def good(**kw):
    return {"measure": "police_calls", "period": "before_6", "first_day": "", "last_day": "", "count": "3",
            "source": "Durham Constabulary Niche extract", "obtained_on": days.today().isoformat(), **kw}


def test_the_page_shows_each_period_with_its_dates_and_why_there_is_no_reduction(office, case):
    client, w = case
    me = office()
    record_page = text(me.get(f"/office/clients/{client.id}"))
    assert f'href="/office/clients/{client.id}/demand"' in record_page
    body = text(me.get(page_of(client)))
    assert f"Demand: {client.name}" in body
    for period, name in (("before_12_to_7", "7 to 12 months before referral"), ("before_6", "6 months before referral"),
                         ("during", "During support"), ("after_6", "6 months after closure")):
        assert f'<h2 id="demand-{period}">{name}</h2>' in body
        assert f"{uk(w[period].start)} to {uk(w[period].end)}" in body
    assert ("No reduction yet: it needs complete counts for the 6 months before referral and the 6 months after "
            "closure.") in body
    assert "No count has been corrected or withdrawn." in body
    # Nothing recorded is not a count of 0.
    assert "<td>Not known</td>" in body and "<td>0</td>" not in body


def test_recording_a_whole_period_says_what_was_recorded(office, case, session):
    client, w = case
    me = office()
    response = me.post_form(page_of(client), page_of(client), good())
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/office/clients/{client.id}/demand")
    body = text(me.get(page_of(client)))
    window = f"{uk(w['before_6'].start)} to {uk(w['before_6'].end)}"
    assert (f"Recorded: Police calls (999 and 101), 3, for {window} (6 months before referral), from Durham "
            "Constabulary Niche extract.") in body
    assert f"3 for {window}: Durham Constabulary Niche extract, obtained {uk(days.today())}" in body
    assert counts(session) == 1


def test_an_error_is_summarised_and_linked_and_what_was_typed_kept(office, case, session):
    client, w = case
    me = office()
    response = me.post_form(page_of(client), page_of(client), good(count="-4", source="", period="",
                                                                     first_day=w["before_6"].start.isoformat(),
                                                                     last_day=(w["during"].start).isoformat()))
    assert response.status_code == 400
    body = text(response)
    assert "<title>Error: Demand:" in body and "There is a problem" in body
    assert '<a href="#count">The count cannot be less than 0.</a>' in body
    assert '<a href="#source">Enter where the figures came from' in body
    assert "is not inside one period. The periods are: 7 to 12 months before referral is" in body
    assert 'id="count" name="count" value="-4"' in body
    assert f'id="first_day" name="first_day" value="{w["before_6"].start.isoformat()}"' in body
    assert '<option value="police_calls" selected>' in body
    assert counts(session) == 0


def correct_url(client, row_id):
    return f"/office/clients/{client.id}/demand/{row_id}/correct"


def test_correcting_a_count_keeps_the_old_one_in_the_history(office, case, session):
    client, w = case
    me = office()
    me.post_form(page_of(client), page_of(client), good())
    row_id = session.scalar(select(DemandCount.id))
    session.rollback()

    # Without a reason: refused, the form open with its error and the figures typed.
    response = me.post_form(page_of(client), correct_url(client, row_id), {
        "count": "5", "first_day": w["before_6"].start.isoformat(), "last_day": w["before_6"].end.isoformat(),
        "source": "Niche re-run", "obtained_on": days.today().isoformat(), "reason": ""})
    assert response.status_code == 400
    body = text(response)
    assert f'<a href="#correct-{row_id}-reason">Enter the reason for the correction' in body
    assert f'id="correct-{row_id}-count" name="count" value="5"' in body
    assert '<details class="correction" open>' in body
    assert counts(session) == 1

    response = me.post_form(page_of(client), correct_url(client, row_id), {
        "count": "5", "first_day": w["before_6"].start.isoformat(), "last_day": w["before_6"].end.isoformat(),
        "source": "Niche re-run", "obtained_on": days.today().isoformat(), "reason": "The first extract missed 101."})
    assert response.status_code == 303
    body = text(me.get(page_of(client)))
    assert "Corrected: Police calls (999 and 101), 3, for" in body and "is now 5 for" in body
    assert "The first extract missed 101." in body and "No count has been corrected or withdrawn." not in body
    assert counts(session) == 2

    # The old row cannot be corrected again.
    response = me.post_form(page_of(client), correct_url(client, row_id), {
        "count": "6", "first_day": w["before_6"].start.isoformat(), "last_day": w["before_6"].end.isoformat(),
        "source": "Niche", "obtained_on": days.today().isoformat(), "reason": "Again."})
    assert response.status_code == 409
    assert "already corrected" in text(response) and "Nothing was changed." in text(response)
    assert counts(session) == 2


def test_another_areas_client_is_not_found_and_nothing_saved(office, other_area_coordinator, case, session):
    client, _ = case
    office().post_form(page_of(client), page_of(client), good())
    row_id = session.scalar(select(DemandCount.id))
    session.rollback()
    them = office(other_area_coordinator)
    assert them.get(page_of(client)).status_code == 404
    assert them.post_form("/office/", page_of(client), good(period="before_12_to_7")).status_code == 404
    assert them.post_form("/office/", correct_url(client, row_id), {
        "count": "9", "period": "before_6", "source": "x", "obtained_on": days.today().isoformat(),
        "reason": "Mine now."}).status_code == 404
    assert counts(session) == 1
    assert session.scalar(select(DemandCount.count)) == 3


def test_a_count_of_another_client_answers_404(office, case, session):
    client, _ = case
    me = office()
    me.post_form(page_of(client), page_of(client), good())
    row_id = session.scalar(select(DemandCount.id))
    other = session.scalars(select(Client).where(Client.id != client.id, Client.area_id == client.area_id)).first()
    session.rollback()
    assert me.post_form(page_of(client), correct_url(other, row_id), {
        "count": "9", "period": "before_6", "source": "x", "obtained_on": days.today().isoformat(),
        "reason": "Wrong client."}).status_code == 404


def test_the_page_and_its_changes_are_audited(office, case, session):
    client, _ = case
    me = office()
    me.get(page_of(client))
    me.post_form(page_of(client), page_of(client), good())
    me.post_form(page_of(client), page_of(client), good(count="x"))
    session.rollback()
    entries = session.execute(select(AuditEntry.action, AuditEntry.route, AuditEntry.record_kind,
                                     AuditEntry.record_id, AuditEntry.status)
                              .where(AuditEntry.route.like("% /office/clients/<uuid:client_id>/demand%"))
                              .order_by(AuditEntry.id)).all()
    ids = {e.record_id.replace("-", "") for e in entries}
    assert ids == {client.id.hex}
    assert [(e.action, e.route.split()[0], e.status) for e in entries if e.action == "change"] == [
        ("change", "POST", None), ("change", "POST", 400)]
    assert all(e.record_kind == "client" for e in entries)
    assert any(e.action == "view" for e in entries)


def test_periods_of_an_open_case_and_its_form(office, session, demo):
    client = session.scalars(select(Client).order_by(Client.name)).first()
    session.commit()
    body = text(office().get(page_of(client)))
    assert "Known once the case is closed." in body
    assert '<option value="during"' not in body and '<option value="before_6"' in body
    assert re.search(r"“During support” and\s+“6 months after closure” can be recorded once the case is closed", body)
