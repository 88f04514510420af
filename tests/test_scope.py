"""One function decides who sees which clients (app/scope.py)."""
from datetime import datetime, timezone

from sqlalchemy import select

from app.accounts.services import create_user, find_by_email
from app.areas.models import Area
from app.clients.models import Client, ClientAssignment
from app.scope import clients_in_scope, may_access_client
from app.volunteers.models import MentorPair, PairMembership


def names(session, ids):
    return set(session.scalars(select(Client.name).where(Client.id.in_(ids))))


def user(session, email):
    return find_by_email(session, email)


def test_volunteer_sees_only_their_pairs_clients(session, demo):
    assert names(session, clients_in_scope(session, user(session, "amira@demo.test"))) == {"Margaret Hill", "George Turner"}
    assert names(session, clients_in_scope(session, user(session, "dev@demo.test"))) == {"Patricia Lowe", "Daniel Reed"}


def test_both_mentors_of_a_pair_share_the_scope(session, demo):
    assert clients_in_scope(session, user(session, "amira@demo.test")) == clients_in_scope(session, user(session, "ben@demo.test"))


def test_coordinator_sees_only_their_area(session, demo):
    darlington = session.scalar(select(Area).where(Area.name == "Darlington"))
    other = Client(area_id=darlington.id, status="active", name="Someone In Darlington")
    session.add(other)
    session.flush()
    coordinator = user(session, "coordinator@demo.test")
    scope = clients_in_scope(session, coordinator)
    assert len(scope) == 4 and other.id not in scope
    darlington_coordinator = create_user(session, email="dc@demo.test", name="DC", role="coordinator",
                                         password="long-enough-pw", area_name="Darlington")
    assert clients_in_scope(session, darlington_coordinator) == {other.id}


def test_admin_sees_everything(session, demo):
    admin = create_user(session, email="admin@demo.test", name="Admin", role="admin", password="long-enough-pw")
    assert len(clients_in_scope(session, admin)) == 4


def test_closed_client_leaves_the_volunteers_scope(session, demo):
    amira = user(session, "amira@demo.test")
    margaret = session.scalar(select(Client).where(Client.name == "Margaret Hill"))
    margaret.status = "closed"
    session.flush()
    assert names(session, clients_in_scope(session, amira)) == {"George Turner"}
    assert not may_access_client(session, amira, margaret.id)


def test_volunteer_who_leaves_the_pair_sees_nothing(session, demo):
    ben = user(session, "ben@demo.test")
    membership = session.scalar(select(PairMembership).where(PairMembership.user_id == ben.id))
    membership.left_at = datetime.now(timezone.utc)
    session.flush()
    assert clients_in_scope(session, ben) == set()
    assert len(clients_in_scope(session, user(session, "amira@demo.test"))) == 2


def test_inactive_pair_and_inactive_user_see_nothing(session, demo):
    chloe = user(session, "chloe@demo.test")
    south = session.scalar(select(MentorPair).where(MentorPair.name == "South"))
    south.active = False
    session.flush()
    assert clients_in_scope(session, chloe) == set()
    amira = user(session, "amira@demo.test")
    amira.active = False
    session.flush()
    assert clients_in_scope(session, amira) == set()


def test_reassignment_moves_the_client(session, demo):
    amira, dev = user(session, "amira@demo.test"), user(session, "dev@demo.test")
    george = session.scalar(select(Client).where(Client.name == "George Turner"))
    south = session.scalar(select(MentorPair).where(MentorPair.name == "South"))
    current = session.scalar(select(ClientAssignment).where(ClientAssignment.client_id == george.id))
    current.ended_at = datetime.now(timezone.utc)
    session.flush()
    session.add(ClientAssignment(client_id=george.id, pair_id=south.id))
    session.flush()
    assert not may_access_client(session, amira, george.id)
    assert may_access_client(session, dev, george.id)
