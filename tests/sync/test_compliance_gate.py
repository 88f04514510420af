"""Through the sync API: a pair with a lapsed member has its clients wiped from
its phones once, gets nothing more, is told why, and gets everything back
once the office records the renewed check."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

import app.scope
from app.accounts.services import find_by_email
from app.volunteers import compliance
from app.volunteers.lapses import recheck_pair_clearance, sweep
from app.volunteers.models import ComplianceCheck, MentorPair

DAY = date(2027, 3, 10)
LAPSED = DAY + timedelta(days=1)


def ids(records):
    return {r["id"] for r in records}


def client_ids(records):
    return {r["id"] for r in records if r["kind"] == "client"}


@pytest.fixture
def today(monkeypatch, session, demo):
    """The scheme's today, fixed; Ben's DBS check (pair North) lasts until DAY, all else never lapses."""
    session.query(ComplianceCheck).delete()
    for name in ("amira", "ben", "chloe", "dev"):
        person = find_by_email(session, f"{name}@demo.test")
        for kind in compliance.REQUIRED:
            session.add(ComplianceCheck(user_id=person.id, kind=kind, completed_on=DAY - timedelta(days=100),
                                        expires_on=DAY if (kind == "dbs" and name == "ben") else None))
    session.commit()
    state = {"day": DAY}
    monkeypatch.setattr(app.scope, "today", lambda: state["day"])
    return state


def test_a_lapsed_pairs_phones_get_removed_then_nothing_then_everything_back(phone, session, today):
    amira, ben, chloe = phone("amira@demo.test"), phone("ben@demo.test"), phone("chloe@demo.test")
    first, _, _ = amira.pull_all()
    ben.pull_all(), chloe.pull_all()
    assert len(client_ids(first)) == 2

    today["day"] = LAPSED  # midnight passes; the sweep runs
    assert sweep(session)["blocked"] == 1
    session.commit()
    changes, removed, _ = amira.pull_all()
    assert changes == [] and ids(removed) == ids(first)  # the clients and all their records
    _, removed_for_ben, _ = ben.pull_all()
    assert ids(removed_for_ben) == ids(first)
    assert chloe.pull_all()[:2] == ([], [])  # another pair: nothing happens

    sweep(session)
    session.commit()
    assert amira.pull_all()[:2] == ([], [])  # then nothing
    fresh, removed, _ = phone("amira@demo.test").pull_all()  # a new phone gets nothing either
    assert client_ids(fresh) == set() and removed == []

    ben_id = find_by_email(session, "ben@demo.test").id
    session.add(ComplianceCheck(user_id=ben_id, kind="dbs", completed_on=LAPSED, expires_on=LAPSED + timedelta(days=1095)))
    north = session.scalar(select(MentorPair).where(MentorPair.name == "North"))
    assert recheck_pair_clearance(session, north) is False  # what the office's check page calls
    session.commit()
    back, removed, _ = amira.pull_all()
    assert ids(back) == ids(first) and removed == []


def test_a_lapsed_pairs_phones_cannot_push_to_its_clients(phone, session, today, margaret):
    from tests.sync.conftest import mutation, new_visit
    import uuid

    amira = phone("amira@demo.test")
    amira.pull_all()
    today["day"] = LAPSED
    sweep(session)
    session.commit()
    results = amira.push(mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id)))
    assert results[0]["status"] == "rejected"


def test_the_pair_section_says_why(phone, session, today):
    amira = phone("amira@demo.test")
    assert amira.pull()["pair"]["cleared"] is True
    today["day"] = LAPSED
    pair = amira.pull()["pair"]  # before the sweep: the phone is already told why
    assert pair["name"] == "North" and [m["name"] for m in pair["members"]] == ["Amira Khan", "Ben Walker"]
    assert pair["cleared"] is False
    assert pair["missing"] == [{"name": "Ben Walker", "checks": ["DBS check"]}]
    assert pair["office"] == ["Carol Coordinator"]  # the area's coordinators, to call
    assert phone("chloe@demo.test").pull()["pair"]["cleared"] is True


def test_a_safeguarding_concern_from_a_lapsed_pair_still_reaches_the_office(phone, session, today, margaret):
    """A concern must never be turned away: it is taken, and the pair still sees nothing back."""
    import uuid

    from app.fieldwork.models import Concern
    from tests.sync.conftest import mutation

    amira, chloe = phone("amira@demo.test"), phone("chloe@demo.test")
    amira.pull_all()
    today["day"] = LAPSED
    sweep(session)
    session.commit()
    concern_id = uuid.uuid4()
    [raised] = amira.push(mutation("concern", concern_id, "create", {
        "client_id": str(margaret.id), "category": "home_conditions", "details": "No heating, and she is unwell.",
        "urgency": "urgent"}))
    assert raised["status"] == "applied"
    session.rollback()
    assert session.get(Concern, concern_id).urgency == "urgent"
    changes, _, _ = amira.pull_all()
    assert str(concern_id) not in ids(changes)  # raised, not shown back
    [refused] = chloe.push(mutation("concern", uuid.uuid4(), "create", {
        "client_id": str(margaret.id), "category": "other", "details": "Not my client."}))
    assert refused["status"] == "rejected"  # only the pair the client is assigned to
