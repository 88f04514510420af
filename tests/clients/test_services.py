"""Office services for clients (app/clients/services.py)."""
import pytest
from sqlalchemy import select

from app.accounts.services import find_by_email
from app.areas.models import Area
from app.clients.models import Client
from app.clients.services import ClientError, assign_client, current_assignment
from app.volunteers.models import MentorPair


def test_a_client_is_assigned_only_to_a_pair_of_its_own_area(session, demo):
    coordinator = find_by_email(session, "coordinator@demo.test")
    darlington = session.scalar(select(Area).where(Area.name == "Darlington"))
    elsewhere = Client(area_id=darlington.id, status="active", name="Someone In Darlington")
    session.add(elsewhere)
    session.flush()
    north = session.scalar(select(MentorPair).where(MentorPair.name == "North"))
    assert north.area_id != darlington.id

    with pytest.raises(ClientError, match="another area"):
        assign_client(session, elsewhere, north, coordinator)
    assert current_assignment(session, elsewhere) is None


def test_a_client_is_not_assigned_to_a_pair_that_has_stopped(session, demo):
    coordinator = find_by_email(session, "coordinator@demo.test")
    george = session.scalar(select(Client).where(Client.name == "George Turner"))
    south = session.scalar(select(MentorPair).where(MentorPair.name == "South"))
    before = current_assignment(session, george).pair_id
    south.active = False
    session.flush()

    with pytest.raises(ClientError, match="not active"):
        assign_client(session, george, south, coordinator)
    assert current_assignment(session, george).pair_id == before
