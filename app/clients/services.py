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


# -- The office's client record (app/casework): assign, reassign with a reason, close with a reason. --
REASON_MAX = 2000


def _clean_reason(reason: str | None, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ClientError(f"Enter the reason for {what}.")
    if len(reason) > REASON_MAX:
        raise ClientError(f"The reason must be {REASON_MAX} characters or fewer.")
    return reason


def assign_to_pair(session: Session, client: Client, pair: MentorPair, by: User, day,
                   reason: str | None = None) -> ClientAssignment:
    """Give an active client to a pair of their area whose two members are
    both cleared on ``day``. Moving them from another pair needs a reason,
    kept on the assignment that ends."""
    from app.volunteers.services import current_members, not_cleared_reason

    if client.status != "active":
        raise ClientError("Only an active client can be given to a pair.")
    if pair.area_id != client.area_id:
        raise ClientError("The pair works in another area.")
    if not pair.active:
        raise ClientError(f"Pair {pair.name} has ended.")
    current = current_assignment(session, client)
    if current is not None and current.pair_id == pair.id:
        raise ClientError(f"{client.name} is already with pair {pair.name}.")
    if current is not None:
        reason = _clean_reason(reason, "moving them to another pair")
    members = current_members(session, pair)
    if len(members) != 2:
        raise ClientError(f"Pair {pair.name} does not have two mentors.")
    for membership in members:
        why = not_cleared_reason(session, session.get(User, membership.user_id), day)
        if why:
            raise ClientError(why)
    assignment = assign_client(session, client, pair, by)
    if current is not None:
        current.end_reason = reason
    return assignment


def close_case(session: Session, client: Client, by: User, reason: str | None) -> None:
    """Close an active (or referred) client's case with a reason, kept on the
    client and on the assignment it ends."""
    if client.status == "closed":
        raise ClientError(f"{client.name}'s case is already closed.")
    reason = _clean_reason(reason, "closing the case")
    current = current_assignment(session, client)
    close_client(session, client, by, reason)
    if current is not None:
        current.end_reason = reason
