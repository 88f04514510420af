"""Concurrency on PostgreSQL: writers in parallel, and a pull racing a slow commit.

These need a real PostgreSQL server (TEST_DATABASE_URL); CI always has one.
"""
import threading
import uuid

import pytest
from sqlalchemy import select

from app.fieldwork.models import Visit
from app.sync.changes import stamp
from tests.sync.conftest import mutation, new_visit


@pytest.fixture
def database_url(pg_database_url):
    """Overrides the two-backend fixture: these tests are PostgreSQL only."""
    return pg_database_url


def run_together(*actions):
    barrier = threading.Barrier(len(actions))
    errors = []

    def runner(action):
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as err:  # reported below, with the thread's error
            errors.append(err)

    threads = [threading.Thread(target=runner, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def test_concurrent_pushes_to_one_record_lose_no_field(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    for round_ in range(15):
        vid = uuid.uuid4()
        amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
        results = {}

        def amira_edits():
            results["a"] = amira.push(mutation("visit", vid, "update", {"notes": f"A{round_}", "location": "Cafe"},
                                               base={"notes": "first notes", "location": "Home"}, base_rev=1))

        def ben_edits():
            results["b"] = ben.push(mutation("visit", vid, "update", {"duration_minutes": 50 + round_, "status": "completed"},
                                             base={"duration_minutes": None, "status": "planned"}, base_rev=1))

        run_together(amira_edits, ben_edits)
        assert {results["a"][0]["status"], results["b"][0]["status"]} == {"applied", "merged"}
        session.rollback()
        row = session.get(Visit, vid)
        assert (row.notes, row.location, row.duration_minutes, row.status, row.rev) == (
            f"A{round_}", "Cafe", 50 + round_, "completed", 3)


def test_concurrent_same_field_edits_give_exactly_one_conflict(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    results = {}
    run_together(
        lambda: results.setdefault("a", amira.push(mutation("visit", vid, "update", {"notes": "A"}, base={"notes": "first notes"}, base_rev=1))),
        lambda: results.setdefault("b", ben.push(mutation("visit", vid, "update", {"notes": "B"}, base={"notes": "first notes"}, base_rev=1))),
    )
    statuses = sorted(r[0]["status"] for r in results.values())
    assert statuses == ["applied", "conflict"]
    conflicts = amira.pull(cursor=None)["conflicts"]
    assert len(conflicts) == 1 and {conflicts[0]["mine"], conflicts[0]["theirs"]} == {"A", "B"}


def test_pull_never_steps_over_a_transaction_that_commits_late(app, phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    ben.pull_all()
    visit = session.scalar(select(Visit).where(Visit.client_id == margaret.id))

    # A slow office-side write takes its change number first and commits last.
    slow = app.extensions["database"]["sessionmaker"]()
    slow_visit = slow.get(Visit, visit.id)
    slow_visit.notes = "written slowly"
    stamp(slow, slow_visit)
    slow.flush()

    # Meanwhile a phone pushes: it queues behind the slow writer for its number.
    pushed = {}
    goal_id = uuid.uuid4()
    pusher = threading.Thread(target=lambda: pushed.setdefault("r", amira.push(
        mutation("goal", goal_id, "create", {"client_id": str(margaret.id), "title": "Fast"}))))
    pusher.start()
    pusher.join(timeout=1.0)
    assert pusher.is_alive(), "the push should wait for the slow writer's change number"

    # A pull now sees neither and must not move its cursor past either.
    during = ben.pull()
    assert during["changes"] == []

    slow.commit()
    slow.close()
    pusher.join(timeout=30)
    assert pushed["r"][0]["status"] == "applied"

    after = ben.pull()
    got = {c["id"]: c for c in after["changes"]}
    assert got[str(visit.id)]["data"]["notes"] == "written slowly"
    assert str(goal_id) in got
