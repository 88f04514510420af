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

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.scope import client_scope, clients_in_scope, current_pair_ids
from app.sync.changes import committed_seq
from app.sync.kinds import KINDS, data_of, json_value
from app.sync.models import ScopeEvent, SyncConflict
from app.volunteers.models import MentorPair, PairMembership

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
SETTLED_WITHIN = timedelta(days=7)  # how far back ``settled`` looks
MAX_SETTLED = 100


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
    scope = client_scope(user)  # a SELECT, used as a subquery

    rows = heapq.merge(*(_changed(session, kind_name, scope, cursor, upto, limit + 1) for kind_name in KINDS),
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
    return {
        "changes": [change[1] for change in page],
        "removed": removed,
        "conflicts": open_conflicts(session, user),
        "settled": settled_conflicts(session, user),
        "pair": current_pair(session, user),
        "cursor": next_cursor.encode(),
        "has_more": has_more,
    }


def _changed(session, kind_name, scope, cursor: Cursor, upto: int, limit: int):
    kind = KINDS[kind_name]
    table = kind.table
    owner = table.c.id if kind_name == "client" else table.c.client_id
    query = select(table).where(owner.in_(scope), table.c.seq > cursor.after, table.c.seq <= upto)
    if cursor.snapshot:
        query = query.where(or_(table.c.deleted_at.is_(None), table.c.seq > cursor.snapshot))
    for row in session.execute(query.order_by(table.c.seq).limit(limit)).mappings():
        deleted = row["deleted_at"] is not None
        yield row["seq"], {
            "kind": kind_name,
            "id": str(row["id"]),
            "rev": row["rev"],
            "deleted": deleted,
            "data": None if deleted else data_of(kind, row),
        }


def _removed(session, user: User, after: int, upto: int) -> list[dict]:
    """Clients that left this user's scope in (after, upto], and what hangs off them."""
    events = select(ScopeEvent.client_id).where(ScopeEvent.seq > after, ScopeEvent.seq <= upto)
    if user.role == "volunteer":
        ever_pairs = select(PairMembership.pair_id).where(PairMembership.user_id == user.id)
        events = events.where(ScopeEvent.pair_id.in_(ever_pairs))
    elif user.role == "coordinator":
        events = events.where(ScopeEvent.area_id == user.area_id)
    else:
        return []
    candidates = set(session.scalars(events))
    if not candidates:
        return []
    gone = candidates - clients_in_scope(session, user)
    removed = [{"kind": "client", "id": str(client_id)} for client_id in sorted(gone, key=str)]
    for kind_name, kind in KINDS.items():
        if kind_name == "client":
            continue
        ids = session.scalars(select(kind.table.c.id).where(kind.table.c.client_id.in_(gone)))
        removed.extend({"kind": kind_name, "id": str(record_id)} for record_id in ids)
    return removed


def open_conflicts(session: Session, user: User) -> list[dict]:
    conflicts = session.execute(
        select(SyncConflict, User.name)
        .join(User, User.id == SyncConflict.raised_by_id)
        .where(SyncConflict.resolved_at.is_(None), SyncConflict.client_id.in_(client_scope(user)))
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
               SyncConflict.client_id.in_(client_scope(user)))
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


def current_pair(session: Session, user: User) -> dict | None:
    """A volunteer's current pair (app.scope.current_pair_ids) with its
    current members, the user included, by name; None for office roles or a
    volunteer in no active pair. Should a volunteer be in two pairs at once,
    the first by name is given."""
    if user.role != "volunteer" or not user.active:
        return None
    rows = session.execute(
        select(MentorPair.id, MentorPair.name, User.id, User.name)
        .join(PairMembership, PairMembership.pair_id == MentorPair.id)
        .join(User, User.id == PairMembership.user_id)
        .where(MentorPair.id.in_(current_pair_ids(user)), PairMembership.left_at.is_(None))
        .order_by(MentorPair.name, MentorPair.id, User.name, User.id)
    ).all()
    if not rows:
        return None
    pair_id, pair_name = rows[0][0], rows[0][1]
    return {
        "id": str(pair_id),
        "name": pair_name,
        "members": [{"id": str(member_id), "name": member_name}
                    for row_pair, _, member_id, member_name in rows if row_pair == pair_id],
    }


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

