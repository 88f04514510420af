"""The pure per-mutation decisions (app/sync/decide.py)."""
from datetime import datetime, timezone

from app.sync.decide import Current, Mutation, decide, new_record
from app.sync.kinds import Kind, KindSchema, text
from app.sync.merge import DELETED, FieldConflict


def order_problems(data):
    if data.get("start") and data.get("end") and data["end"] < data["start"]:
        return {"end": ["End must be after start."]}
    return {}


class ThingFields(KindSchema):
    owner_id, note, start, end, status, made_at = text(), text(), text(), text(), text(), text()


THING = Kind("thing", model=None, fields=("owner_id", "note", "start", "end", "status", "made_at", "worked_out"),
             owner="client", owner_field="owner_id", schema=ThingFields(), required=("owner_id",), defaults={"status": "open"},
             immutable=("owner_id",), stamped=("made_at",), problems=order_problems)
ONCE = Kind("once", model=None, fields=("owner_id", "note"), owner="client", owner_field="owner_id",
            write_once="Cannot be changed once made.")
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
RECORD = {"owner_id": "o1", "note": "a", "start": "10:00", "end": None, "status": "open", "made_at": "x"}


def current(rev=3, deleted=False, rev_at_start=3, **data):
    return Current({**RECORD, **data}, rev, deleted, rev_at_start)


# -- creating ------------------------------------------------------------------
def test_a_new_record_gets_defaults_and_the_server_time_where_the_phone_sent_none():
    data, rejection = new_record(THING, {"owner_id": "o1", "note": "hi"}, NOW)
    assert rejection is None
    assert data == {"owner_id": "o1", "note": "hi", "start": None, "end": None, "status": "open",
                    "made_at": "2026-11-25T14:00:00+00:00"}  # worked_out: not the phone's, left to the server


def test_a_new_record_without_a_required_field_or_breaking_a_rule_is_rejected():
    assert new_record(THING, {"note": "hi"}, NOW)[1].errors == {"owner_id": ["Missing data for required field."]}
    assert new_record(THING, {"owner_id": "o1", "start": "10:00", "end": "09:00"}, NOW)[1].errors == {
        "end": ["End must be after start."]}


def test_the_same_create_again_is_a_replay_that_changes_nothing():
    decision = decide(THING, current(), Mutation("create", {"note": "a"}))
    assert (decision.status, decision.write, decision.changes_record, decision.settles) == ("applied", {}, False, True)


def test_a_create_with_other_content_is_an_update_from_no_base():
    decision = decide(THING, current(note="server", end=None), Mutation("create", {"note": "phone", "end": "11:00"}))
    assert decision.status == "conflict"
    assert decision.write == {"end": "11:00"}  # nothing there before: taken
    assert decision.conflicts == [FieldConflict("note", None, "phone", "server")]


# -- updating ------------------------------------------------------------------
def test_an_update_from_the_current_rev_is_applied():
    decision = decide(THING, current(), Mutation("update", {"note": "b"}, {"note": "a"}, base_rev=3))
    assert (decision.status, decision.write, decision.settles) == ("applied", {"note": "b"}, True)


def test_an_update_of_a_record_that_moved_on_merges_field_by_field():
    decision = decide(THING, current(status="done"), Mutation("update", {"note": "b"}, {"note": "a"}, base_rev=2))
    assert (decision.status, decision.write) == ("merged", {"note": "b"})


def test_an_update_whose_base_rev_is_ahead_of_the_server_is_rejected():
    decision = decide(THING, current(), Mutation("update", {"note": "b"}, base_rev=4))
    assert decision.status == "rejected" and "base_rev" in decision.errors and not decision.changes_record


def test_an_immutable_field_cannot_change_but_may_be_sent_unchanged():
    assert decide(THING, current(), Mutation("update", {"owner_id": "o2"}, base_rev=3)).errors == {
        "owner_id": ["owner_id cannot change once the record exists."]}
    assert decide(THING, current(), Mutation("update", {"owner_id": "o1", "note": "b"}, base_rev=3)).status == "applied"


def test_rules_across_fields_are_checked_on_the_record_as_it_would_become():
    decision = decide(THING, current(start="10:00"), Mutation("update", {"end": "09:00"}, base_rev=3))
    assert decision.status == "rejected" and decision.errors == {"end": ["End must be after start."]}


def test_a_write_once_record_takes_only_its_own_create_again():
    made = Current({"owner_id": "o1", "note": "worried"}, 1, False, 1)
    assert decide(ONCE, made, Mutation("create", {"note": "worried"})).status == "applied"
    for m in (Mutation("create", {"note": "other"}), Mutation("update", {"note": "x"}, base_rev=1),
              Mutation("delete", base_rev=1)):
        assert decide(ONCE, made, m).errors == {"op": ["Cannot be changed once made."]}


# -- deleted records -------------------------------------------------------------
def test_an_edit_of_a_deleted_record_is_a_conflict_never_a_silent_restore():
    decision = decide(THING, current(deleted=True), Mutation("update", {"note": "b"}, base_rev=3))
    assert decision.status == "conflict" and not decision.changes_record and not decision.settles
    assert decision.conflicts == [FieldConflict(DELETED, None, {"note": "b"}, {"deleted": True})]


def test_keeping_the_edit_over_the_delete_restores_the_record():
    decision = decide(THING, current(deleted=True), Mutation("update", {"note": "b"}, base_rev=3, settles_delete=True))
    assert (decision.status, decision.write, decision.deleted, decision.settles) == ("applied", {"note": "b"}, False, True)
    nothing = decide(THING, current(deleted=True), Mutation("update", {}, base_rev=3, settles_delete=True))
    assert (nothing.status, nothing.changes_record, nothing.settles) == ("applied", False, True)
    broken = decide(THING, current(deleted=True, start="10:00"),
                    Mutation("update", {"end": "09:00"}, base_rev=3, settles_delete=True))
    assert broken.status == "rejected" and not broken.changes_record


# -- deleting ------------------------------------------------------------------
def test_a_delete_from_the_current_rev_applies():
    decision = decide(THING, current(), Mutation("delete", base_rev=3))
    assert (decision.status, decision.deleted, decision.settles) == ("applied", True, True)


def test_a_delete_after_the_phones_own_queued_edits_in_the_same_batch_applies():
    # rev 5 now, 3 when the batch began: the two changes since were this phone's own.
    assert decide(THING, current(rev=5, rev_at_start=3), Mutation("delete", base_rev=3)).deleted is True
    # created in this batch and deleted again
    assert decide(THING, current(rev=2, rev_at_start=None), Mutation("delete", base_rev=None)).deleted is True


def test_a_delete_of_a_record_someone_else_edited_is_a_conflict_holding_their_version():
    decision = decide(THING, current(rev=4, rev_at_start=4, note="their edit"), Mutation("delete", base_rev=3))
    assert decision.status == "conflict" and not decision.changes_record
    [conflict] = decision.conflicts
    assert conflict.field == DELETED and conflict.mine == {"deleted": True} and conflict.theirs["note"] == "their edit"


def test_a_delete_that_settles_a_delete_conflict_applies_and_a_second_delete_is_a_replay():
    assert decide(THING, current(rev=4, rev_at_start=4), Mutation("delete", base_rev=3, settles_delete=True)).deleted
    again = decide(THING, current(deleted=True), Mutation("delete", base_rev=1))
    assert (again.status, again.changes_record, again.settles) == ("applied", False, True)


def test_a_delete_from_an_older_rev_applies_when_this_device_wrote_every_rev_since():
    """Its edits whose answers were lost, or an outbox split over two pushes:
    revs 2 and 3 are this device's own, so a delete from rev 1 saw them."""
    mine = Current(RECORD, rev=3, deleted=False, rev_at_start=3, own_revs=frozenset({2, 3}))
    assert decide(THING, mine, Mutation("delete", base_rev=1)).deleted is True
    # with this batch's own edits on top (revs 4 and 5)
    more = Current(RECORD, rev=5, deleted=False, rev_at_start=3, own_revs=frozenset({2, 3}))
    assert decide(THING, more, Mutation("delete", base_rev=1)).deleted is True


def test_a_delete_from_an_older_rev_is_a_conflict_when_anyone_else_wrote_a_rev_since():
    """Rev 2 was someone else's (the partner, the office, another phone, or a
    result stored before wrote_rev was recorded): the phone never saw it."""
    partly = Current(RECORD, rev=3, deleted=False, rev_at_start=3, own_revs=frozenset({1, 3}))
    decision = decide(THING, partly, Mutation("delete", base_rev=1))
    assert (decision.status, decision.deleted) == ("conflict", None)
    assert decision.conflicts[0].field == DELETED
    # from rev 2 only rev 3 is after it, and that one is the device's
    assert decide(THING, partly, Mutation("delete", base_rev=2)).deleted is True
    # a rev this batch wrote does not cover one before the batch
    batch_on_top = Current(RECORD, rev=4, deleted=False, rev_at_start=3, own_revs=frozenset({3}))
    assert decide(THING, batch_on_top, Mutation("delete", base_rev=1)).status == "conflict"


def test_a_delete_from_no_rev_applies_only_when_this_device_wrote_every_rev():
    """base_rev null: the phone made the record and never pulled it (its
    create's answer lost), so every rev from the first must be its own."""
    made_here = Current(RECORD, rev=2, deleted=False, rev_at_start=2, own_revs=frozenset({1, 2}))
    assert decide(THING, made_here, Mutation("delete", base_rev=None)).deleted is True
    edited_by_partner = Current(RECORD, rev=2, deleted=False, rev_at_start=2, own_revs=frozenset({1}))
    assert decide(THING, edited_by_partner, Mutation("delete", base_rev=None)).status == "conflict"
    assert decide(THING, current(rev=3, rev_at_start=3), Mutation("delete", base_rev=None)).status == "conflict"
