"""Applying a batch of phone mutations (POST /api/sync/push).

The batch is one transaction. Each mutation is checked and applied in turn
against an in-memory picture of the records it touches, so a rejected
mutation changes nothing and later mutations see earlier ones; the database is
then written once, in bulk. If that bulk write still fails (a constraint the
checks did not foresee), the transaction is rolled back and the batch is
applied again one mutation at a time, each in its own SAVEPOINT, so only the
offending mutation is rejected.

Every result is stored under its ``mutation_id``: a replay returns the stored
result and writes nothing.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from app.api_input import text_problem, text_problems
from app.db import utcnow
from app.sync import decide as decisions
from app.sync.changes import take_seqs
from app.sync.kinds import KINDS, Kind, checked_fields, column_values, data_of, is_kind
from app.sync.merge import DELETED
from app.sync.models import SyncConflict, SyncMutation
from app.sync.owners import owner_type

if TYPE_CHECKING:
    from app.accounts.models import User

MAX_MUTATIONS = 1000
SCHEMA_VERSION = 1
OPS = ("create", "update", "delete")


def _registered_kind(name: str) -> None:
    # Looked up at each call: features register their kinds after this module loads.
    if not is_kind(name):
        raise ValidationError(f"Must be one of: {', '.join(KINDS)}.")


class MutationSchema(Schema):
    class Meta:
        unknown = RAISE

    mutation_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=lambda name: _registered_kind(name))
    id = fields.UUID(required=True)
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    base_rev = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=0))
    base = fields.Dict(keys=fields.String(), load_default=dict)
    changes = fields.Dict(keys=fields.String(), load_default=dict)
    resolves = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=100))


_mutation_schema = MutationSchema()
_ENVELOPE_KEYS = frozenset(_mutation_schema.fields)


def _plain_envelope(raw: dict) -> dict | None:
    """The common, well-formed mutation, checked without marshmallow (it is
    most of push's cost); None sends it through MutationSchema, which has the
    last word and the error messages. Accepts only what the schema accepts."""
    try:
        if not raw.keys() <= _ENVELOPE_KEYS:
            return None
        base_rev = raw.get("base_rev")
        base, changes, resolves = raw.get("base", {}), raw.get("changes", {}), raw.get("resolves", [])
        if (not is_kind(raw["kind"]) or raw["op"] not in OPS
                or not (base_rev is None or (type(base_rev) is int and base_rev >= 0))
                or type(base) is not dict or type(changes) is not dict
                or type(resolves) is not list or len(resolves) > 100):
            return None
        return {"mutation_id": uuid.UUID(raw["mutation_id"]), "kind": raw["kind"], "id": uuid.UUID(raw["id"]),
                "op": raw["op"], "base_rev": base_rev, "base": base, "changes": changes,
                "resolves": [uuid.UUID(r) for r in resolves]}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _unstorable_text(raw: dict) -> dict[str, list[str]]:
    """Errors for text in a mutation that no database can store (a NUL, a lone
    UTF-16 surrogate: app/api_input.py), keyed like every mutation error: by
    the field of ``changes`` or ``base`` it is in, else by the mutation's own
    key, else (a bad key) ``_mutation``. Checked on each mutation, not the
    whole body, so one such entry does not block a phone's outbox."""
    errors: dict[str, list[str]] = {}
    for path, message in text_problems(raw):
        if len(path) >= 2 and path[0] in ("changes", "base") and isinstance(raw.get(path[0]), dict):
            key = path[1]
        elif path:
            key = path[0]
        else:
            key = "_mutation"
        messages = errors.setdefault(key, [])
        if message not in messages:
            messages.append(message)
    return errors


# Ids asked for in one IN (...): well under the database's limit on the
# parameters of one statement (PostgreSQL: 65,535; SQLite: 32,766). A batch
# may name 1,000 records and 100,000 conflicts.
IN_CHUNK = 5000


def chunks(ids) -> list[list]:
    ids = list(ids)
    return [ids[start:start + IN_CHUNK] for start in range(0, len(ids), IN_CHUNK)]


NO_SUCH_RECORD = "There is no such record, or it is not yours to change."


class Rejected(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def reject(field_name: str, message: str) -> Rejected:
    return Rejected({field_name: [message]})


@dataclass
class RecordState:
    """A record as this batch sees it (JSON-form fields)."""

    kind: Kind
    id: uuid.UUID
    owner_id: uuid.UUID
    data: dict
    rev: int
    deleted: bool
    in_database: bool
    rev_at_start: int | None = None  # before this batch; None: created in it
    changed: set = field(default_factory=set)  # columns to write
    touched: bool = False
    seq: int = 0


@dataclass
class Outcome:
    status: str
    rev: int | None = None
    conflicts: list = field(default_factory=list)
    errors: dict | None = None
    wrote_rev: int | None = None  # the rev it gave the record, if it wrote one (stored, not answered)

    def as_result(self, mutation_id) -> dict:
        result = {"mutation_id": mutation_id, "status": self.status}
        if self.rev is not None:
            result["rev"] = self.rev
        if self.conflicts:
            result["conflicts"] = self.conflicts
        if self.errors:
            result["errors"] = self.errors
        return result


def push(session: Session, user: User, device_id: uuid.UUID, raw_mutations: list) -> list[dict]:
    """Apply a batch and commit; returns one result per mutation, in order."""
    session.commit()  # end any read transaction before queueing for the write lock
    try:
        results = _Batch(session, user, device_id, _reserve_seqs(session, len(raw_mutations))).run(raw_mutations)
        session.commit()
        return results
    except (IntegrityError, DataError):
        session.rollback()
    seqs = _reserve_seqs(session, len(raw_mutations))
    results = []
    for raw in raw_mutations:
        savepoint = session.begin_nested()
        try:
            results.extend(_Batch(session, user, device_id, seqs).run([raw]))
            savepoint.commit()
        except (IntegrityError, DataError) as err:
            savepoint.rollback()
            results.append(_store_unsaveable(session, user, device_id, raw, err))
    session.commit()
    return results


def _reserve_seqs(session: Session, count: int):
    """Change numbers for up to ``count`` records (one per mutation at most),
    taken first thing: this takes the counter's lock, so writers queue here
    before touching any record. Numbers left unused are harmless gaps."""
    last = take_seqs(session, max(count, 1))
    return iter(range(last - count + 1, last + 1))


def _store_unsaveable(session, user, device_id, raw, err) -> dict:
    mutation_id = raw.get("mutation_id") if isinstance(raw, dict) else None
    outcome = Outcome("rejected", errors={"_record": [f"The server could not save this entry: {type(err.orig).__name__}."]})
    result = outcome.as_result(mutation_id)
    try:
        stored = SyncMutation(mutation_id=uuid.UUID(str(mutation_id)), user_id=user.id, device_id=device_id,
                              kind=str(raw.get("kind"))[:20], record_id=None, result=result)
    except ValueError:
        return result  # no usable mutation_id: nothing to store the result under
    savepoint = session.begin_nested()
    try:
        session.add(stored)
        session.flush()
        savepoint.commit()
    except (IntegrityError, DataError):
        savepoint.rollback()  # the id is taken: the stored result stands
    return result



class _Batch:
    """Loads what a batch's mutations are about, asks app/sync/decide.py about
    each in turn, and writes the outcome in bulk."""

    def __init__(self, session: Session, user: User, device_id: uuid.UUID, seqs):
        self.session = session
        self.seqs = seqs
        self.user = user
        self.device_id = device_id
        self.now = utcnow()
        self.states: dict[tuple[str, uuid.UUID], RecordState] = {}
        self.scopes: dict[tuple, set] = {}  # (owner type, scope name) -> ids of owners in that scope
        self.new_conflicts: list[dict] = []
        self.resolved: dict[uuid.UUID, uuid.UUID] = {}  # conflict id -> resolving mutation
        self.stored_results: list[dict] = []

    # -- the batch -------------------------------------------------------
    def run(self, raw_mutations: list) -> list[dict]:
        parsed = [self._parse(raw) for raw in raw_mutations]
        envelopes = [m for m in parsed if isinstance(m, dict)]
        earlier = self._stored_results({m["mutation_id"] for m in envelopes})
        self._load_records(envelopes)
        self.own_revs = self._own_revs(envelopes)
        self.conflicts, self.open_on_record = self._load_conflicts(
            {cid for m in envelopes for cid in m["resolves"]},
            {m["id"] for m in envelopes if m["op"] == "delete"},
        )

        results = []
        seen: dict[uuid.UUID, dict] = {}
        for item in parsed:
            if not isinstance(item, dict):  # envelope itself was bad
                results.append(item[1])
                continue
            mutation_id = item["mutation_id"]
            if mutation_id in earlier or mutation_id in seen:
                results.append(self._replayed(mutation_id, earlier.get(mutation_id) or seen[mutation_id]))
                continue
            outcome = self._apply_one(item)
            result = outcome.as_result(str(mutation_id))
            seen[mutation_id] = result
            results.append(result)
            self.stored_results.append(
                {"mutation_id": mutation_id, "user_id": self.user.id, "device_id": self.device_id,
                 "kind": item["kind"], "record_id": item["id"], "result": result,
                 "wrote_rev": outcome.wrote_rev, "created_at": self.now}
            )
        self._write()
        return results

    def _parse(self, raw):
        try:
            if not isinstance(raw, dict):
                raise ValidationError({"_mutation": ["Each mutation must be a JSON object."]})
            bad_text = _unstorable_text(raw)
            if bad_text:
                raise ValidationError(bad_text)
            return _plain_envelope(raw) or _mutation_schema.load(raw)
        except ValidationError as err:
            mutation_id = raw.get("mutation_id") if isinstance(raw, dict) else None
            if isinstance(mutation_id, str) and text_problem(mutation_id):
                mutation_id = None  # text that cannot be stored is not echoed either
            messages = err.messages if isinstance(err.messages, dict) else {"_mutation": err.messages}
            return ("bad", Outcome("rejected", errors=messages).as_result(mutation_id if isinstance(mutation_id, str) else None))

    def _replayed(self, mutation_id, stored) -> dict:
        if isinstance(stored, SyncMutation):
            if stored.user_id != self.user.id:
                return Outcome("rejected", errors={"mutation_id": ["This mutation_id was already used."]}).as_result(
                    str(mutation_id))
            return stored.result
        return stored

    def _stored_results(self, mutation_ids) -> dict:
        if not mutation_ids:
            return {}
        return {row.mutation_id: row for part in chunks(mutation_ids)
                for row in self.session.scalars(select(SyncMutation).where(SyncMutation.mutation_id.in_(part)))}

    def _load_records(self, envelopes) -> None:
        """The records the mutations are about, and the ones they name."""
        wanted: dict[str, set] = {}
        for m in envelopes:
            wanted.setdefault(m["kind"], set()).add(m["id"])
            for ref_field, ref_kind in KINDS[m["kind"]].references.items():
                value = m["changes"].get(ref_field)
                if isinstance(value, str):
                    try:
                        wanted.setdefault(ref_kind, set()).add(uuid.UUID(value))
                    except ValueError:
                        pass  # the field check will reject it
        self._load(wanted)
        # A guard sees the records its kind references, even those a
        # mutation does not name (the claim of an item being edited).
        also: dict[str, set] = {}
        for state in list(self.states.values()):
            if state.kind.guard is None:
                continue
            for ref_field, ref_kind in state.kind.references.items():
                value = state.data.get(ref_field)
                if value is not None and (ref_kind, uuid.UUID(value)) not in self.states:
                    also.setdefault(ref_kind, set()).add(uuid.UUID(value))
        self._load(also)

    def _load(self, wanted: dict[str, set]) -> None:
        for kind_name, ids in wanted.items():
            kind = KINDS[kind_name]
            table = kind.table
            rows = (row for part in chunks(ids)
                    for row in self.session.execute(select(table).where(table.c.id.in_(part))).mappings())
            for row in rows:
                self.states[(kind_name, row["id"])] = RecordState(
                    kind=kind,
                    id=row["id"],
                    owner_id=row[kind.owner_field],
                    data=data_of(kind, row),
                    rev=row["rev"],
                    deleted=row["deleted_at"] is not None,
                    in_database=True,
                    rev_at_start=row["rev"],
                )

    def _own_revs(self, envelopes) -> dict:
        """For each record a delete reaches from before the rev it had when
        this batch began: the revs this device's earlier mutations wrote to
        it (answered or not). Only a rev a mutation wrote counts, never the
        rev a result answered (a no-op answers someone else's rev)."""
        behind = set()
        for m in envelopes:
            state = self.states.get((m["kind"], m["id"]))
            if m["op"] == "delete" and state is not None and state.rev_at_start is not None \
                    and (m["base_rev"] or 0) < state.rev_at_start:
                behind.add(m["id"])
        revs: dict = {}
        for part in chunks(behind):
            rows = self.session.execute(select(SyncMutation.kind, SyncMutation.record_id, SyncMutation.wrote_rev).where(
                SyncMutation.record_id.in_(part), SyncMutation.device_id == self.device_id,
                SyncMutation.user_id == self.user.id, SyncMutation.wrote_rev.is_not(None)))
            for kind_name, record_id, rev in rows:
                revs.setdefault((kind_name, record_id), set()).add(rev)
        return {key: frozenset(found) for key, found in revs.items()}

    def _load_conflicts(self, ids, deleted_record_ids) -> tuple[dict, dict]:
        """In one query: the conflicts named in ``resolves``, and the open
        conflicts on records the batch deletes (an applied delete settles them)."""
        wanted = [SyncConflict.id.in_(part) for part in chunks(ids)]
        wanted += [and_(SyncConflict.resolved_at.is_(None), SyncConflict.record_id.in_(part))
                   for part in chunks(deleted_record_ids)]
        found = {}
        for condition in wanted:  # one query each: a batch may name 100,000 conflicts
            for c in self.session.scalars(select(SyncConflict).where(condition)):
                found[c.id] = c
        by_id, open_on_record = {}, {}
        for c in sorted(found.values(), key=lambda c: (c.created_at, str(c.id))):
            by_id[c.id] = c
            if c.resolved_at is None:
                open_on_record.setdefault((c.kind, c.record_id), []).append(c.id)
        return by_id, open_on_record

    def _in_scope(self, owner_type_name: str, owner_id, scope_name: str | None = None) -> bool:
        key = (owner_type_name, scope_name)
        scope = self.scopes.get(key)
        if scope is None:
            owner = owner_type(owner_type_name)
            select_ids = owner.scope if scope_name is None else owner.extra_scopes[scope_name]
            scope = self.scopes[key] = set(self.session.scalars(select_ids(self.user)))
        return owner_id in scope

    # -- one mutation ----------------------------------------------------
    def _apply_one(self, m: dict) -> Outcome:
        kind = KINDS[m["kind"]]
        try:
            if not kind.phone_writable:
                raise reject("kind", kind.read_only)
            changes = self._checked_changes(kind, m["changes"])
            base = self._normalised_base(kind, m["base"])
            state = self.states.get((kind.name, m["id"]))
            if state is not None and not self._in_scope(kind.owner, state.owner_id):
                # The same answer as for a missing record: ids of other pairs' records are not confirmed.
                raise reject("id", NO_SUCH_RECORD)
            resolving = self._checked_resolutions(m)
            if m["op"] == "create" and state is None:
                return self._create(kind, m, changes)
            if state is None:
                raise reject("id", NO_SUCH_RECORD)
            replay = m["op"] == "create" and not state.deleted and all(
                state.data.get(k) == v for k, v in changes.items())
            if not replay:
                after = None if m["op"] == "delete" else {**state.data, **changes}
                self._check_guard(kind, state.data, after)
            decision = decisions.decide(
                kind,
                decisions.Current(state.data, state.rev, state.deleted, state.rev_at_start,
                                  self.own_revs.get((kind.name, state.id), frozenset())),
                decisions.Mutation(m["op"], changes, base, m["base_rev"],
                                   settles_delete=any(c.field == DELETED for c in resolving)),
            )
            replayed_create = m["op"] == "create" and decision.status == "applied" and not decision.changes_record
            if m["op"] != "delete" and decision.status != "rejected" and not replayed_create:
                self._check_references(kind, changes, state.owner_id, skip=kind.immutable)
            return self._carry_out(decision, m, state, resolving)
        except Rejected as err:
            return Outcome("rejected", errors=err.errors)

    def _carry_out(self, decision: decisions.Decision, m: dict, state: RecordState, resolving) -> Outcome:
        if decision.status == "rejected":
            return Outcome("rejected", errors=decision.errors)
        wrote_rev = None
        if decision.changes_record:
            if decision.deleted is not None:
                state.deleted = decision.deleted
            state.data.update(decision.write)
            state.rev += 1
            state.changed |= set(decision.write)
            state.touched = True
            wrote_rev = state.rev
        if decision.settles:
            for conflict in resolving:
                self.resolved[conflict.id] = m["mutation_id"]
        if decision.deleted:
            # The record is gone: whatever was open on it is moot, including
            # conflicts raised earlier in this batch.
            for conflict_id in self.open_on_record.get((state.kind.name, state.id), ()):
                self.resolved.setdefault(conflict_id, m["mutation_id"])
        conflict_ids = self._raise_conflicts(m, state, decision.conflicts)
        return Outcome(decision.status, rev=state.rev, conflicts=conflict_ids, wrote_rev=wrote_rev)

    def _check_guard(self, kind: Kind, before: dict | None, after: dict | None) -> None:
        if kind.guard is None:
            return
        data = after if after is not None else before
        referenced = {}
        for field_name, ref_kind in kind.references.items():
            value = data.get(field_name)
            target = self.states.get((ref_kind, uuid.UUID(value))) if value is not None else None
            referenced[field_name] = target.data if target is not None and not target.deleted else None
        errors = kind.guard(before, after, referenced)
        if errors:
            raise Rejected(errors)

    def _checked_changes(self, kind: Kind, changes: dict) -> dict:
        try:
            return checked_fields(kind, changes)
        except ValidationError as err:
            raise Rejected(err.messages) from None

    def _normalised_base(self, kind: Kind, base: dict) -> dict:
        unknown = [name for name in base if name not in kind.schema.fields]
        if unknown:
            raise Rejected({name: ["Unknown field."] for name in unknown})
        normalised = {}
        for name, value in base.items():
            try:
                normalised[name] = kind.schema.fields[name].deserialize(value, name, base)
            except ValidationError:
                normalised[name] = value  # only ever compared
        return normalised

    def _checked_resolutions(self, m: dict) -> list[SyncConflict]:
        resolving = []
        for conflict_id in m["resolves"]:
            conflict = self.conflicts.get(conflict_id)
            if conflict is None or not self._in_scope(conflict.owner_type, conflict.owner_id):
                raise reject("resolves", f"There is no conflict {conflict_id}.")
            if conflict.record_id != m["id"] or conflict.kind != m["kind"]:
                raise reject("resolves", f"Conflict {conflict_id} is about another record.")
            if conflict.resolved_at is None and conflict.id not in self.resolved:
                resolving.append(conflict)
        return resolving

    def _reference(self, kind_name: str, value: str | None, field_name: str, scope_name=None) -> RecordState | None:
        if value is None:
            return None
        target = self.states.get((kind_name, uuid.UUID(value)))
        if target is None or target.deleted or not self._in_scope(target.kind.owner, target.owner_id, scope_name):
            raise reject(field_name, f"There is no such {kind_name} (it may not have synced yet).")
        return target

    def _check_references(self, kind: Kind, values: dict, owner_id, *, skip=(), scope_name=None) -> None:
        """Each record named must be there for this user, with the same owner."""
        for field_name, ref_kind in kind.references.items():
            if field_name not in values or field_name in skip or field_name == kind.owner_from:
                continue
            target = self._reference(ref_kind, values[field_name], field_name, scope_name)
            if target is not None and target.kind.owner == kind.owner and target.owner_id != owner_id:
                raise reject(field_name, f"That {ref_kind} belongs to another {owner_type(kind.owner).noun}.")

    def _create(self, kind: Kind, m: dict, changes: dict) -> Outcome:
        data, rejection = decisions.new_record(kind, changes, self.now)
        if rejection is not None:
            return Outcome("rejected", errors=rejection.errors)
        if kind.owner_from is not None:
            parent = self._reference(kind.references[kind.owner_from], data[kind.owner_from], kind.owner_from)
            owner_id = parent.owner_id
            if kind.owner_field in kind.fields:
                data[kind.owner_field] = str(owner_id)
        elif kind.owned_by_author:
            owner_id = self.user.id
            if kind.owner_field in kind.fields:
                data[kind.owner_field] = str(owner_id)
        else:
            owner_id = uuid.UUID(data[kind.owner_field])
        if not self._in_scope(kind.owner, owner_id, kind.create_scope):
            raise reject(kind.owner_field, f"You cannot see or change records of this {owner_type(kind.owner).noun}.")
        self._check_references(kind, data, owner_id, scope_name=kind.create_scope)
        self._check_guard(kind, None, data)
        state = RecordState(kind=kind, id=m["id"], owner_id=owner_id, data=data, rev=1, deleted=False,
                            in_database=False, changed=set(data), touched=True)
        self.states[(kind.name, m["id"])] = state
        return Outcome("applied", rev=1, wrote_rev=1)

    def _raise_conflicts(self, m, state, conflicts) -> list[str]:
        ids = []
        for c in conflicts:
            conflict_id = uuid.uuid4()
            ids.append(str(conflict_id))
            self.new_conflicts.append(
                {"id": conflict_id, "kind": state.kind.name, "record_id": state.id, "owner_type": state.kind.owner,
                 "owner_id": state.owner_id, "field": c.field, "base": c.base, "mine": c.mine, "theirs": c.theirs,
                 "raised_by_id": self.user.id, "mutation_id": m["mutation_id"], "created_at": self.now}
            )
            self.open_on_record.setdefault((state.kind.name, state.id), []).append(conflict_id)
        return ids

    # -- writing ---------------------------------------------------------
    def _write(self) -> None:
        touched = [s for s in self.states.values() if s.touched]
        for state in touched:
            state.seq = next(self.seqs)
        inserts: dict[str, list] = {}
        updates: dict[tuple, list] = {}
        for state in touched:
            row = column_values(state.kind, {name: state.data[name] for name in state.changed})
            row.update(rev=state.rev, seq=state.seq, updated_at=self.now, updated_by_id=self.user.id,
                       deleted_at=self.now if state.deleted else None)
            if state.in_database:
                row["b_id"] = state.id
                updates.setdefault((state.kind.name, tuple(sorted(row))), []).append(row)
            else:
                row.update(id=state.id, created_at=self.now, created_by_id=self.user.id)
                if state.kind.owner_field != "id":
                    row[state.kind.owner_field] = state.owner_id
                inserts.setdefault(state.kind.name, []).append(row)
        for kind_name, rows in inserts.items():
            self.session.execute(insert(KINDS[kind_name].table), rows)
        for (kind_name, _columns), rows in updates.items():
            table = KINDS[kind_name].table
            # executemany: the SET clause comes from the keys of the rows.
            self.session.execute(update(table).where(table.c.id == bindparam("b_id")), rows)
        written: dict[str, set] = {}
        for state in touched:
            if state.kind.after_write is not None:
                written.setdefault(state.kind.name, set()).add(state.owner_id)
        for kind_name, owner_ids in written.items():
            KINDS[kind_name].after_write(self.session, owner_ids)
        if self.new_conflicts:
            self.session.execute(insert(SyncConflict.__table__), self.new_conflicts)
        if self.resolved:
            table = SyncConflict.__table__
            self.session.execute(
                update(table).where(table.c.id == bindparam("b_id")),
                [{"b_id": cid, "resolved_at": self.now, "resolved_by_id": self.user.id,
                  "resolved_by_mutation_id": mid} for cid, mid in self.resolved.items()],
            )
        if self.stored_results:
            self.session.execute(insert(SyncMutation.__table__), self.stored_results)
