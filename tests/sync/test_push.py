"""POST /api/sync/push: applying, merging, conflicts, rejections, idempotency."""
import uuid

import pytest
from sqlalchemy import func, select

from app.fieldwork.models import Concern, Goal, Progress, Visit
from app.sync.models import SyncConflict, SyncMutation
from tests.sync.conftest import mutation, new_visit


def count(session, model, **filters):
    session.rollback()  # end the read transaction: see what the requests committed
    return session.scalar(select(func.count()).select_from(model).filter_by(**filters))


def visit_row(session, visit_id):
    session.rollback()  # end the read transaction: see what the requests committed
    return session.get(Visit, visit_id)


def test_create_then_update_applies(phone, margaret, session):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    [created] = amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    assert created["status"] == "applied" and created["rev"] == 1
    [updated] = amira.push(mutation("visit", vid, "update", {"notes": "went well"}, base={"notes": "first notes"}, base_rev=1))
    assert updated == {"mutation_id": updated["mutation_id"], "status": "applied", "rev": 2}
    row = visit_row(session, vid)
    assert row.notes == "went well" and row.rev == 2
    assert str(row.created_by_id) == amira.api.get("/api/session").get_json()["user"]["id"]


def test_time_with_offset_is_kept_as_entered(phone, margaret, session):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id, scheduled_start="2026-07-01T10:30:00+01:00")))
    row = visit_row(session, vid)
    assert row.scheduled_start == "2026-07-01T10:30:00+01:00"
    assert row.scheduled_start_at.isoformat() == "2026-07-01T09:30:00+00:00"


def test_replayed_batch_writes_nothing_and_returns_identical_results(phone, margaret, session):
    amira = phone("amira@demo.test")
    vid, gid = uuid.uuid4(), uuid.uuid4()
    batch = [
        mutation("visit", vid, "create", new_visit(margaret.id)),
        mutation("visit", vid, "update", {"notes": "second"}, base={"notes": "first notes"}, base_rev=1),
        mutation("goal", gid, "create", {"client_id": str(margaret.id), "title": "Walk to the shop"}),
        mutation("visit", uuid.uuid4(), "create", {"client_id": str(margaret.id)}),  # rejected: no start time
    ]
    first = amira.push(*batch)
    assert [r["status"] for r in first] == ["applied", "applied", "applied", "rejected"]
    counts = (count(session, Visit), count(session, Goal), count(session, SyncMutation))
    again = amira.push(*batch)
    assert again == first
    assert (count(session, Visit), count(session, Goal), count(session, SyncMutation)) == counts
    assert visit_row(session, vid).rev == 2


def test_lost_response_after_commit_is_replayed_from_another_connection(phone, api, margaret, session):
    """The phone never saw the answer; it retries from a fresh session."""
    amira = phone("amira@demo.test")
    m = mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id))
    first = amira.push(m)
    retry = phone("amira@demo.test")
    retry.device_id = amira.device_id
    assert retry.push(m) == first
    assert count(session, Visit, id=uuid.UUID(m["id"])) == 1


def test_same_mutation_twice_in_one_batch_is_applied_once(phone, margaret, session):
    amira = phone("amira@demo.test")
    m = mutation("goal", uuid.uuid4(), "create", {"client_id": str(margaret.id), "title": "A"})
    results = amira.push(m, m)
    assert results[0] == results[1]
    assert count(session, Goal, id=uuid.UUID(m["id"])) == 1


def test_create_of_an_existing_record_with_the_same_content_is_a_replay(phone, margaret, session):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    [again] = amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    assert again["status"] == "applied" and again["rev"] == 1


def test_create_of_an_existing_record_with_other_content_merges_from_nothing(phone, margaret, session):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    [result] = amira.push(mutation("visit", vid, "create", new_visit(margaret.id, notes="other notes")))
    assert result["status"] == "conflict" and len(result["conflicts"]) == 1
    assert visit_row(session, vid).notes == "first notes"


def test_two_mentors_edit_different_fields_both_kept(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    # Both pulled rev 1, then went offline.
    a = amira.push(mutation("visit", vid, "update", {"notes": "Amira's notes"}, base={"notes": "first notes"}, base_rev=1))
    b = ben.push(mutation("visit", vid, "update", {"location": "Library"}, base={"location": "Home"}, base_rev=1))
    assert a[0]["status"] == "applied" and b[0]["status"] == "merged" and b[0]["rev"] == 3
    row = visit_row(session, vid)
    assert (row.notes, row.location) == ("Amira's notes", "Library")
    assert count(session, SyncConflict) == 0


def test_two_mentors_edit_the_same_field_one_conflict_nothing_lost(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "update", {"notes": "Amira's version"}, base={"notes": "first notes"}, base_rev=1))
    [result] = ben.push(mutation("visit", vid, "update", {"notes": "Ben's version", "duration_minutes": 45},
                                 base={"notes": "first notes", "duration_minutes": None}, base_rev=1))
    assert result["status"] == "conflict" and len(result["conflicts"]) == 1
    row = visit_row(session, vid)
    assert row.notes == "Amira's version" and row.duration_minutes == 45  # the clean field still applied
    session.rollback()
    conflict = session.get(SyncConflict, uuid.UUID(result["conflicts"][0]))
    assert (conflict.field, conflict.base, conflict.mine, conflict.theirs) == (
        "notes", "first notes", "Ben's version", "Amira's version")
    # Both mentors see it.
    for device in (amira, ben):
        conflicts = device.pull(cursor=None)["conflicts"]
        assert [c["id"] for c in conflicts] == result["conflicts"]
        assert conflicts[0]["mine"] == "Ben's version" and conflicts[0]["record_id"] == str(vid)


def test_resolving_a_conflict_converges_both_devices_in_one_pull(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.pull_all(), ben.pull_all()
    amira.push(mutation("visit", vid, "update", {"notes": "A"}, base={"notes": "first notes"}, base_rev=1))
    [c] = ben.push(mutation("visit", vid, "update", {"notes": "B"}, base={"notes": "first notes"}, base_rev=1))
    conflict_id = c["conflicts"][0]
    # Ben keeps his own version.
    [resolved] = ben.push(mutation("visit", vid, "update", {"notes": "B"}, base={"notes": "A"}, base_rev=2,
                                   resolves=[conflict_id]))
    assert resolved["status"] == "applied" and resolved["rev"] == 3
    for device in (amira, ben):
        changes, _, conflicts = device.pull_all()
        assert conflicts == []
        [visit] = [ch for ch in changes if ch["id"] == str(vid)]
        assert visit["rev"] == 3 and visit["data"]["notes"] == "B"
    session.rollback()
    assert session.get(SyncConflict, uuid.UUID(conflict_id)).resolved_by_mutation_id is not None


def test_keep_theirs_resolution_changes_nothing_but_settles(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "update", {"notes": "A"}, base={"notes": "first notes"}, base_rev=1))
    [c] = ben.push(mutation("visit", vid, "update", {"notes": "B"}, base={"notes": "first notes"}, base_rev=1))
    [r] = ben.push(mutation("visit", vid, "update", {}, base_rev=2, resolves=c["conflicts"]))
    assert r["status"] == "applied" and r["rev"] == 2
    assert amira.pull(cursor=None)["conflicts"] == []


def test_edit_of_a_deleted_record_is_a_conflict_not_a_resurrection(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    [deleted] = amira.push(mutation("visit", vid, "delete", base_rev=1))
    assert deleted["status"] == "applied" and deleted["rev"] == 2
    [edit] = ben.push(mutation("visit", vid, "update", {"notes": "B"}, base={"notes": "first notes"}, base_rev=1))
    assert edit["status"] == "conflict"
    row = visit_row(session, vid)
    assert row.deleted_at is not None and row.notes == "first notes"
    session.rollback()
    conflict = session.get(SyncConflict, uuid.UUID(edit["conflicts"][0]))
    assert conflict.field == "_deleted" and conflict.mine == {"notes": "B"} and conflict.theirs == {"deleted": True}
    # Ben keeps his edit: the record comes back with it.
    [restore] = ben.push(mutation("visit", vid, "update", {"notes": "B"}, base_rev=2, resolves=edit["conflicts"]))
    assert restore["status"] == "applied"
    row = visit_row(session, vid)
    assert row.deleted_at is None and row.notes == "B" and row.rev == 3


def test_delete_of_an_edited_record_is_a_conflict(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "update", {"notes": "A"}, base={"notes": "first notes"}, base_rev=1))
    [delete] = ben.push(mutation("visit", vid, "delete", base_rev=1))
    assert delete["status"] == "conflict"
    row = visit_row(session, vid)
    assert row.deleted_at is None and row.notes == "A"
    session.rollback()
    conflict = session.get(SyncConflict, uuid.UUID(delete["conflicts"][0]))
    assert conflict.mine == {"deleted": True} and conflict.theirs["notes"] == "A"
    # Ben still wants it gone, having seen Amira's edit.
    [gone] = ben.push(mutation("visit", vid, "delete", base_rev=2, resolves=delete["conflicts"]))
    assert gone["status"] == "applied" and visit_row(session, vid).deleted_at is not None


def test_delete_twice_is_harmless(phone, margaret):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "delete", base_rev=1))
    [again] = amira.push(mutation("visit", vid, "delete", base_rev=1))
    assert again["status"] == "applied" and again["rev"] == 2


def test_progress_takes_its_client_from_the_goal(phone, margaret, session):
    amira = phone("amira@demo.test")
    gid, pid, vid = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    results = amira.push(
        mutation("goal", gid, "create", {"client_id": str(margaret.id), "title": "Go to the shop"}),
        mutation("visit", vid, "create", new_visit(margaret.id)),
        mutation("progress", pid, "create", {"goal_id": str(gid), "visit_id": str(vid), "score": 6, "note": "Went once"}),
    )
    assert [r["status"] for r in results] == ["applied"] * 3
    session.rollback()  # end the read transaction: see what the requests committed
    assert session.get(Progress, pid).client_id == margaret.id


def test_concern_is_write_once(phone, margaret, session):
    amira = phone("amira@demo.test")
    cid = uuid.uuid4()
    [raised] = amira.push(mutation("concern", cid, "create", {"client_id": str(margaret.id), "category": "home_conditions",
                                                              "details": "No heating", "urgency": "urgent"}))
    assert raised["status"] == "applied"
    [edit] = amira.push(mutation("concern", cid, "update", {"details": "x"}, base_rev=1))
    [delete] = amira.push(mutation("concern", cid, "delete", base_rev=1))
    assert edit["status"] == delete["status"] == "rejected"
    session.rollback()  # end the read transaction: see what the requests committed
    assert session.get(Concern, cid).details == "No heating"


def test_another_pairs_records_are_out_of_reach(phone, clients_by_name, session):
    amira, dev = phone("amira@demo.test"), phone("dev@demo.test")
    pat = clients_by_name["Patricia Lowe"]
    [create] = amira.push(mutation("visit", uuid.uuid4(), "create", new_visit(pat.id)))
    assert create["status"] == "rejected" and "client_id" in create["errors"]
    vid = uuid.uuid4()
    dev.push(mutation("visit", vid, "create", new_visit(pat.id)))
    [edit] = amira.push(mutation("visit", vid, "update", {"notes": "snoop"}, base_rev=1))
    [delete] = amira.push(mutation("visit", vid, "delete", base_rev=1))
    [steal] = amira.push(mutation("visit", vid, "create", new_visit(clients_by_name["Margaret Hill"].id)))
    assert {edit["status"], delete["status"], steal["status"]} == {"rejected"}
    assert visit_row(session, vid).notes == "first notes" and visit_row(session, vid).deleted_at is None


BAD_MUTATIONS = [
    ({"kind": "expense"}, "kind"),
    ({"kind": "client", "op": "update", "changes": {"name": "X"}}, "kind"),
    ({"changes": {"notes": 12}}, "notes"),
    ({"changes": {"colour": "red"}}, "colour"),
    ({"changes": {"status": "maybe"}}, "status"),
    ({"changes": {"scheduled_start": "2026-12-01T10:30:00"}}, "scheduled_start"),
    ({"changes": {"duration_minutes": "60"}}, "duration_minutes"),
    ({"changes": {"actual_minutes": "60"}}, "actual_minutes"),
    ({"changes": {"actual_minutes": 60.5}}, "actual_minutes"),
    ({"changes": {"actual_minutes": True}}, "actual_minutes"),
    ({"changes": {"actual_minutes": 1441}}, "actual_minutes"),
    ({"changes": {"actual_minutes": -1}}, "actual_minutes"),
    ({"changes": {"client_id": "not-a-uuid"}}, "client_id"),
    ({"op": "explode"}, "op"),
    ({"id": None}, "id"),
    ({"mutation_id": "nope"}, "mutation_id"),
    ({"base_rev": "1"}, "base_rev"),
    ({"extra": 1}, "extra"),
    ({"changes": {"notes": "x" * 20001}}, "notes"),
]


@pytest.mark.parametrize("override, field", BAD_MUTATIONS)
def test_bad_mutations_are_rejected_alone_with_field_messages(phone, margaret, session, override, field):
    amira = phone("amira@demo.test")
    good_before = mutation("goal", uuid.uuid4(), "create", {"client_id": str(margaret.id), "title": "Before"})
    bad = mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id))
    bad.update(override)
    good_after = mutation("goal", uuid.uuid4(), "create", {"client_id": str(margaret.id), "title": "After"})
    visits_before = count(session, Visit)
    results = amira.push(good_before, bad, good_after)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert field in results[1]["errors"]
    assert count(session, Visit) == visits_before


def test_base_rev_from_the_future_is_rejected(phone, margaret):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    [result] = amira.push(mutation("visit", vid, "update", {"notes": "x"}, base_rev=7))
    assert result["status"] == "rejected" and "base_rev" in result["errors"]


def test_update_of_unknown_record_and_immutable_field(phone, margaret, clients_by_name):
    amira = phone("amira@demo.test")
    [unknown] = amira.push(mutation("visit", uuid.uuid4(), "update", {"notes": "x"}, base_rev=1))
    assert unknown["status"] == "rejected" and "id" in unknown["errors"]
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    george = clients_by_name["George Turner"]
    [moved] = amira.push(mutation("visit", vid, "update", {"client_id": str(george.id)}, base_rev=1))
    assert moved["status"] == "rejected" and "client_id" in moved["errors"]


def test_resolving_an_unknown_conflict_is_rejected(phone, margaret):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    [r] = amira.push(mutation("visit", vid, "update", {"notes": "x"}, base_rev=1, resolves=[uuid.uuid4()]))
    assert r["status"] == "rejected" and "resolves" in r["errors"]


@pytest.mark.parametrize(
    "body, status",
    [
        ({"schema_version": 1, "mutations": []}, 422),  # no device_id
        ({"device_id": "x", "schema_version": 1, "mutations": []}, 422),
        ({"device_id": str(uuid.uuid4()), "schema_version": 2, "mutations": []}, 422),
        ({"device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": {}}, 422),
        ({"device_id": str(uuid.uuid4()), "schema_version": 1}, 422),
    ],
)
def test_bad_push_requests_get_4xx(api, demo, body, status):
    amira = api("amira@demo.test")
    response = amira.post("/api/sync/push", json=body)
    assert response.status_code == status and response.get_json()["error"]["fields"]


def test_oversize_batch_is_refused_whole(phone, margaret, session):
    amira = phone("amira@demo.test")
    mutations = [mutation("goal", uuid.uuid4(), "create", {"client_id": str(margaret.id), "title": "g"})
                 for _ in range(1001)]
    body = amira.push(*mutations, expect=413)
    assert body["error"]["code"] == "batch_too_large" and "1000" in body["error"]["message"]
    assert count(session, Goal) == 4


def test_push_needs_sign_in_and_csrf(api, demo):
    anonymous = api()
    assert anonymous.post("/api/sync/push", json={}).status_code in (401, 403)
    amira = api("amira@demo.test")
    response = amira.client.post("/api/sync/push", json={"device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": []})
    assert response.status_code == 403


ENVELOPES = [
    mutation("visit", uuid.uuid4(), "create", {"notes": "x"}),
    mutation("goal", uuid.uuid4(), "update", {"title": "x"}, base={"title": "y"}, base_rev=3, resolves=[uuid.uuid4()]),
    {**mutation("visit", uuid.uuid4(), "delete"), "base_rev": 0},
    {**mutation("visit", uuid.uuid4(), "delete"), "base_rev": -1},
    {**mutation("visit", uuid.uuid4(), "delete"), "base_rev": True},
    {**mutation("visit", uuid.uuid4(), "delete"), "base_rev": 1.0},
    {**mutation("visit", uuid.uuid4(), "delete"), "mutation_id": "zz"},
    {**mutation("visit", uuid.uuid4(), "delete"), "resolves": "abc"},
    {**mutation("visit", uuid.uuid4(), "delete"), "changes": []},
    {**mutation("visit", uuid.uuid4(), "delete"), "kind": "car"},
    {"kind": "visit", "id": str(uuid.uuid4()), "op": "create"},
    {"mutation_id": str(uuid.uuid4()), "kind": "visit", "id": str(uuid.uuid4()), "op": "create"},
]


@pytest.mark.parametrize("raw", ENVELOPES)
def test_plain_envelope_check_agrees_with_the_schema(raw, app):
    from marshmallow import ValidationError

    from app.sync.push import _mutation_schema, _plain_envelope

    fast = _plain_envelope(raw)
    try:
        expected = _mutation_schema.load(raw)
    except ValidationError:
        assert fast is None
    else:
        assert fast is None or fast == expected


@pytest.mark.parametrize("raw", ENVELOPES[:3])
def test_plain_envelope_takes_the_well_formed_mutation_itself(raw, app):
    """The fast path is really taken (a check that always said None would pass the test above)."""
    from app.sync.push import _mutation_schema, _plain_envelope

    fast = _plain_envelope(raw)
    assert fast is not None and fast == _mutation_schema.load(raw)


def test_check_out_before_check_in_is_rejected_even_across_edits(phone, margaret):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    [created] = amira.push(mutation("visit", vid, "create", new_visit(
        margaret.id, checked_in_at="2026-12-01T10:35:00+00:00", checked_out_at="2026-12-01T10:30:00+00:00")))
    assert created["status"] == "rejected" and "checked_out_at" in created["errors"]
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id, checked_in_at="2026-12-01T10:35:00+00:00")))
    [early] = amira.push(mutation("visit", vid, "update", {"checked_out_at": "2026-12-01T09:00:00+00:00"}, base_rev=1))
    assert early["status"] == "rejected" and "checked_out_at" in early["errors"]
    [ok] = amira.push(mutation("visit", vid, "update", {"checked_out_at": "2026-12-01T11:40:00+00:00"}, base_rev=1))
    assert ok["status"] == "applied"


def test_concern_cannot_be_rewritten_by_a_second_create(phone, margaret, session):
    amira = phone("amira@demo.test")
    cid = uuid.uuid4()
    fields = {"client_id": str(margaret.id), "category": "other", "details": "Worried about a fall"}
    amira.push(mutation("concern", cid, "create", fields))
    [same] = amira.push(mutation("concern", cid, "create", fields))
    [other] = amira.push(mutation("concern", cid, "create", {**fields, "details": "Changed"}))
    assert same["status"] == "applied" and other["status"] == "rejected"
    session.rollback()
    assert session.get(Concern, cid).details == "Worried about a fall"


@pytest.mark.parametrize("when", ["9999-12-31T23:00:00-05:00", "1066-10-14T09:00:00+00:00"])
def test_dates_far_outside_the_schemes_life_are_rejected(phone, margaret, when):
    [result] = phone("amira@demo.test").push(mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id, scheduled_start=when)))
    assert result["status"] == "rejected" and "scheduled_start" in result["errors"]


def test_out_of_scope_and_missing_records_get_the_same_answer(phone, clients_by_name):
    dev, amira = phone("dev@demo.test"), phone("amira@demo.test")
    vid = uuid.uuid4()
    dev.push(mutation("visit", vid, "create", new_visit(clients_by_name["Patricia Lowe"].id)))
    [theirs] = amira.push(mutation("visit", vid, "update", {"notes": "x"}, base_rev=1))
    [missing] = amira.push(mutation("visit", uuid.uuid4(), "update", {"notes": "x"}, base_rev=1))
    assert theirs["errors"] == missing["errors"]


def test_push_without_a_session_is_401_so_the_phone_signs_in_again(api, demo):
    response = api().post("/api/sync/push", json={"device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": []})
    assert response.status_code == 401



def break_writes_of_marked_visits(monkeypatch):
    """A visit whose notes say "trips a constraint" fails its database write
    (a CHECK constraint), which sends the batch down the savepoint path."""
    from app.sync import push as push_module

    real = push_module.column_values

    def breaks_on_marker(kind, data):
        values = real(kind, data)
        if data.get("notes") == "trips a constraint":
            values["status"] = "exploded"  # violates the CHECK constraint
        return values

    monkeypatch.setattr(push_module, "column_values", breaks_on_marker)

def test_a_write_the_checks_did_not_foresee_fails_alone(app, session, demo, margaret, monkeypatch):
    """If the bulk write hits a database constraint, the batch is applied again
    one mutation at a time in savepoints: only the bad one is rejected."""
    from app.accounts.services import find_by_email
    from app.sync import push as push_module

    break_writes_of_marked_visits(monkeypatch)
    good, bad = uuid.uuid4(), uuid.uuid4()
    batch = [mutation("visit", good, "create", new_visit(margaret.id)),
             mutation("visit", bad, "create", new_visit(margaret.id, notes="trips a constraint"))]
    amira = find_by_email(session, "amira@demo.test")
    results = push_module.push(session, amira, uuid.uuid4(), batch)
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert "_record" in results[1]["errors"]
    assert count(session, Visit, id=good) == 1 and count(session, Visit, id=bad) == 0
    # The rejection is stored: a replay gives the same answer.
    assert push_module.push(session, amira, uuid.uuid4(), batch) == results


def test_edit_then_delete_queued_together_is_no_conflict_with_oneself(phone, margaret, session):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    # Offline: she edits the visit, then deletes it; both were made from rev 1.
    results = amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1),
                         mutation("visit", vid, "delete", base_rev=1))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert visit_row(session, vid).deleted_at is not None


def test_create_then_delete_before_the_first_sync_is_no_conflict(phone, margaret, session):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    results = amira.push(mutation("visit", vid, "create", new_visit(margaret.id)), mutation("visit", vid, "delete"))
    assert [r["status"] for r in results] == ["applied", "applied"]


def test_delete_after_someone_elses_edit_is_still_a_conflict(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    ben.push(mutation("visit", vid, "update", {"location": "Cafe"}, base={"location": "Home"}, base_rev=1))
    results = amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1),
                         mutation("visit", vid, "delete", base_rev=1))
    assert [r["status"] for r in results] == ["merged", "conflict"]


# -- a delete from an older rev, after this device's own earlier pushes -----------
def wrote_revs(session, record_id):
    session.rollback()
    return sorted(session.scalars(select(SyncMutation.wrote_rev).where(SyncMutation.record_id == record_id)),
                  key=lambda rev: (rev is not None, rev))


def test_delete_after_own_edit_whose_answer_was_lost_applies(phone, margaret, session):
    """The phone edits (rev 2) but never hears back, then deletes from rev 1:
    the outbox goes again, the edit is a replay, and the delete meets only
    the phone's own write."""
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    edit = mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1)
    amira.push(edit)  # the answer is lost
    results = amira.push(edit, mutation("visit", vid, "delete", base_rev=1))
    assert [(r["status"], r["rev"]) for r in results] == [("applied", 2), ("applied", 3)]
    assert visit_row(session, vid).deleted_at is not None
    assert wrote_revs(session, vid) == [1, 2, 3]  # the create, the edit, the delete
    assert count(session, SyncConflict, record_id=vid) == 0


def test_edits_over_several_pushes_then_a_delete_from_the_first_rev_applies(phone, margaret, session):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1))
    amira.push(mutation("visit", vid, "update", {"location": "Cafe"}, base={"location": "Home"}, base_rev=1))
    results = amira.push(mutation("visit", vid, "update", {"notes": "y"}, base={"notes": "x"}, base_rev=1),
                         mutation("visit", vid, "delete", base_rev=1))
    assert [r["status"] for r in results] == ["merged", "applied"]  # merged: from rev 1, the server is at 3
    assert visit_row(session, vid).rev == 5


def test_delete_after_own_create_whose_answer_was_lost_applies(phone, margaret, session):
    """The phone never had a rev for a visit it made: its delete carries
    base_rev null, and every rev since the first is its own."""
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    create = mutation("visit", vid, "create", new_visit(margaret.id))
    amira.push(create)  # the answer is lost
    amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}))
    results = amira.push(create, mutation("visit", vid, "delete"))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert visit_row(session, vid).deleted_at is not None


def test_a_delete_from_an_older_rev_still_meets_anyone_elses_change_since(phone, margaret, session):
    """Own changes are this device's: the partner's edit between, or the same
    mentor's other phone, still make the delete a conflict."""
    amira, amiras_tablet, ben = phone("amira@demo.test"), phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1))
    ben.push(mutation("visit", vid, "update", {"location": "Cafe"}, base={"location": "Home"}, base_rev=2))
    amira.push(mutation("visit", vid, "update", {"notes": "y"}, base={"notes": "x"}, base_rev=1))  # rev 4
    [from_before_ben] = amira.push(mutation("visit", vid, "delete", base_rev=1))
    assert (from_before_ben["status"], from_before_ben["rev"]) == ("conflict", 4)
    # the tablet's delete from rev 3 meets the phone's rev 4: another device's
    assert amiras_tablet.push(mutation("visit", vid, "delete", base_rev=3))[0]["status"] == "conflict"
    # from rev 3 the phone's own rev 4 is all there is since
    assert amira.push(mutation("visit", vid, "delete", base_rev=3))[0]["status"] == "applied"


def test_the_partners_write_from_the_same_tablet_is_not_the_mentors_own(phone, margaret, session):
    """Own means this device and this user: a tablet the pair share is two writers."""
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    ben.device_id = amira.device_id
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    ben.push(mutation("visit", vid, "update", {"location": "Cafe"}, base={"location": "Home"}, base_rev=1))
    assert amira.push(mutation("visit", vid, "delete", base_rev=1))[0]["status"] == "conflict"


def test_a_no_op_answered_with_the_partners_rev_does_not_make_it_own(phone, margaret, session):
    """The phone's edit arrives after the partner made the same change: it
    writes nothing and is answered with the partner's rev 2. A delete from
    rev 1 has not seen the partner's other change in rev 2."""
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    ben.push(mutation("visit", vid, "update", {"notes": "x", "location": "Cafe"},
                      base={"notes": "first notes", "location": "Home"}, base_rev=1))
    [same] = amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1))
    assert (same["status"], same["rev"]) == ("merged", 2)
    assert wrote_revs(session, vid) == [None, 1, 2]  # the no-op wrote nothing; rev 2 is ben's
    [delete] = amira.push(mutation("visit", vid, "delete", base_rev=1))
    assert delete["status"] == "conflict"
    assert visit_row(session, vid).location == "Cafe" and visit_row(session, vid).deleted_at is None


def test_an_own_edit_that_merged_the_partners_change_leaves_that_change_unseen(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    ben.push(mutation("visit", vid, "update", {"location": "Cafe"}, base={"location": "Home"}, base_rev=1))
    [merged] = amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1))
    assert (merged["status"], merged["rev"]) == ("merged", 3)  # the phone wrote rev 3, ben rev 2
    assert amira.push(mutation("visit", vid, "delete", base_rev=1))[0]["status"] == "conflict"


def test_an_office_change_since_is_never_the_phones_own(phone, margaret, session):
    """The office writes no stored mutation: its rev is nobody's own."""
    from app.sync.changes import stamp

    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1))
    visit = visit_row(session, vid)
    visit.location = "Library"
    stamp(session, visit)  # rev 3, as an office service marks its change
    session.commit()
    assert amira.push(mutation("visit", vid, "delete", base_rev=1))[0]["status"] == "conflict"
    assert amira.push(mutation("visit", vid, "delete", base_rev=3))[0]["status"] == "applied"


def test_results_stored_before_wrote_rev_was_recorded_count_as_nobodys(phone, margaret, session):
    """Rows from before migration 0021 have no wrote_rev: today's rule, a conflict."""
    from sqlalchemy import update

    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}, base_rev=1))
    session.execute(update(SyncMutation).where(SyncMutation.record_id == vid).values(wrote_rev=None))
    session.commit()
    assert amira.push(mutation("visit", vid, "delete", base_rev=1))[0]["status"] == "conflict"


def test_only_mutations_that_wrote_store_the_rev_they_wrote(phone, margaret, session):
    """Rejected, replayed, conflict-only and already-deleted mutations wrote nothing."""
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    create = mutation("visit", vid, "create", new_visit(margaret.id))
    amira.push(create, create)  # the same mutation twice: stored once
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))  # the same content again: a replay
    ben.push(mutation("visit", vid, "update", {"notes": "ben"}, base={"notes": "first notes"}, base_rev=1))  # rev 2
    [clash] = amira.push(mutation("visit", vid, "update", {"notes": "amira"}, base={"notes": "first notes"}, base_rev=1))
    assert clash["status"] == "conflict"
    [bad] = amira.push(mutation("visit", vid, "update", {"duration_minutes": -5}, base_rev=2))
    assert bad["status"] == "rejected"
    ben.push(mutation("visit", vid, "delete", base_rev=2))  # rev 3
    ben.push(mutation("visit", vid, "delete", base_rev=3))  # already deleted
    assert wrote_revs(session, vid) == [None, None, None, None, 1, 2, 3]


def test_own_revs_are_stored_on_the_savepoint_fallback_path(app, session, demo, margaret, monkeypatch):
    from app.accounts.services import find_by_email
    from app.sync import push as push_module

    break_writes_of_marked_visits(monkeypatch)
    vid, bad = uuid.uuid4(), uuid.uuid4()
    amira = find_by_email(session, "amira@demo.test")
    device = uuid.uuid4()
    results = push_module.push(session, amira, device, [
        mutation("visit", vid, "create", new_visit(margaret.id)),
        mutation("visit", bad, "create", new_visit(margaret.id, notes="trips a constraint")),
        mutation("visit", vid, "update", {"notes": "x"}, base={"notes": "first notes"}),
    ])
    assert [r["status"] for r in results] == ["applied", "rejected", "merged"]
    assert wrote_revs(session, vid) == [1, 2]
    [delete] = push_module.push(session, amira, device, [mutation("visit", vid, "delete")])
    assert delete["status"] == "applied"


# -- visit: actual_minutes beside the planned duration_minutes ------------------
def test_actual_minutes_is_kept_apart_from_the_planned_length(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    [created] = amira.push(mutation("visit", vid, "create", new_visit(margaret.id, duration_minutes=60)))
    assert created["status"] == "applied"
    assert visit_row(session, vid).actual_minutes is None
    [done] = amira.push(mutation("visit", vid, "update", {"actual_minutes": 75, "status": "completed"},
                                 base={"actual_minutes": None, "status": "planned"}, base_rev=1))
    assert done["status"] == "applied"
    row = visit_row(session, vid)
    assert (row.duration_minutes, row.actual_minutes) == (60, 75)
    [visit] = [c for c in ben.pull_all()[0] if c["id"] == str(vid)]
    assert (visit["data"]["duration_minutes"], visit["data"]["actual_minutes"]) == (60, 75)
    previous, rev = 75, 2
    for edge in (0, 1440, None):
        [ok] = amira.push(mutation("visit", vid, "update", {"actual_minutes": edge}, base={"actual_minutes": previous},
                                   base_rev=rev))
        assert ok["status"] == "applied", ok
        previous, rev = edge, ok["rev"]
    assert visit_row(session, vid).actual_minutes is None


def test_actual_minutes_conflicts_like_any_field(phone, margaret):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "update", {"actual_minutes": 50}, base={"actual_minutes": None}, base_rev=1))
    [result] = ben.push(mutation("visit", vid, "update", {"actual_minutes": 40}, base={"actual_minutes": None},
                                 base_rev=1))
    assert result["status"] == "conflict"
    [conflict] = ben.pull(cursor=None)["conflicts"]
    assert (conflict["field"], conflict["base"], conflict["mine"], conflict["theirs"]) == ("actual_minutes", None, 40, 50)


# -- progress: recorded_at ----------------------------------------------------
def progress_row(session, progress_id):
    session.rollback()  # end the read transaction: see what the requests committed
    return session.get(Progress, progress_id)


@pytest.fixture
def goal_id(phone, margaret):
    gid = uuid.uuid4()
    [r] = phone("amira@demo.test").push(mutation("goal", gid, "create", {"client_id": str(margaret.id), "title": "Shop"}))
    assert r["status"] == "applied"
    return gid


def test_progress_keeps_recorded_at_as_entered(phone, goal_id, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    pid = uuid.uuid4()
    [r] = amira.push(mutation("progress", pid, "create",
                              {"goal_id": str(goal_id), "score": 4, "recorded_at": "2026-07-01T18:05Z"}))
    assert r["status"] == "applied"
    assert progress_row(session, pid).recorded_at == "2026-07-01T18:05:00+00:00"  # spelling normalised
    [later] = amira.push(mutation("progress", pid, "update", {"recorded_at": "2026-07-01T19:05:00+01:00"},
                                  base={"recorded_at": "2026-07-01T18:05:00+00:00"}, base_rev=1))
    assert later["status"] == "applied"
    assert progress_row(session, pid).recorded_at == "2026-07-01T19:05:00+01:00"  # offset kept
    [entry] = [c for c in ben.pull_all()[0] if c["id"] == str(pid)]
    assert entry["data"]["recorded_at"] == "2026-07-01T19:05:00+01:00"


def test_progress_from_an_older_phone_gets_the_servers_time_in_utc(phone, goal_id, session):
    from datetime import datetime, timedelta, timezone

    pid = uuid.uuid4()
    before = datetime.now(timezone.utc).replace(microsecond=0)
    [r] = phone("amira@demo.test").push(mutation("progress", pid, "create", {"goal_id": str(goal_id), "score": 3}))
    after = datetime.now(timezone.utc)
    assert r["status"] == "applied"
    recorded = progress_row(session, pid).recorded_at
    assert recorded.endswith("+00:00") and "." not in recorded
    assert before <= datetime.fromisoformat(recorded) <= after + timedelta(seconds=1)


@pytest.mark.parametrize("value", ["2026-07-01T18:05:00", None, "yesterday", 20260701, "1999-07-01T18:05:00+00:00"])
def test_progress_recorded_at_must_be_a_time_with_its_offset(phone, goal_id, value):
    [r] = phone("amira@demo.test").push(mutation("progress", uuid.uuid4(), "create",
                                                 {"goal_id": str(goal_id), "recorded_at": value}))
    assert r["status"] == "rejected" and "recorded_at" in r["errors"]


# -- an applied delete settles the record's open conflicts -----------------------
def goal_conflict(amira, ben, margaret):
    """Amira and Ben change a goal's title from the same rev: Ben's edit is a conflict."""
    gid = uuid.uuid4()
    amira.push(mutation("goal", gid, "create", {"client_id": str(margaret.id), "title": "Walk"}))
    amira.push(mutation("goal", gid, "update", {"title": "Walk daily"}, base={"title": "Walk"}, base_rev=1))
    [c] = ben.push(mutation("goal", gid, "update", {"title": "Walk weekly"}, base={"title": "Walk"}, base_rev=1))
    assert c["status"] == "conflict"
    return gid, uuid.UUID(c["conflicts"][0])


def conflict_row(session, conflict_id):
    session.rollback()  # end the read transaction: see what the requests committed
    # push() run in this session left its own (Core-updated, so stale) copies
    # in the identity map, for as long as nothing collects them.
    session.expire_all()
    return session.get(SyncConflict, conflict_id)


def test_delete_settles_the_open_conflicts_on_the_record(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    gid, conflict_id = goal_conflict(amira, ben, margaret)
    assert [c["id"] for c in amira.pull(cursor=None)["conflicts"]] == [str(conflict_id)]
    delete = mutation("goal", gid, "delete", base_rev=2)  # Amira saw rev 2; she does not name the conflict
    [gone] = amira.push(delete)
    assert gone["status"] == "applied" and gone["rev"] == 3
    for device in (amira, ben):
        assert device.pull(cursor=None)["conflicts"] == []
    row = conflict_row(session, conflict_id)
    amira_id = amira.api.get("/api/session").get_json()["user"]["id"]
    assert str(row.resolved_by_mutation_id) == delete["mutation_id"]
    assert str(row.resolved_by_id) == amira_id and row.resolved_at is not None


def test_delete_that_ends_in_conflict_settles_nothing(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    gid, conflict_id = goal_conflict(amira, ben, margaret)
    [delete] = ben.push(mutation("goal", gid, "delete", base_rev=1))  # Ben never saw Amira's rev 2
    assert delete["status"] == "conflict"
    open_ids = {c["id"] for c in amira.pull(cursor=None)["conflicts"]}
    assert open_ids == {str(conflict_id), delete["conflicts"][0]}
    assert conflict_row(session, conflict_id).resolved_at is None


def test_delete_settles_only_its_own_records_conflicts(phone, margaret, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    gid, conflict_id = goal_conflict(amira, ben, margaret)
    other_gid, other_conflict = goal_conflict(amira, ben, margaret)
    vid = uuid.uuid4()  # a visit with the goal's id would be another record
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    [gone] = amira.push(mutation("goal", gid, "delete", base_rev=2))
    assert gone["status"] == "applied"
    assert [c["id"] for c in ben.pull(cursor=None)["conflicts"]] == [str(other_conflict)]


def test_delete_settles_a_conflict_its_own_batch_raised(phone, margaret, session):
    """A queued edit ends in conflict, then the same phone's queued delete applies."""
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    gid = uuid.uuid4()
    amira.push(mutation("goal", gid, "create", {"client_id": str(margaret.id), "title": "Walk"}))
    ben.push(mutation("goal", gid, "update", {"title": "Walk daily"}, base={"title": "Walk"}, base_rev=1))
    # Amira pulled rev 2 but her queued edit was made from "Walk"
    edit = mutation("goal", gid, "update", {"title": "Walk weekly"}, base={"title": "Walk"}, base_rev=2)
    delete = mutation("goal", gid, "delete", base_rev=2)
    results = amira.push(edit, delete)
    assert [r["status"] for r in results] == ["conflict", "applied"]
    row = conflict_row(session, uuid.UUID(results[0]["conflicts"][0]))
    assert str(row.resolved_by_mutation_id) == delete["mutation_id"]
    assert ben.pull(cursor=None)["conflicts"] == []


def test_delete_settles_conflicts_on_the_savepoint_fallback_path(phone, session, margaret, monkeypatch):
    from app.accounts.services import find_by_email
    from app.sync import push as push_module

    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    gid, conflict_id = goal_conflict(amira, ben, margaret)
    break_writes_of_marked_visits(monkeypatch)
    delete = mutation("goal", gid, "delete", base_rev=2)
    batch = [mutation("visit", uuid.uuid4(), "create", new_visit(margaret.id, notes="trips a constraint")), delete]
    session.rollback()
    results = push_module.push(session, find_by_email(session, "amira@demo.test"), uuid.uuid4(), batch)
    assert [r["status"] for r in results] == ["rejected", "applied"]
    row = conflict_row(session, conflict_id)
    assert str(row.resolved_by_mutation_id) == delete["mutation_id"] and row.resolved_at is not None


def test_conflicts_of_deleted_records_are_loaded_in_one_query(app, phone, margaret, session):
    from sqlalchemy import event

    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    conflicted = [goal_conflict(amira, ben, margaret) for _ in range(3)]
    statements = []
    engine = app.extensions["database"]["engine"]

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        results = amira.push(*[mutation("goal", gid, "delete", base_rev=2) for gid, _ in conflicted])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert [r["status"] for r in results] == ["applied"] * 3
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT") and "sync_conflicts" in s]) == 1
    assert all(conflict_row(session, cid).resolved_at is not None for _, cid in conflicted)


def test_delete_of_a_deleted_record_leaves_the_edit_conflict_open(phone, margaret, session):
    """Ben's edit met Amira's delete: he may still restore it. A second delete
    (Amira's other phone, say) changes nothing, so it settles nothing it does not name."""
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "delete", base_rev=1))
    [edit] = ben.push(mutation("visit", vid, "update", {"notes": "B"}, base={"notes": "first notes"}, base_rev=1))
    assert edit["status"] == "conflict"
    [again] = amira.push(mutation("visit", vid, "delete", base_rev=1))
    assert again["status"] == "applied" and again["rev"] == 2
    assert [c["id"] for c in ben.pull(cursor=None)["conflicts"]] == edit["conflicts"]
