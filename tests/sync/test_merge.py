"""The pure three-way merge rules (app/sync/merge.py)."""
from app.sync.merge import FieldConflict, merge_fields, status_of


def test_unmoved_record_takes_every_change():
    out = merge_fields({"notes": "a", "status": "planned"}, {}, {"notes": "b"}, record_moved_on=False)
    assert out.apply == {"notes": "b"} and out.conflicts == []
    assert status_of(out, record_moved_on=False) == "applied"


def test_moved_record_takes_fields_still_at_base():
    current = {"notes": "server edit", "location": "Home"}
    out = merge_fields(current, {"location": "Home"}, {"location": "Cafe"}, record_moved_on=True)
    assert out.apply == {"location": "Cafe"}
    assert status_of(out, record_moved_on=True) == "merged"


def test_same_new_value_on_both_sides_is_no_conflict():
    out = merge_fields({"notes": "same"}, {"notes": "old"}, {"notes": "same"}, record_moved_on=True)
    assert out.apply == {} and out.conflicts == []


def test_both_changed_one_field_is_a_conflict_and_server_keeps_its_value():
    out = merge_fields({"notes": "theirs", "location": "Home"}, {"notes": "base", "location": "Home"},
                       {"notes": "mine", "location": "Park"}, record_moved_on=True)
    assert out.apply == {"location": "Park"}
    assert out.conflicts == [FieldConflict("notes", "base", "mine", "theirs")]
    assert status_of(out, record_moved_on=True) == "conflict"


def test_missing_base_counts_as_nothing():
    assert merge_fields({"notes": None}, {}, {"notes": "x"}, record_moved_on=True).apply == {"notes": "x"}
    out = merge_fields({"notes": "y"}, {}, {"notes": "x"}, record_moved_on=True)
    assert out.conflicts == [FieldConflict("notes", None, "x", "y")]


def test_unmoved_record_still_conflicts_when_the_phone_started_from_another_value():
    """The phone's base includes its own queued edit, which the server did not take."""
    out = merge_fields({"status": "no_show"}, {"status": "planned"}, {"status": "cancelled"}, record_moved_on=False)
    assert out.apply == {} and out.conflicts == [FieldConflict("status", "planned", "cancelled", "no_show")]


def test_unmoved_record_without_base_takes_the_change():
    assert merge_fields({"notes": "a"}, {}, {"notes": "b"}, record_moved_on=False).apply == {"notes": "b"}
