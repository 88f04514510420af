"""Wellbeing checks (SWEMWBS) through the real sync API: the scores the
server works out (hand-checked against the published table), and every bad
input refused per mutation, with words, and nothing saved."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import days
from app.wellbeing.models import WellbeingScore
from tests.sync.conftest import mutation

YESTERDAY = (days.today() - timedelta(days=1)).isoformat()


def write_once_message():
    # Imported in the test: importing a kinds module at collection would
    # register its kind before the app's others (app/features.py keeps the order).
    from app.wellbeing.kinds import WRITE_ONCE

    return WRITE_ONCE


def check(client_id, answers=(3, 3, 3, 3, 3, 3, 3), **fields):
    changes = {"client_id": str(client_id), "recorded_on": YESTERDAY, "occasion": "referral"}
    changes.update({f"q{n}": a for n, a in enumerate(answers, start=1)})
    changes.update(fields)
    return {k: v for k, v in changes.items() if v is not ...}


def count(session):
    session.rollback()
    return session.scalar(select(func.count()).select_from(WellbeingScore))


# Worked out by hand: the sum of the answers, then the table in docs/domain.md.
@pytest.mark.parametrize("answers, raw, metric", [
    ((1, 1, 1, 1, 1, 1, 1), 7, 700),
    ((2, 2, 2, 2, 2, 2, 3), 15, 1584),
    ((3, 3, 3, 3, 3, 3, 3), 21, 1925),
    ((4, 3, 5, 2, 4, 3, 4), 25, 2235),
    ((5, 5, 5, 5, 5, 5, 4), 34, 3255),
    ((5, 5, 5, 5, 5, 5, 5), 35, 3500),
])
def test_a_check_is_scored_on_the_server_and_comes_down_to_both_phones(phone, margaret, session, answers, raw, metric):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    ben.pull_all()
    sid = uuid.uuid4()
    [result] = amira.push(mutation("wellbeing", sid, "create", check(margaret.id, answers, occasion="review")))
    assert result["status"] == "applied", result
    row = session.get(WellbeingScore, sid)
    assert (row.raw_score, row.metric_hundredths) == (raw, metric)
    assert [row.q1, row.q7] == [answers[0], answers[6]]
    changes, _, _ = ben.pull_all()
    [pulled] = [c for c in changes if c["kind"] == "wellbeing"]
    assert pulled["data"] == {"client_id": str(margaret.id), "recorded_on": YESTERDAY, "occasion": "review",
                              **{f"q{n}": a for n, a in enumerate(answers, start=1)},
                              "raw_score": raw, "metric_hundredths": metric}


Q7 = "Question 7 (“I've been able to make up my own mind about things”): choose an answer from 1 (none of the time) to 5 (all of the time)."
Q1 = "Question 1 (“I've been feeling optimistic about the future”): choose an answer from 1 (none of the time) to 5 (all of the time)."


@pytest.mark.parametrize("changes, errors", [
    (dict(answers=(3, 3, 3, 3, 3, 3)), {"q7": [Q7]}),                       # six answers
    (dict(answers=(0, 3, 3, 3, 3, 3, 3)), {"q1": [Q1]}),
    (dict(answers=(3, 3, 3, 3, 3, 3, 6)), {"q7": [Q7]}),
    (dict(answers=(2.5, 3, 3, 3, 3, 3, 3)), {"q1": [Q1]}),
    (dict(answers=(True, 3, 3, 3, 3, 3, 3)), {"q1": [Q1]}),
    (dict(answers=("3", 3, 3, 3, 3, 3, 3)), {"q1": [Q1]}),
    (dict(answers=(None, 3, 3, 3, 3, 3, 3)), {"q1": [Q1]}),
    (dict(recorded_on=...), {"recorded_on": ["Give the day the wellbeing check was taken."]}),
    (dict(recorded_on=None), {"recorded_on": ["Give the day the wellbeing check was taken."]}),
    (dict(recorded_on=(days.today() + timedelta(days=1)).isoformat()),
     {"recorded_on": ["The day of the check cannot be in the future."]}),
    (dict(occasion="whenever"), {"occasion": [
        "Say when in support the check was taken: at referral, a 3-monthly review, or closure."]}),
    (dict(occasion=...), {"occasion": [
        "Say when in support the check was taken: at referral, a 3-monthly review, or closure."]}),
    (dict(raw_score=35), {"raw_score": ["Unknown field."]}),                # worked out on the server only
    (dict(metric_hundredths=3500), {"metric_hundredths": ["Unknown field."]}),
    (dict(q8=3), {"q8": ["Unknown field."]}),
])
def test_bad_input_is_refused_with_words_and_nothing_is_saved(phone, margaret, session, changes, errors):
    amira = phone("amira@demo.test")
    good_id = uuid.uuid4()
    results = amira.push(mutation("wellbeing", uuid.uuid4(), "create", check(margaret.id, **changes)),
                         mutation("wellbeing", good_id, "create", check(margaret.id)))
    assert results[0]["status"] == "rejected"
    assert results[0]["errors"] == errors
    assert results[1]["status"] == "applied"  # the batch goes on: one refusal per mutation
    assert count(session) == 1


def test_every_missing_answer_is_named(phone, margaret, session):
    amira = phone("amira@demo.test")
    changes = check(margaret.id, answers=())
    [result] = amira.push(mutation("wellbeing", uuid.uuid4(), "create", changes))
    assert result["status"] == "rejected"
    assert sorted(result["errors"]) == [f"q{n}" for n in range(1, 8)]
    assert count(session) == 0


def test_a_check_cannot_be_changed_or_deleted_from_a_phone(phone, margaret, session):
    amira = phone("amira@demo.test")
    sid = uuid.uuid4()
    amira.push(mutation("wellbeing", sid, "create", check(margaret.id)))
    results = amira.push(mutation("wellbeing", sid, "update", {"q1": 5}, base={"q1": 3}, base_rev=1),
                         mutation("wellbeing", sid, "delete", base_rev=1))
    assert [r["errors"] for r in results] == [{"op": [write_once_message()]}] * 2
    session.rollback()
    row = session.get(WellbeingScore, sid)
    assert (row.q1, row.raw_score, row.deleted_at) == (3, 21, None)


def test_another_pairs_client_is_refused(phone, clients_by_name, session):
    chloe = phone("chloe@demo.test")
    [result] = chloe.push(mutation("wellbeing", uuid.uuid4(), "create", check(clients_by_name["Margaret Hill"].id)))
    assert result["status"] == "rejected"
    assert result["errors"] == {"client_id": ["You cannot see or change records of this client."]}
    assert count(session) == 0


def test_the_contract_tells_phones_the_fields_and_limits(client):
    from app.sync.contract import phone_contract

    kind = phone_contract()["kinds"]["wellbeing"]
    assert kind["write_once"] == write_once_message()
    assert kind["fields"][-2:] == ["raw_score", "metric_hundredths"]
    assert kind["limits"]["occasion"] == {"choices": ["referral", "review", "closure"]}
    assert kind["limits"]["q1"] == {"choices": [1, 2, 3, 4, 5]}
