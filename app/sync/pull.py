"""What a phone gets from GET /api/sync/pull.

The cursor carries the last change number the phone has (``after``) and, while
a first full snapshot is being paged, the number that snapshot started at
(``snapshot``): tombstones up to it are left out, since the phone never had
those records.

Every page reads the committed counter first and asks only for change numbers
up to it (see app/sync/changes.py), so a change that commits late is never
stepped over.
"""
from __future__ import annotations

import base64
import binascii
import heapq
from dataclasses import dataclass
from datetime import timedelta

from collections.abc import Callable

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.sync.changes import committed_seq
from app.sync.kinds import KINDS, Kind, data_of, json_value
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
    scopes = {name: owner.scope(user) for name, owner in OWNER_TYPES.items()}  # SELECTs, used as subqueries

    rows = heapq.merge(*(_changed(session, kind, scopes[kind.owner], cursor, upto, limit + 1) for kind in KINDS.values()),
                       key=lambda change: change[0])
    page, has_more = [], False
    for change in rows:
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
    body = {
        "changes": [change[1] for change in page],
        "removed": removed,
        "conflicts": open_conflicts(session, user),
        "settled": settled_conflicts(session, user),
    }
    body.update((name, make(session, user)) for name, make in SECTIONS.items())
    body.update(cursor=next_cursor.encode(), has_more=has_more)
    return body


def _changed(session, kind: Kind, scope, cursor: Cursor, upto: int, limit: int):
    table = kind.table
    owner = table.c[kind.owner_field]
    query = select(table).where(owner.in_(scope), table.c.seq > cursor.after, table.c.seq <= upto)
    if cursor.snapshot:
        query = query.where(or_(table.c.deleted_at.is_(None), table.c.seq > cursor.snapshot))
    for row in session.execute(query.order_by(table.c.seq).limit(limit)).mappings():
        deleted = row["deleted_at"] is not None
        yield row["seq"], {
            "kind": kind.name,
            "id": str(row["id"]),
            "rev": row["rev"],
            "deleted": deleted,
            "data": None if deleted else data_of(kind, row),
        }, (kind.owner, str(row[kind.owner_field]))


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
    gone = {}
    for owner_type, ids in candidates.items():
        scope = OWNER_TYPES[owner_type].scope(user)
        still = set(session.scalars(scope.where(scope.selected_columns[0].in_(ids))))
        if ids - still:
            gone[owner_type] = ids - still
    removed = []
    for kind in KINDS.values():
        owners = gone.get(kind.owner)
        if not owners:
            continue
        if kind.owner_field == "id":  # the owners themselves
            removed.extend({"kind": kind.name, "id": str(owner_id)} for owner_id in sorted(owners, key=str))
            continue
        table = kind.table
        ids = session.scalars(select(table.c.id).where(table.c[kind.owner_field].in_(owners)))
        removed.extend({"kind": kind.name, "id": str(record_id)} for record_id in ids)
    return removed


def _in_scope(user: User, owner_type_column, owner_id_column):
    """SQL: the (owner type, owner id) columns name an owner in ``user``'s scope."""
    return or_(false(), *(and_(owner_type_column == name, owner_id_column.in_(owner.scope(user)))
                          for name, owner in OWNER_TYPES.items()))


def open_conflicts(session: Session, user: User) -> list[dict]:
    conflicts = session.execute(
        select(SyncConflict, User.name)
        .join(User, User.id == SyncConflict.raised_by_id)
        .where(SyncConflict.resolved_at.is_(None), _in_scope(user, SyncConflict.owner_type, SyncConflict.owner_id))
        .order_by(SyncConflict.created_at, SyncConflict.id)
    )
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
        for c, raised_by_name in conflicts
    ]


def settled_conflicts(session: Session, user: User) -> list[dict]:
    """Conflicts in scope settled lately (server clock), newest first, so a
    phone can say that one it showed was settled on another phone."""
    rows = session.execute(
        select(SyncConflict.id, SyncConflict.kind, SyncConflict.record_id, SyncConflict.field,
               SyncConflict.resolved_by_id, User.name, SyncConflict.resolved_at)
        .outerjoin(User, User.id == SyncConflict.resolved_by_id)
        .where(SyncConflict.resolved_at >= utcnow() - SETTLED_WITHIN,
               _in_scope(user, SyncConflict.owner_type, SyncConflict.owner_id))
        .order_by(SyncConflict.resolved_at.desc(), SyncConflict.id)
        .limit(MAX_SETTLED)
    )
    return [
        {
            "id": str(conflict_id),
            "kind": kind,
            "record_id": str(record_id),
            "field": field,
            "resolved_by": resolved_by and str(resolved_by),
            "resolved_by_name": resolved_by_name,
            "resolved_at": json_value(resolved_at),
        }
        for conflict_id, kind, record_id, field, resolved_by, resolved_by_name, resolved_at in rows
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

