"""Office services for clients: assigning to a pair, closing a case.

Each one tells the sync engine whose scope changed (app/sync/scope_changes.py).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.db import utcnow
from app.sync.changes import lock_counter, stamp
from app.scope import client_entered_scope, client_left_scope
from app.volunteers.models import MentorPair


class ClientError(ValueError):
    """An office action on a client that cannot be done; the message says why."""


def current_assignment(session: Session, client: Client) -> ClientAssignment | None:
    return session.scalar(
        select(ClientAssignment).where(ClientAssignment.client_id == client.id, ClientAssignment.ended_at.is_(None))
    )


def assign_client(session: Session, client: Client, pair: MentorPair, by: User) -> ClientAssignment:
    """Give the client to ``pair`` (taking them from any pair they had)."""
    if not pair.active:
        raise ClientError(f"Pair {pair.name} is not active.")
    if pair.area_id != client.area_id:
        raise ClientError("The pair works in another area.")
    lock_counter(session)
    current = current_assignment(session, client)
    if current is not None:
        if current.pair_id == pair.id:
            return current
        current.ended_at = utcnow()
        client_left_scope(session, client.id, pair_id=current.pair_id, area_id=client.area_id)
    assignment = ClientAssignment(client_id=client.id, pair_id=pair.id, assigned_by_id=by.id)
    session.add(assignment)
    session.flush()
    client_entered_scope(session, client.id)
    return assignment


def close_client(session: Session, client: Client, by: User, reason: str) -> None:
    """End support: the client and their records leave the phones."""
    if client.status == "closed":
        return
    lock_counter(session)
    current = current_assignment(session, client)
    client.status = "closed"
    client.closed_at = utcnow()
    client.decision_reason = reason
    stamp(session, client, by.id)
    if current is not None:
        current.ended_at = utcnow()
        client_left_scope(session, client.id, pair_id=current.pair_id, area_id=client.area_id)
    session.flush()
