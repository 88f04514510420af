"""A world with a client of every kind of record (tests/authorisation_fixtures.py),
made through the office's forms and the real sync push, on each backend."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.data_protection.personal_data import CLIENT, TABLES
from app.db import Base

from tests.authorisation_fixtures import build_world, marker
from tests.sync.conftest import mutation
from tests.webpush.test_subscriptions_api import Browser


@pytest.fixture
def world(app, tmp_path):
    app.config["RECEIPTS_DIR"] = str(tmp_path / "receipts")
    return build_world(app)


def signed_in(app, world, role):
    """A test client carrying the cookies ``role`` got at its own sign-in."""
    client = app.test_client()
    for name, value in world.cookies[role].items():
        client.set_cookie(name, value)
    return client


def rows_about(app, subject, subject_id) -> dict[str, list[dict]]:
    """What the database holds that names the subject, found without the
    export's code: for every table of the subject's kind in the map, the
    rows whose owner column is the subject (or, for a table with none, whose
    foreign key points at such a row); and every row of any table with a
    foreign key straight at the subject."""
    start = "clients" if subject == CLIENT else "users"
    found = {}
    with app.extensions["database"]["engine"].connect() as conn:
        own_ids = {str(subject_id)}
        for name, entry in TABLES.items():
            if entry.owner == subject and entry.owner_column:
                table = Base.metadata.tables[name]
                rows = [dict(r) for r in conn.execute(select(table).where(
                    table.c[entry.owner_column] == subject_id)).mappings()]
                found[name] = rows
                own_ids |= {str(r[c.name]) for r in rows for c in table.primary_key.columns}
        for name, entry in TABLES.items():
            table = Base.metadata.tables[name]
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                reached_own = entry.owner == subject and entry.owner_column is None and TABLES[parent].owner == subject
                if parent == start or reached_own:
                    rows = [dict(r) for r in conn.execute(select(table)).mappings()
                            if r[fk.parent.name] is not None and str(r[fk.parent.name]) in own_ids]
                    found.setdefault(name, []).extend(rows)
    return found


def more_of_area_a(app, world):
    """What the world lacks for client A: a conflict (two mentors editing
    one goal at once), and for mentor 1 reminder settings and a browser
    subscribed to reminders."""
    a1, a2 = signed_in(app, world, "mentor_a1"), signed_in(app, world, "mentor_a2")
    for phone, title in ((a1, f"Walk daily {marker('A')}"), (a2, f"Walk twice {marker('A')}")):
        csrf = phone.get("/api/session").get_json()["csrf_token"]
        r = phone.post("/api/sync/push", headers={"X-CSRF-Token": csrf}, json={
            "device_id": str(uuid.uuid4()), "schema_version": 1,
            "mutations": [mutation("goal", world.a.records["goal"], "update", {"title": title},
                                   base={"title": f"Goal {marker('A')}"}, base_rev=1)]})
        assert r.status_code == 200, r.get_data(as_text=True)
    csrf = a1.get("/api/session").get_json()["csrf_token"]
    r = a1.put("/api/reminders/preferences", headers={"X-CSRF-Token": csrf},
               json={"enabled": True, "evening_time": "19:00", "minutes_before": 30})
    assert r.status_code == 200, r.get_data(as_text=True)
    r = a1.post("/api/webpush/subscriptions", headers={"X-CSRF-Token": csrf},
                json=Browser("https://fcm.googleapis.com/fcm/send/subject-access").subscription)
    assert r.status_code == 201, r.get_data(as_text=True)
