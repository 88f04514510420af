"""What to do with one phone mutation: pure rules on plain values.

The push batch (app/sync/push.py) loads the record a mutation is about, checks
its fields, references and scope, calls one of these, and writes what the
decision says. No Flask, no database; values are in their JSON form. The
rules (docs/sync-protocol.md):

- a create for an id that exists with the same content is a replay; with
  other content it is an update from no base;
- an update merges field by field (app/sync/merge.py);
- an edit of a deleted record is a conflict, unless it settles that very
  conflict by keeping the edit, which restores the record;
- a delete applies only if every change since ``base_rev`` is the phone's
  own (made earlier in the same batch, or by this device's earlier pushes
  whose answers may have been lost: it made them, so it saw them) or if it
  settles a delete-vs-edit conflict; otherwise it is a conflict.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from app.sync.kinds import Kind
from app.sync.merge import DELETED, FieldConflict, merge_fields, status_of


@dataclass(frozen=True)
class Current:
    """The record as the batch sees it."""

    data: dict
    rev: int
    deleted: bool
    rev_at_start: int | None = None  # its rev before this batch; None: the batch created it
    # The revs up to rev_at_start that this device's earlier mutations wrote
    # (sync_mutations.wrote_rev), whether or not their answers arrived.
    own_revs: frozenset = frozenset()


@dataclass(frozen=True)
class Mutation:
    op: str  # create, update or delete
    changes: dict = field(default_factory=dict)
    base: dict = field(default_factory=dict)
    base_rev: int | None = None
    settles_delete: bool = False  # it resolves a delete-vs-edit conflict on this record


@dataclass
class Decision:
    status: str  # applied, merged, conflict or rejected
    write: dict = field(default_factory=dict)  # field -> new value
    deleted: bool | None = None  # the record's new deleted state; None: unchanged
    conflicts: list[FieldConflict] = field(default_factory=list)
    settles: bool = False  # the conflicts the mutation resolves are settled
    errors: dict | None = None

    @property
    def changes_record(self) -> bool:
        return bool(self.write) or self.deleted is not None


def rejected(errors: dict) -> Decision:
    return Decision("rejected", errors=errors)


def new_record(kind: Kind, changes: dict, now: datetime) -> tuple[dict, Decision | None]:
    """The data of a record a create makes, or a rejection."""
    # Fields phones may not write (worked out or set by the server) keep the
    # column's default.
    data = {name: None for name in kind.fields if name in kind.schema.fields or name == kind.owner_field}
    data.update(kind.defaults)
    data.update(changes)
    for name in kind.stamped:  # older phones do not send it
        if data[name] is None:
            data[name] = now.isoformat(timespec="seconds")
    missing = [name for name in kind.required if data.get(name) is None]
    if missing:
        return data, rejected({name: ["Missing data for required field."] for name in missing})
    problems = kind.problems(data) if kind.problems else {}
    return data, (rejected(problems) if problems else None)


def decide(kind: Kind, current: Current, m: Mutation) -> Decision:
    """The decision on a mutation of a record that exists."""
    if m.op == "create" and not current.deleted and all(current.data.get(k) == v for k, v in m.changes.items()):
        return Decision("applied", settles=True)  # the same create again
    if kind.write_once:
        return rejected({"op": [kind.write_once]})
    if m.base_rev is not None and m.base_rev > current.rev:
        return rejected({"base_rev": [f"base_rev {m.base_rev} is newer than the server's rev {current.rev}."]})
    if m.op == "create":  # an id that exists, with other content
        return _update(kind, current, m.changes, {}, None, m.settles_delete)
    if m.op == "update":
        return _update(kind, current, m.changes, m.base, m.base_rev, m.settles_delete)
    return _delete(current, m.base_rev, m.settles_delete)


def immutable_errors(kind: Kind, current: Current, changes: dict) -> dict:
    for name in kind.immutable:
        if name in changes and changes[name] != current.data.get(name):
            return {name: [f"{name} cannot change once the record exists."]}
    return {}


def _problems(kind: Kind, data: dict) -> dict:
    return kind.problems(data) if kind.problems else {}


def _update(kind, current, changes, base, base_rev, settles_delete) -> Decision:
    errors = immutable_errors(kind, current, changes)
    if errors:
        return rejected(errors)
    if current.deleted:
        if not settles_delete:
            return Decision("conflict", conflicts=[FieldConflict(DELETED, None, changes, {"deleted": True})])
        # The person chose to keep their edit over the delete: restore it.
        if not changes:
            return Decision("applied", settles=True)
        problems = _problems(kind, {**current.data, **changes})
        if problems:
            return rejected(problems)
        return Decision("applied", write=dict(changes), deleted=False, settles=True)
    moved_on = base_rev is None or base_rev < current.rev
    merged = merge_fields(current.data, base, changes, record_moved_on=moved_on)
    problems = _problems(kind, {**current.data, **merged.apply})
    if problems:
        return rejected(problems)
    return Decision(status_of(merged, record_moved_on=moved_on), write=merged.apply, conflicts=merged.conflicts,
                    settles=True)


def _delete(current, base_rev, settles_delete) -> Decision:
    if current.deleted:
        return Decision("applied", settles=True)
    if only_own_changes_since(current, base_rev) or settles_delete:
        return Decision("applied", deleted=True, settles=True)
    return Decision("conflict", conflicts=[FieldConflict(DELETED, None, {"deleted": True}, copy.deepcopy(current.data))])


def only_own_changes_since(current: Current, base_rev: int | None) -> bool:
    """Every rev after ``base_rev`` was written by this device: the revs this
    batch wrote (after ``rev_at_start``) and those before it in ``own_revs``.
    ``base_rev`` null: the phone never had a rev (it made the record), so
    every rev from the first counts."""
    if current.rev_at_start is None:
        return True  # the batch created it: every rev is this batch's
    return all(rev in current.own_revs for rev in range((base_rev or 0) + 1, current.rev_at_start + 1))
