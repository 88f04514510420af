"""Helpers for sync tests: a phone-like client over the real HTTP API."""
import uuid

import pytest
from sqlalchemy import select

from app.clients.models import Client


def mutation(kind, record_id, op, changes=None, base=None, base_rev=None, resolves=None, mutation_id=None):
    m = {"mutation_id": str(mutation_id or uuid.uuid4()), "kind": kind, "id": str(record_id), "op": op,
         "base_rev": base_rev, "base": base or {}, "changes": changes or {}}
    if resolves:
        m["resolves"] = [str(r) for r in resolves]
    return m


class Phone:
    """One signed-in device."""

    def __init__(self, api_client):
        self.api = api_client
        self.device_id = str(uuid.uuid4())
        self.cursor = None

    def push(self, *mutations, expect=200):
        response = self.api.post("/api/sync/push", json={"device_id": self.device_id, "schema_version": 1,
                                                         "mutations": list(mutations)})
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.get_json()["results"] if expect == 200 else response.get_json()

    def pull(self, cursor="keep", limit=None):
        params = {}
        use = self.cursor if cursor == "keep" else cursor
        if use:
            params["cursor"] = use
        if limit:
            params["limit"] = limit
        response = self.api.get("/api/sync/pull", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        self.cursor = body["cursor"]
        return body

    def pull_all(self):
        """Pull until has_more is false; returns (changes, removed, conflicts)."""
        changes, removed = [], []
        while True:
            body = self.pull()
            changes += body["changes"]
            removed += body["removed"]
            if not body["has_more"]:
                return changes, removed, body["conflicts"]


@pytest.fixture
def phone(api, demo):
    def make(email):
        return Phone(api(email))

    return make


@pytest.fixture
def clients_by_name(session, demo):
    clients = {c.name: c for c in session.scalars(select(Client))}
    # End the read: on SQLite a transaction that read before a request wrote
    # (a sign-in writes) could not write later in the test.
    session.commit()
    return clients


@pytest.fixture
def margaret(clients_by_name):
    return clients_by_name["Margaret Hill"]


def new_visit(client_id, **fields):
    changes = {"client_id": str(client_id), "scheduled_start": "2026-12-01T10:30:00+00:00",
               "status": "planned", "notes": "first notes", "location": "Home"}
    changes.update(fields)
    return changes


def goal_conflict(amira, ben, client_id):
    """Amira and Ben change a goal's title from the same rev: Ben's edit is a conflict."""
    gid = uuid.uuid4()
    amira.push(mutation("goal", gid, "create", {"client_id": str(client_id), "title": "Walk"}))
    amira.push(mutation("goal", gid, "update", {"title": "Walk daily"}, base={"title": "Walk"}, base_rev=1))
    [c] = ben.push(mutation("goal", gid, "update", {"title": "Walk weekly"}, base={"title": "Walk"}, base_rev=1))
    assert c["status"] == "conflict"
    return gid, c["conflicts"][0]
