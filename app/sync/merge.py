"""Per-field three-way merge of a phone's edit into the server's record.

Pure rules on plain values: no Flask, no database. Values are in their JSON
form (strings, numbers, booleans, None), so equality is plain ``==``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

DELETED = "_deleted"  # the "field" of a conflict between a delete and an edit


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: object
    mine: object  # what the phone wanted
    theirs: object  # what the server kept


@dataclass
class MergeOutcome:
    apply: dict = field(default_factory=dict)  # field -> new value to write
    conflicts: list[FieldConflict] = field(default_factory=list)


_MISSING = object()


def merge_fields(current: dict, base: dict, changes: dict, *, record_moved_on: bool) -> MergeOutcome:
    """Merge ``changes`` (made from ``base``) into ``current``, field by field.

    The server still has the base value -> take the new one; the server
    already has the new value -> nothing to do; else -> conflict, and the
    server keeps its value. This holds even when the record has not moved on
    since the phone's ``base_rev``: a phone's base includes its own queued
    edits, and one of those may have ended in a conflict, so the server's value
    is not the one the person saw. A field whose base the phone did not send
    counts as seen when the record has not moved on, and as nothing (None)
    when it has.
    """
    outcome = MergeOutcome()
    for name, mine in changes.items():
        theirs = current.get(name)
        if theirs == mine:
            continue
        started_from = base.get(name, _MISSING)
        if started_from is _MISSING:
            started_from = None if record_moved_on else theirs
        if theirs == started_from:
            outcome.apply[name] = mine
        else:
            outcome.conflicts.append(FieldConflict(name, started_from, mine, theirs))
    return outcome


def status_of(outcome: MergeOutcome, *, record_moved_on: bool) -> str:
    if outcome.conflicts:
        return "conflict"
    return "merged" if record_moved_on else "applied"
