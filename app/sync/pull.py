"""What a phone gets from GET /api/sync/pull.

The cursor carries the last change number the phone has (``after``) and, while
a first full snapshot is being paged, the number that snapshot started at
(``snapshot``): tombstones up to it are left out, since the phone never had
those records.

Every page reads the committed counter first and asks only for change numbers
up to it (see app/sync/changes.py), so a change that commits late is never
stepped over.

A pull costs the same few statements whatever the number of kinds, owner
types or owners (tests/sync/test_pull_statements.py): each owner type's scope
is worked out once, as a common table expression, and every kind's changes
come in one UNION ALL; the records of owners that left scope, and the open and
settled conflicts, come in one statement each.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import Integer, String, Text, and_, cast, false, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.db import utcnow
from app.sync.changes import committed_seq
from app.sync.kinds import KINDS, data_of, json_value
from app.sync.models import ScopeEvent, SyncConflict
from app.sync.owners import OWNER_TYPES, audiences_of

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
SETTLED_WITHIN = timedelta(days=7)  # how far back ``settled`` looks
MAX_SETTLED = 100


# Sections features add to every pull: name -> (session, user) -> JSON value.
SECTIONS: dict[str, Callable[[Session, User], object]] = {}


def register_section(name: str, make: Callable[[Session, User], object]) -> None:
    SECTIONS[name] = make


# Told, after each page, whose records it served: (session, user, {(owner
# type, owner id)}). The audit log listens (app/features.py).
SERVED_HOOKS: list[Callable[[Session, User, set[tuple[str, str]]], None]] = []


def on_served(hook: Callable[[Session, User, set[tuple[str, str]]], None]) -> None:
    SERVED_HOOKS.append(hook)


class BadCursor(ValueError):
    """A cursor this server did not give out; the phone pulls afresh."""


@dataclass(frozen=True)
class Cursor:
    after: int = 0
    snapshot: int = 0  # >0 while paging a first snapshot

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"v1:{self.after}:{self.snapshot}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            version, after, snapshot = raw.split(":")
            if version != "v1":
                raise ValueError
            cursor = cls(int(after), int(snapshot))
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise BadCursor("The cursor is not one this server gave out; pull again without a cursor.") from None
        if not (0 <= cursor.after < 2**62 and 0 <= cursor.snapshot < 2**62):
            raise BadCursor("The cursor is not one this server gave out; pull again without a cursor.")
        return cursor


def pull(session: Session, user: User, cursor: Cursor | None, limit: int = DEFAULT_LIMIT) -> dict:
    upto = committed_seq(session)  # read first: everything up to here has committed
    if cursor is None:
        cursor = Cursor(after=0, snapshot=upto)
    elif cursor.after > upto or cursor.snapshot > upto:
        raise BadCursor("The cursor is ahead of this server; pull again without a cursor.")
    # Each owner type's scope, worked out once in each statement that needs it.
    scopes = {name: owner.scope(user).cte(f"scope_{name}") for name, owner in OWNER_TYPES.items()}

    page, has_more = [], False
    for change in _changed(session, scopes, cursor, upto, limit + 1):
        if len(page) == limit:
            has_more = True
            break
        page.append(change)
    page_end = page[-1][0] if has_more else upto

    # Scope changes already reflected in a snapshot need no ``removed``.
    removed = _removed(session, user, max(cursor.after, cursor.snapshot), page_end)
    still_snapshot = has_more and cursor.snapshot
    next_cursor = Cursor(after=page_end, snapshot=cursor.snapshot if still_snapshot else 0)
    served = {change[2] for change in page}
    for hook in SERVED_HOOKS:
        hook(session, user, served)
    conflicts, settled = _conflicts(session, scopes)
    body = {
        "changes": [change[1] for change in page],
        "removed": removed,
        "conflicts": conflicts,
        "settled": settled,
    }
    body.update((name, make(session, user)) for name, make in SECTIONS.items())
    body.update(cursor=next_cursor.encode(), has_more=has_more)
    return body


# The UNION ALL of every kind's changes needs one column list for all kinds.
# Besides the columns every record has, each kind's fields go in typed slots,
# shared across kinds by type (a row holds NULL in the slots its kind does not
# use), so every value keeps its column's type and conversions, and the list
# stays narrow: as many slots of a type as the kind with most fields of it.


def _slot_type(column_type) -> str:
    """Which slots a column can share: all text alike, else the exact type."""
    return "text" if type(column_type) in (String, Text) else repr(column_type)


@lru_cache(maxsize=4)
def _columns(kind_names: tuple[str, ...]) -> tuple[tuple, dict]:
    """Each kind's columns for the UNION ALL, and where each field is:
    ({kind name: [column, ...]}, {kind name: [(field, slot label), ...]})."""
    kinds = [KINDS[name] for name in kind_names]
    slots: dict[str, list[str]] = {}  # slot type -> labels
    cast_to: dict[str, object] = {}  # label -> the SQL type of its NULL
    placed: dict[str, list[tuple[str, str]]] = {}
    for kind in kinds:
        used: dict[str, int] = {}
        for name in kind.fields:
            column_type = kind.table.c[name].type
            key = _slot_type(column_type)
            n = used[key] = used.get(key, -1) + 1
            labels = slots.setdefault(key, [])
            if n == len(labels):
                labels.append(f"s{sum(map(len, slots.values()))}")
                cast_to[labels[-1]] = Text() if key == "text" else column_type
            placed.setdefault(kind.name, []).append((name, labels[n]))
    columns = {}
    for number, kind in enumerate(kinds):
        table = kind.table
        mine = {label: name for name, label in placed.get(kind.name, [])}
        columns[kind.name] = [table.c.seq, literal(number, Integer).label("kind_no"),
                              table.c[kind.owner_field].label("owner_id"), table.c.id, table.c.rev,
                              table.c.deleted_at] + [
            table.c[mine[label]].label(label) if label in mine else cast(null(), cast_to[label]).label(label)
            for labels in slots.values() for label in labels]
    return columns, placed


def _changed(session, scopes: dict, cursor: Cursor, upto: int, limit: int):
    """(seq, change, (owner type, owner id)) of every kind's records in scope
    changed after the cursor, oldest change first, at most ``limit``: one
    statement over all the kinds."""
    kinds = tuple(KINDS.values())
    if not kinds:
        return
    columns, placed = _columns(tuple(KINDS))
    branches = []
    for kind in kinds:
        table = kind.table
        branch = select(*columns[kind.name]).where(
            table.c[kind.owner_field].in_(select(scopes[kind.owner])), table.c.seq > cursor.after, table.c.seq <= upto)
        if cursor.snapshot:
            branch = branch.where(or_(table.c.deleted_at.is_(None), table.c.seq > cursor.snapshot))
        branches.append(branch)
    changed = union_all(*branches)
    order = changed.selected_columns
    for row in session.execute(changed.order_by(order.seq, order.kind_no).limit(limit)).mappings():
        kind = kinds[row["kind_no"]]
        deleted = row["deleted_at"] is not None
        yield row["seq"], {
            "kind": kind.name,
            "id": str(row["id"]),
            "rev": row["rev"],
            "deleted": deleted,
            "data": None if deleted else data_of(kind, {name: row[label] for name, label in placed.get(kind.name, ())}),
        }, (kind.owner, str(row["owner_id"]))


def _removed(session, user: User, after: int, upto: int) -> list[dict]:
    """Owners that left this user's scope in (after, upto], and their records."""
    audiences = audiences_of(user)
    if not audiences:
        return []
    events = session.execute(
        select(ScopeEvent.owner_type, ScopeEvent.owner_id)
        .where(ScopeEvent.seq > after, ScopeEvent.seq <= upto,
               or_(*(and_(ScopeEvent.audience_kind == kind, ScopeEvent.audience_id.in_(ids)) for kind, ids in audiences)))
    )
    candidates: dict[str, set] = {}
    for owner_type, owner_id in events:
        candidates.setdefault(owner_type, set()).add(owner_id)
    if not candidates:
        return []
    gone = _out_of_scope(session, user, candidates)
    kinds = tuple(KINDS.values())
    removed: list[dict] = []
    records = [select(literal(number, Integer).label("kind_no"), kind.table.c.id)
               .where(kind.table.c[kind.owner_field].in_(gone[kind.owner]))
               for number, kind in enumerate(kinds) if gone.get(kind.owner) and kind.owner_field != "id"]
    by_kind: dict[int, list] = {}
    if records:
        hanging = union_all(*records)
        order = hanging.selected_columns
        for number, record_id in session.execute(hanging.order_by(order.kind_no, order.id)):
            by_kind.setdefault(number, []).append(record_id)
    for number, kind in enumerate(kinds):
        owners = gone.get(kind.owner)
        if not owners:
            continue
        if kind.owner_field == "id":  # the owners themselves
            removed.extend({"kind": kind.name, "id": str(owner_id)} for owner_id in sorted(owners, key=str))
        else:
            removed.extend({"kind": kind.name, "id": str(record_id)} for record_id in by_kind.get(number, []))
    return removed


def _out_of_scope(session, user: User, candidates: dict[str, set]) -> dict[str, set]:
    """Of the candidate owners (owner type -> ids), those not in ``user``'s
    scope now: one statement over the owner types."""
    still_in = []
    for owner_type, ids in candidates.items():
        scope = OWNER_TYPES[owner_type].scope(user)
        found = scope.where(scope.selected_columns[0].in_(ids)).subquery()
        still_in.append(select(literal(owner_type).label("owner_type"), found.c[0].label("owner_id")))
    still: dict[str, set] = {}
    for owner_type, owner_id in session.execute(union_all(*still_in)):
        still.setdefault(owner_type, set()).add(owner_id)
    gone = {owner_type: ids - still.get(owner_type, set()) for owner_type, ids in candidates.items()}
    return {owner_type: ids for owner_type, ids in gone.items() if ids}


def _in_scope(scopes: dict, owner_type_column, owner_id_column):
    """SQL: the (owner type, owner id) columns name an owner in the scopes
    given (owner type -> a SELECT of owner ids, or a CTE of them)."""
    return or_(false(), *(and_(owner_type_column == name, owner_id_column.in_(select(scope)))
                          for name, scope in scopes.items()))


def _conflicts(session: Session, scopes: dict) -> tuple[list[dict], list[dict]]:
    """In one statement: every open conflict in scope, oldest first; and the
    conflicts in scope settled lately (server clock), newest first, at most
    MAX_SETTLED, so a phone can say that one it showed was settled on another
    phone."""
    in_scope = _in_scope(scopes, SyncConflict.owner_type, SyncConflict.owner_id)
    settled_ids = (select(SyncConflict.id)
                   .where(SyncConflict.resolved_at >= utcnow() - SETTLED_WITHIN, in_scope)
                   .order_by(SyncConflict.resolved_at.desc(), SyncConflict.id)
                   .limit(MAX_SETTLED))
    raiser, resolver = aliased(User), aliased(User)
    rows = session.execute(
        select(SyncConflict, raiser.name, resolver.name)
        .join(raiser, raiser.id == SyncConflict.raised_by_id)
        .outerjoin(resolver, resolver.id == SyncConflict.resolved_by_id)
        .where(or_(and_(SyncConflict.resolved_at.is_(None), in_scope), SyncConflict.id.in_(settled_ids)))
    ).all()
    # The orders of the two lists (ids break ties, as the database sorts them).
    open_ = sorted((row for row in rows if row[0].resolved_at is None),
                   key=lambda row: (row[0].created_at, row[0].id))
    settled = sorted((row for row in rows if row[0].resolved_at is not None), key=lambda row: row[0].id)
    settled.sort(key=lambda row: row[0].resolved_at, reverse=True)
    return [
        {
            "id": str(c.id),
            "kind": c.kind,
            "record_id": str(c.record_id),
            "field": c.field,
            "base": c.base,
            "mine": c.mine,
            "theirs": c.theirs,
            "raised_by": str(c.raised_by_id),
            "raised_by_name": raised_by_name,
            "created_at": json_value(c.created_at),
        }
        for c, raised_by_name, _resolver in open_
    ], [
        {
            "id": str(c.id),
            "kind": c.kind,
            "record_id": str(c.record_id),
            "field": c.field,
            "resolved_by": c.resolved_by_id and str(c.resolved_by_id),
            "resolved_by_name": resolved_by_name,
            "resolved_at": json_value(c.resolved_at),
        }
        for c, _raiser, resolved_by_name in settled
    ]


def parse_limit(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}.") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return limit

