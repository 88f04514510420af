"""Who may see and change what: the one place that decides a user's scope.

Every record phones hold hangs off a client, so a user's scope is a set of
clients. The API, the office pages and the sync engine all ask this module.

- volunteer: the active clients assigned to a pair they are currently in
  (the pair itself active);
- coordinator: every client in their area;
- admin: every client.
"""
from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, false, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.volunteers.models import MentorPair, PairMembership


def current_pair_ids(user: User) -> Select:
    """The pairs a volunteer works in now."""
    return (
        select(PairMembership.pair_id)
        .join(MentorPair, MentorPair.id == PairMembership.pair_id)
        .where(PairMembership.user_id == user.id, PairMembership.left_at.is_(None), MentorPair.active)
    )


def client_scope(user: User) -> Select:
    """A SELECT of the ids of the clients ``user`` may see and change."""
    if not user.active:
        return select(Client.id).where(false())
    if user.role == "admin":
        return select(Client.id)
    if user.role == "coordinator":
        if user.area_id is None:
            return select(Client.id).where(false())
        return select(Client.id).where(Client.area_id == user.area_id)
    return (
        select(Client.id)
        .join(ClientAssignment, ClientAssignment.client_id == Client.id)
        .where(
            Client.status == "active",
            Client.deleted_at.is_(None),
            ClientAssignment.ended_at.is_(None),
            ClientAssignment.pair_id.in_(current_pair_ids(user)),
        )
    )


def clients_in_scope(session: Session, user: User) -> set[uuid.UUID]:
    return set(session.scalars(client_scope(user)))


def may_access_client(session: Session, user: User, client_id: uuid.UUID) -> bool:
    return bool(session.scalar(select(exists(client_scope(user).where(Client.id == client_id)))))
