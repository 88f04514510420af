"""Keeping phones right when an owner's scope changes.

An owner (a client, say) leaving an audience's scope is written down as a
ScopeEvent; pull turns it into ``removed``. An owner entering someone's scope
has all its records given new change numbers, so they come down in the
newcomer's next pull (records keep their rev: a phone that already has them
just sees the same rev again).

Feature services call these inside their own transaction, after
``lock_counter`` (app/sync/changes.py).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.sync.changes import take_seqs
from app.sync.kinds import KINDS
from app.sync.models import ScopeEvent


def owner_left_scope(session: Session, owner_type: str, owner_id: uuid.UUID,
                     audiences: Iterable[tuple[str, uuid.UUID | None]]) -> None:
    """``owner_id`` left the scope of each (audience kind, audience id) given."""
    named = [(kind, audience_id) for kind, audience_id in audiences if audience_id is not None]
    if not named:
        return
    seq = take_seqs(session)
    session.add_all(ScopeEvent(seq=seq, owner_type=owner_type, owner_id=owner_id, audience_kind=kind,
                               audience_id=audience_id) for kind, audience_id in named)
    session.flush()


def owner_entered_scope(session: Session, owner_type: str, owner_id: uuid.UUID) -> None:
    """Every record of ``owner_id`` comes down again in the next pull of whoever now sees it."""
    session.flush()
    for kind in KINDS.values():
        if kind.owner != owner_type:
            continue
        table = kind.table
        owner = table.c[kind.owner_field]
        ids = list(session.scalars(select(table.c.id).where(owner == owner_id).order_by(table.c.seq)))
        if not ids:
            continue
        last = take_seqs(session, len(ids))
        first = last - len(ids) + 1
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")),
            [{"b_id": record_id, "seq": first + n} for n, record_id in enumerate(ids)],
        )
    session.expire_all()
