"""Helpers for the safeguarding queue: concerns raised through the real sync
API, and office clients signed in through the real sign-in form."""
import re
import uuid

import pytest
from sqlalchemy import select

from app.accounts.services import create_user
from app.clients.models import Client
from app.fieldwork.models import Visit
from tests.conftest import DEMO_PASSWORD


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class Office:
    """A browser signed in to the office."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, email, password=DEMO_PASSWORD):
        token = form_token(self.client.get("/sign-in").get_data(as_text=True))
        response = self.client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post_form(self, page_url, action_url, data=None):
        """Post a form the way a browser does: with the token from the page."""
        token = form_token(self.client.get(page_url).get_data(as_text=True))
        return self.client.post(action_url, data={**(data or {}), "csrf_token": token})


@pytest.fixture
def office(app, demo):
    def make(email="coordinator@demo.test"):
        return Office(app.test_client()).sign_in(email)

    return make


@pytest.fixture
def other_area_coordinator(app, demo):
    from app.db import db

    with app.app_context():
        create_user(db.session, email="darlington@demo.test", name="Dana Darlington", role="coordinator",
                    password=DEMO_PASSWORD, area_name="Darlington")
        create_user(db.session, email="admin@demo.test", name="Ada Admin", role="admin", password=DEMO_PASSWORD)
        db.session.commit()
    return "darlington@demo.test"


@pytest.fixture
def clients_by_name(session, demo):
    clients = {c.name: c for c in session.scalars(select(Client))}
    # End the read: on SQLite a transaction that read before a request wrote
    # (a sign-in writes) could not write later in the test.
    session.commit()
    return clients


@pytest.fixture
def raise_concern(api, demo, session):
    """raise_concern(email, client, **fields) -> concern id, pushed as a phone does."""

    def make(email, client, visit=False, **fields):
        phone = api(email)
        concern_id = uuid.uuid4()
        changes = {"client_id": str(client.id), "category": "home_conditions", "details": "No heating.",
                   "urgency": "normal", **fields}
        if visit:
            changes["visit_id"] = str(session.scalar(select(Visit.id).where(Visit.client_id == client.id)))
            session.rollback()  # end the read: on SQLite it would hold back the API's writes
        response = phone.post("/api/sync/push", json={
            "device_id": str(uuid.uuid4()), "schema_version": 1,
            "mutations": [{"mutation_id": str(uuid.uuid4()), "kind": "concern", "id": str(concern_id),
                           "op": "create", "base_rev": None, "base": {}, "changes": changes}]})
        assert response.status_code == 200 and response.get_json()["results"][0]["status"] == "applied", \
            response.get_data(as_text=True)
        return concern_id

    return make
