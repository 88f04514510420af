"""Bad input is refused with a clear 4xx, never a 500 (issue 12, item 5).

Text that cannot be stored (a lone UTF-16 surrogate, a NUL), JSON nested
absurdly deep, NaN, and batches naming more ids than a database takes in
one statement. Inside a push batch a bad mutation is rejected on its own and
the rest of the batch applies. SQLite and PostgreSQL refuse the same values.
"""
import json
import uuid

import pytest
from sqlalchemy import func, select

from app.fieldwork.models import Goal, Visit
from tests.sync.conftest import mutation, new_visit

SURROGATE = "\ud800"
NUL = "\u0000"
BAD_TEXT = pytest.mark.parametrize("bad", [SURROGATE, "ok " + NUL + " ok", "\udfff tail"], ids=["surrogate", "nul", "low"])


def count(session, model):
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def raw_post(api_client, url, body: str, method="post"):
    """Send ``body`` exactly (the test client's json= would re-encode it)."""
    send = getattr(api_client.client, method)
    return send(url, data=body, content_type="application/json", headers=api_client._headers())


# -- push: one bad mutation, the rest apply ----------------------------------
@BAD_TEXT
def test_bad_text_in_changes_rejects_only_that_mutation(phone, margaret, session, bad):
    amira = phone("amira@demo.test")
    good_before = mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id))
    bad_one = mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id, notes=f"note {bad}"))
    good_after = mutation("goal", uuid.uuid4(), "create", {"client_id": str(margaret.id), "title": "Walk"})
    results = amira.push(good_before, bad_one, good_after)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["mutation_id"] == bad_one["mutation_id"]
    assert list(results[1]["errors"]) == ["notes"]
    assert "cannot be stored" in results[1]["errors"]["notes"][0]
    assert count(session, Visit) >= 1 and count(session, Goal) >= 1
    session.rollback()
    assert session.get(Visit, uuid.UUID(bad_one["id"])) is None
    assert session.get(Visit, uuid.UUID(good_before["id"])) is not None


@BAD_TEXT
def test_bad_text_in_base_keys_or_envelope_rejects_only_that_mutation(phone, margaret, bad):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    [created] = amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    assert created["status"] == "applied"
    in_base = mutation("visit", vid, "update", {"notes": "x"}, base={"notes": bad}, base_rev=1)
    in_key = mutation("visit", vid, "update", {f"no{bad}tes": "x"}, base_rev=1)
    in_kind = mutation("visit", vid, "update", {"notes": "y"}, base_rev=1)
    in_kind["kind"] = f"visit{bad}"
    nested = mutation("visit", vid, "update", {"notes": ["a", {"b": bad}]}, base_rev=1)
    fine = mutation("visit", vid, "update", {"notes": "fine"}, base={"notes": "first notes"}, base_rev=1)
    results = amira.push(in_base, in_key, in_kind, nested, fine)
    assert [r["status"] for r in results] == ["rejected"] * 4 + ["applied"]
    assert list(results[0]["errors"]) == ["notes"]
    assert list(results[1]["errors"]) == ["changes"]  # the key itself is never echoed
    assert list(results[2]["errors"]) == ["kind"]
    assert list(results[3]["errors"]) == ["notes"]


def test_bad_text_in_a_mutation_id_is_rejected_without_echoing_it(phone, margaret):
    amira = phone("amira@demo.test")
    m = mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id))
    m["mutation_id"] = SURROGATE
    [result] = amira.push(m)
    assert result["status"] == "rejected" and result["mutation_id"] is None
    assert "mutation_id" in result["errors"]


def test_a_rejected_bad_text_mutation_is_answered_the_same_when_resent(phone, margaret):
    """The phone resends what it did not see answered: it must get the same rejection, not a 500."""
    amira = phone("amira@demo.test")
    bad_one = mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id, location=SURROGATE))
    first = amira.push(bad_one)
    assert amira.push(bad_one) == first and first[0]["status"] == "rejected"


# -- other JSON endpoints: the whole request is refused with 422 -------------
@BAD_TEXT
@pytest.mark.parametrize("field", ["email", "password"])
def test_bad_text_in_sign_in_is_422(api, demo, bad, field):
    c = api()
    body = {"email": "amira@demo.test", "password": "whatever"}
    body[field] = body[field] + bad
    response = c.client.post("/api/session", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]


@BAD_TEXT
def test_bad_text_in_a_webpush_subscription_is_422(api, demo, bad, session):
    amira = api("amira@demo.test")
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc",
            "keys": {"p256dh": "B" * 86 + bad, "auth": "A" * 22}}
    response = amira.post("/api/webpush/subscriptions", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "keys" in response.get_json()["error"]["fields"]
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc" + bad}
    response = amira.delete("/api/webpush/subscriptions", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)


def test_bad_text_in_reminder_preferences_is_422(api, demo):
    amira = api("amira@demo.test")
    response = amira.client.put("/api/reminders/preferences", headers=amira._headers(),
                                json={"enabled": True, "evening_time": "18:00" + NUL, "minutes_before": 60})
    assert response.status_code == 422


# -- JSON that is not worth reading -------------------------------------------
DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["list", "object"])
@pytest.mark.parametrize("url,method", [("/api/sync/push", "post"), ("/api/session", "post"),
                                        ("/api/webpush/subscriptions", "post"),
                                        ("/api/reminders/preferences", "put")])
def test_json_nested_too_deep_is_400(api, demo, body, url, method):
    amira = api("amira@demo.test")
    response = raw_post(amira, url, body, method)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_deep_json_inside_one_mutation_is_400_not_500(phone, margaret):
    amira = phone("amira@demo.test")
    deep = json.loads("[" * 60 + "]" * 60)
    for _ in range(10):
        deep = [[[[[[deep]]]]]]
    body = {"device_id": amira.device_id, "schema_version": 1,
            "mutations": [mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id, notes=deep))]}
    response = amira.api.post("/api/sync/push", json=body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"


def test_nesting_a_phone_sends_is_fine(phone, margaret):
    amira = phone("amira@demo.test")
    [result] = amira.push(mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id, notes=[[[["x"]]]])))
    assert result["status"] == "rejected" and "notes" in result["errors"]  # not text: the field says so


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(phone, margaret, constant):
    amira = phone("amira@demo.test")
    m = mutation("visit", uuid.uuid4(), "update", {"notes": "x"}, base_rev=1)
    text = json.dumps({"device_id": amira.device_id, "schema_version": 1, "mutations": [m]})
    text = text.replace('"base": {}', f'"base": {{"notes": {constant}}}')
    assert constant in text
    response = raw_post(amira.api, "/api/sync/push", text)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"


# -- more ids than a statement takes -------------------------------------------
def test_a_batch_resolving_70000_conflicts_is_answered(phone, margaret):
    """resolves: 100 ids per mutation, 700 mutations: over PostgreSQL's 65,535 parameters."""
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    batch = [mutation("visit", vid, "create", new_visit(margaret.id))]
    batch += [mutation("visit", vid, "update", {"notes": f"n{i}"}, base_rev=1,
                       resolves=[uuid.uuid4() for _ in range(100)]) for i in range(700)]
    results = amira.push(*batch)
    assert results[0]["status"] == "applied"
    assert {r["status"] for r in results[1:]} == {"rejected"}
    assert all("resolves" in r["errors"] for r in results[1:])


def test_a_batch_of_1000_deletes_with_new_ids_is_answered(phone, margaret):
    amira = phone("amira@demo.test")
    batch = [mutation("visit", uuid.uuid4(), "delete", base_rev=1) for _ in range(1000)]
    results = amira.push(*batch)
    assert {r["status"] for r in results} == {"rejected"}


def test_a_bad_key_of_the_mutation_itself_is_a_mutation_error(phone, margaret):
    amira = phone("amira@demo.test")
    m = mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id))
    m[NUL] = 1
    [result] = amira.push(m)
    assert result["status"] == "rejected" and list(result["errors"]) == ["_mutation"]
