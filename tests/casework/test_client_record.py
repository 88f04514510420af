"""The client record: referral, pairs, timeline; assign, reassign with a reason, close with a reason."""
import re

from sqlalchemy import select

from app.clients.models import Client, ClientAssignment
from app.volunteers.models import MentorPair, PairMembership
from tests.pairs.conftest import fresh


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_record_shows_referral_pair_and_timeline(office, clients_by_name, raise_concern):
    margaret = clients_by_name["Margaret Hill"]
    concern_id = raise_concern("amira@demo.test", margaret, details="No heating in the flat.", urgency="urgent")
    html = office().get(f"/office/clients/{margaret.id}").get_data(as_text=True)
    text = text_of(html)
    assert "Margaret Hill (Maggie)" in text and "afraid to go out" in text and "with pair North" in text
    assert "Goal: Walk to the corner shop" in text and "Visit" in text
    assert f'href="/office/safeguarding/{concern_id}"' in html
    assert "None" not in text and "null" not in text
    # Newest first: the concern was raised now; the goal before it.
    assert text.index("Safeguarding concern") < text.index("Goal: Walk")
    only = text_of(office().get(f"/office/clients/{margaret.id}?type=concern").get_data(as_text=True))
    assert "Safeguarding concern" in only and "Goal: Walk" not in only


def test_another_areas_coordinator_gets_404_and_cannot_assign(office, other_area_coordinator, clients_by_name,
                                                              pairs_by_name, session):
    margaret, south = clients_by_name["Margaret Hill"], pairs_by_name["South"]
    stranger = office(other_area_coordinator)
    assert stranger.get(f"/office/clients/{margaret.id}").status_code == 404
    response = stranger.post_form("/office/pairs/", f"/office/clients/{margaret.id}/assign",
                                  {"pair_id": str(south.id), "reason": "Taking over."})
    assert response.status_code == 404
    assert stranger.post_form("/office/pairs/", f"/office/clients/{margaret.id}/close",
                              {"reason": "Closing."}).status_code == 404
    assert fresh(session, Client, margaret.id).status == "active"
    assert office("admin@demo.test").get(f"/office/clients/{margaret.id}").status_code == 200


def test_reassign_needs_a_reason_which_is_kept_and_the_old_pair_loses_the_client(
        office, clients_by_name, pairs_by_name, phone, session):
    margaret, south = clients_by_name["Margaret Hill"], pairs_by_name["South"]
    amira, chloe = phone("amira@demo.test"), phone("chloe@demo.test")
    amira.pull_all(), chloe.pull_all()
    coordinator = office()
    page = f"/office/clients/{margaret.id}"
    response = coordinator.post_form(page, f"{page}/assign", {"pair_id": str(south.id), "reason": "  "})
    assert response.status_code == 400
    assert '<a href="#assign-reason">Enter the reason for moving the client to another pair</a>' in \
        response.get_data(as_text=True)
    response = coordinator.post_form(page, f"{page}/assign",
                                     {"pair_id": str(south.id), "reason": "Amira is moving away."})
    assert response.status_code == 303
    text = text_of(coordinator.get(page).get_data(as_text=True))
    assert "Margaret Hill moved to pair South" in text and "Amira is moving away." in text
    session.rollback()
    ended = session.scalar(select(ClientAssignment).where(ClientAssignment.client_id == margaret.id,
                                                          ClientAssignment.ended_at.is_not(None)))
    assert ended.end_reason == "Amira is moving away."
    _, removed, _ = amira.pull_all()
    assert {"kind": "client", "id": str(margaret.id)} in removed
    changes, _, _ = chloe.pull_all()
    assert any(c["kind"] == "client" and c["id"] == str(margaret.id) for c in changes)


def test_assign_refuses_a_pair_of_another_area_and_a_pair_with_an_uncleared_member(
        office, clients_by_name, pairs_by_name, volunteer, session, app):
    from app.db import db
    from app.areas.models import Area

    margaret, south = clients_by_name["Margaret Hill"], pairs_by_name["South"]
    with app.app_context():
        darlington = db.session.scalar(select(Area).where(Area.name == "Darlington"))
        far = MentorPair(name="Far", area_id=darlington.id)
        db.session.add(far)
        db.session.commit()
        far_id = far.id
    coordinator = office()
    page = f"/office/clients/{margaret.id}"
    response = coordinator.post_form(page, f"{page}/assign", {"pair_id": str(far_id), "reason": "Why not."})
    assert response.status_code == 409 and "The pair works in another area." in response.get_data(as_text=True)
    # Dev's checks lapse: South's members are no longer both cleared.
    fay = volunteer("fay@demo.test", "Fay Brown", cleared=False)
    with app.app_context():
        dev = db.session.scalar(select(PairMembership).join(PairMembership.user)
                                .where(PairMembership.pair_id == south.id, PairMembership.left_at.is_(None))
                                .order_by(PairMembership.joined_at.desc()))
        dev.left_at = dev.joined_at
        db.session.add(PairMembership(pair_id=south.id, user_id=fay))
        db.session.commit()
    response = coordinator.post_form(page, f"{page}/assign", {"pair_id": str(south.id), "reason": "Why not."})
    assert response.status_code == 409
    assert "Fay Brown is not cleared to meet clients" in response.get_data(as_text=True)
    assert 'Why not.</textarea>' in response.get_data(as_text=True)
    session.rollback()
    current = session.scalar(select(ClientAssignment).where(ClientAssignment.client_id == margaret.id,
                                                            ClientAssignment.ended_at.is_(None)))
    assert current.pair_id == pairs_by_name["North"].id


def test_close_a_case_with_a_reason(office, clients_by_name, phone, session):
    george = clients_by_name["George Turner"]
    ben = phone("ben@demo.test")
    ben.pull_all()
    coordinator = office()
    page = f"/office/clients/{george.id}"
    response = coordinator.post_form(page, f"{page}/close", {"reason": ""})
    assert response.status_code == 400 and '<a href="#close-reason">' in response.get_data(as_text=True)
    assert fresh(session, Client, george.id).status == "active"
    assert coordinator.post_form(page, f"{page}/close", {"reason": "Goals met; moving on."}).status_code == 303
    client = fresh(session, Client, george.id)
    assert client.status == "closed" and client.decision_reason == "Goals met; moving on."
    assert session.scalar(select(ClientAssignment.end_reason).where(ClientAssignment.client_id == george.id)) \
        == "Goals met; moving on."
    _, removed, _ = ben.pull_all()
    assert {"kind": "client", "id": str(george.id)} in removed
    text = text_of(coordinator.get(page).get_data(as_text=True))
    assert "Closed" in text and "Close the case" not in text


def test_the_reassign_service_itself_needs_a_reason(app, demo, clients_by_name, pairs_by_name):
    from datetime import date

    import pytest

    from app.accounts.models import User
    from app.clients import services
    from app.db import db

    with app.app_context():
        client = db.session.get(Client, clients_by_name["Margaret Hill"].id)
        south = db.session.get(MentorPair, pairs_by_name["South"].id)
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
        with pytest.raises(services.ClientError, match="Enter the reason for moving them to another pair."):
            services.assign_to_pair(db.session, client, south, coordinator, date.today(), reason=" ")


def test_a_visit_not_checked_out_in_time_stands_out_on_the_timeline(office, clients_by_name, session):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    from app.fieldwork.models import Visit

    margaret = clients_by_name["Margaret Hill"]
    start = datetime.now(timezone.utc) - timedelta(hours=2)
    session.execute(update(Visit).where(Visit.client_id == margaret.id).values(
        scheduled_start_at=start, scheduled_start=start.isoformat(timespec="seconds"), duration_minutes=60,
        checked_in_at=start.isoformat(timespec="seconds")))
    session.commit()
    text = text_of(office().get(f"/office/clients/{margaret.id}").get_data(as_text=True))
    assert "Visit Not checked out" in text and "Checked in" in text
