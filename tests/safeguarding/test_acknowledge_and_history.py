"""Acknowledging a concern and keeping its history of actions and outcome."""
import re

from sqlalchemy import func, select

from app.fieldwork.models import Concern
from app.safeguarding.models import MAX_ENTRY_TEXT, ConcernAction


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def concern_state(session, concern_id):
    session.rollback()
    concern = session.get(Concern, concern_id, populate_existing=True)
    entries = session.scalars(select(ConcernAction).where(ConcernAction.concern_id == concern_id)
                              .order_by(ConcernAction.created_at)).all()
    return concern, entries


def test_acknowledging_stamps_the_concern_for_the_phones_and_starts_its_history(
        office, raise_concern, clients_by_name, session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"], urgency="urgent")
    before, _ = concern_state(session, concern_id)
    rev, seq = before.rev, before.seq
    page = f"/office/safeguarding/{concern_id}"
    coordinator = office()
    assert "Not yet acknowledged" in coordinator.get(page).get_data(as_text=True)

    response = coordinator.post_form(page, f"{page}/acknowledge")
    assert response.status_code == 303 and response.headers["Location"].endswith(page)

    concern, entries = concern_state(session, concern_id)
    assert concern.acknowledged_at is not None
    assert concern.acknowledged_by_id == concern.updated_by_id != concern.created_by_id
    assert concern.rev == rev + 1 and concern.seq > seq
    assert [(e.kind, e.by_id, e.created_at) for e in entries] == [
        ("acknowledged", concern.acknowledged_by_id, concern.acknowledged_at)]
    text = text_of(coordinator.get(page).get_data(as_text=True))
    assert "Concern acknowledged." in text
    assert "Acknowledged by Carol Coordinator" in text
    assert "Acknowledge this concern" not in text


def test_acknowledging_twice_says_so_and_writes_nothing(office, raise_concern, clients_by_name, session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"])
    page = f"/office/safeguarding/{concern_id}"
    first, second = office(), office()
    token_page = second.get(page)  # the second coordinator opened the page before the first acknowledged
    assert "Acknowledge this concern" in token_page.get_data(as_text=True)
    assert first.post_form(page, f"{page}/acknowledge").status_code == 303
    acknowledged, _ = concern_state(session, concern_id)

    response = second.post_form(page, f"{page}/acknowledge")
    assert response.status_code == 409
    assert "This concern had already been acknowledged by" in response.get_data(as_text=True)
    assert "Nothing was changed." in response.get_data(as_text=True)
    concern, entries = concern_state(session, concern_id)
    assert (concern.rev, concern.seq, concern.acknowledged_at) == (
        acknowledged.rev, acknowledged.seq, acknowledged.acknowledged_at)
    assert len(entries) == 1


def test_a_coordinator_of_another_area_cannot_act_on_a_concern(office, raise_concern, clients_by_name,
                                                               other_area_coordinator, session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"])
    stranger = office(other_area_coordinator)
    page = f"/office/safeguarding/{concern_id}"
    for action, data in (("acknowledge", {}), ("actions", {"text": "x"}), ("outcome", {"text": "x"})):
        response = stranger.post_form("/office/safeguarding/", f"{page}/{action}", data)
        assert response.status_code == 404
    concern, entries = concern_state(session, concern_id)
    assert concern.acknowledged_at is None and concern.rev == 1 and entries == []


def test_a_form_without_its_token_is_refused(office, raise_concern, clients_by_name, session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"])
    response = office().client.post(f"/office/safeguarding/{concern_id}/acknowledge")
    assert response.status_code == 400 and "The form expired" in response.get_data(as_text=True)
    concern, entries = concern_state(session, concern_id)
    assert concern.acknowledged_at is None and entries == []


def test_actions_and_outcome_are_kept_in_order_with_who_and_when(office, raise_concern, clients_by_name, session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"])
    page = f"/office/safeguarding/{concern_id}"
    coordinator = office()
    coordinator.post_form(page, f"{page}/acknowledge")
    assert coordinator.post_form(page, f"{page}/actions", {"text": "  Phoned adult social care.  "}).status_code == 303
    assert coordinator.post_form(page, f"{page}/actions", {"text": "Visited with the GP."}).status_code == 303
    assert coordinator.post_form(page, f"{page}/outcome", {"text": "Care package in place."}).status_code == 303

    concern, entries = concern_state(session, concern_id)
    assert [(e.kind, e.text) for e in entries] == [
        ("acknowledged", None), ("action", "Phoned adult social care."), ("action", "Visited with the GP."),
        ("outcome", "Care package in place.")]
    assert all(e.by_id == concern.acknowledged_by_id and e.created_at for e in entries)
    text = text_of(coordinator.get(page).get_data(as_text=True))
    for words in ("Raised", "Amira Khan", "Acknowledged", "Action Carol Coordinator Phoned adult social care.",
                  "Outcome Carol Coordinator Care package in place.", "This concern is closed."):
        assert words in text, words
    assert "Record an action" not in text
    # Closed: nothing more is added.
    response = coordinator.post_form(page, f"{page}/actions", {"text": "Late note."})
    assert response.status_code == 409 and "Nothing was saved." in response.get_data(as_text=True)
    assert len(concern_state(session, concern_id)[1]) == 4


def test_an_action_before_acknowledging_is_refused(office, raise_concern, clients_by_name, session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"])
    page = f"/office/safeguarding/{concern_id}"
    response = office().post_form(page, f"{page}/actions", {"text": "Phoned."})
    assert response.status_code == 409
    assert "Acknowledge the concern before recording what was done." in response.get_data(as_text=True)
    assert concern_state(session, concern_id)[1] == []


def test_empty_or_too_long_text_shows_the_error_summary_and_saves_nothing(office, raise_concern, clients_by_name,
                                                                         session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"])
    page = f"/office/safeguarding/{concern_id}"
    coordinator = office()
    coordinator.post_form(page, f"{page}/acknowledge")
    cases = [
        ("actions", "   ", "Enter what was done", "action-text"),
        ("outcome", "", "Enter the outcome", "outcome-text"),
        ("actions", "x" * (MAX_ENTRY_TEXT + 1), f"What was done must be {MAX_ENTRY_TEXT:,} characters or fewer",
         "action-text"),
    ]
    for action, text, message, field in cases:
        response = coordinator.post_form(page, f"{page}/{action}", {"text": text})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "There is a problem" in html and f'<a href="#{field}">{message}</a>' in html
        assert f'id="{field}-error"' in html and "<title>Error:" in html
    assert [e.kind for e in concern_state(session, concern_id)[1]] == ["acknowledged"]
    assert session.scalar(select(func.count()).select_from(ConcernAction)) == 1
