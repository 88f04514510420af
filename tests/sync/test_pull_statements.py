"""What a pull costs the database: the same few statements whatever the
number of kinds or owners (app/sync/pull.py). On a busy server the round
trips, not any one query, set a pull's time (docs/operations.md, "Load test")."""
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from app.accounts.services import find_by_email
from app.clients.services import assign_client
from app.sync import pull as pulling
from app.sync.kinds import KINDS
from app.volunteers.models import MentorPair
from tests.sync.conftest import goal_conflict, mutation, new_visit


# The engine's own statements in a pull: the sign-in, the change counter, the
# changes of every kind, the scope events, the owners still in scope and the
# records of those that left, and the conflicts. What features add comes on
# top and is left out here: their sections (the pair, the mileage) and the
# audit rows of the owners served (one INSERT on PostgreSQL; on SQLite
# SQLAlchemy sends one per row).
ENGINE_STATEMENTS = 7


# Transaction control: SQLite's is sent as statements (app/db.py), PostgreSQL's is not.
TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK"}


@contextmanager
def counting(app):
    """Collect the SQL statements sent while the block runs."""
    sent = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.strip().upper() not in TRANSACTION:
            sent.append(statement)

    engine = app.extensions["database"]["engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def engine_only(monkeypatch):
    """Pulls without the features' sections and listeners: only the engine is counted."""
    monkeypatch.setattr(pulling, "SECTIONS", {})
    monkeypatch.setattr(pulling, "SERVED_HOOKS", [])


def busy_pull(app, phone, session, clients_by_name):
    """Statements of Amira's pull after every part of a pull has work: new
    records of several kinds, an open and a settled conflict, and a client
    (with its records) that left her pair."""
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    margaret, george = clients_by_name["Margaret Hill"], clients_by_name["George Turner"]
    amira.pull_all()
    goal_conflict(amira, ben, margaret.id)
    settled_goal, settled = goal_conflict(amira, ben, margaret.id)
    [kept] = ben.push(mutation("goal", settled_goal, "update", {}, base_rev=2, resolves=[settled]))
    assert kept["status"] == "applied"
    visit = uuid.uuid4()
    amira.push(mutation("visit", visit, "create", new_visit(margaret.id)),
               mutation("problem", uuid.uuid4(), "create", {"client_id": str(margaret.id), "scanning": "Stairs"}),
               mutation("progress", uuid.uuid4(), "create", {"goal_id": str(settled_goal), "score": 3}))
    south = session.scalar(select(MentorPair).where(MentorPair.name == "South"))
    assign_client(session, george, south, find_by_email(session, "coordinator@demo.test"))
    session.commit()
    cursor = amira.cursor
    with counting(app) as sent:
        body = amira.pull()
    assert body["removed"] and body["conflicts"] and body["settled"] and len(body["changes"]) >= 4
    assert len({change["kind"] for change in body["changes"]}) >= 3
    return sent, amira, cursor


def test_a_pull_with_work_in_every_part_costs_at_most_the_engines_statements(app, phone, session, clients_by_name,
                                                                             engine_only):
    sent, _, _ = busy_pull(app, phone, session, clients_by_name)
    assert len(sent) <= ENGINE_STATEMENTS, "\n".join(sent)


def test_a_pull_costs_the_same_statements_with_one_kind_as_with_all(app, phone, session, clients_by_name,
                                                                   engine_only, monkeypatch):
    with_all, amira, cursor = busy_pull(app, phone, session, clients_by_name)
    # The same pull again from the same cursor, the engine knowing one kind only.
    monkeypatch.setattr(pulling, "KINDS", {"visit": KINDS["visit"]})
    with counting(app) as with_one:
        body = amira.pull(cursor=cursor)
    assert {change["kind"] for change in body["changes"]} == {"visit"}
    assert {record["kind"] for record in body["removed"]} == {"visit"}
    assert len(KINDS) > 5 and len(with_one) == len(with_all), "\n".join(with_all)


def test_a_coordinators_snapshot_of_many_owners_costs_at_most_the_engines_statements(app, phone, engine_only):
    coordinator = phone("coordinator@demo.test")
    with counting(app) as sent:
        changes, _, _ = coordinator.pull_all()
    owners = {change["data"].get("client_id", change["id"]) for change in changes if change["data"]}
    assert len(owners) >= 3
    assert len(sent) <= ENGINE_STATEMENTS, "\n".join(sent)
