"""Keeping phones right when a client's scope changes.

A client leaving someone's scope is written down as a ScopeEvent; pull turns it
into ``removed``. A client entering someone's scope has all its records given
new change numbers, so they come down in the newcomer's next pull (records keep
their rev: a phone that already has them just sees the same rev again).
"""
from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.sync.changes import take_seqs
from app.sync.kinds import KINDS
from app.sync.models import ScopeEvent


def client_left_scope(session: Session, client_id: uuid.UUID, *, pair_id=None, area_id=None) -> None:
    session.add(ScopeEvent(seq=take_seqs(session), client_id=client_id, pair_id=pair_id, area_id=area_id))
    session.flush()


def client_entered_scope(session: Session, client_id: uuid.UUID) -> None:
    session.flush()
    for kind_name, kind in KINDS.items():
        table = kind.table
        owner = table.c.id if kind_name == "client" else table.c.client_id
        ids = list(session.scalars(select(table.c.id).where(owner == client_id).order_by(table.c.seq)))
        if not ids:
            continue
        last = take_seqs(session, len(ids))
        first = last - len(ids) + 1
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")),
            [{"b_id": record_id, "seq": first + n} for n, record_id in enumerate(ids)],
        )
    session.expire_all()
