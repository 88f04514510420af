"""Who may see and change what: the one place that decides a user's scope.

Every synced record has an owner (app/sync/owners.py), and a user's scope is
the set of owners they may see and change, for each type of owner:

- clients (visits, goals, progress, problems and concerns hang off one):
  - volunteer: the active clients assigned to a pair they are currently in
    (the pair itself active), unless a current member of that pair is not
    cleared today (the compliance gate: no valid DBS check, police vetting,
    safeguarding or scheme training; see app/volunteers/compliance.py), in
    which case the pair's mentors see none of its clients until it is fixed;
  - coordinator: every client in their area;
  - admin: every client.
- volunteers (records a volunteer makes for themselves, such as expenses):
  - volunteer: themselves;
  - coordinator: the volunteers of their area;
  - admin: every volunteer.

A user who is not active sees nothing. When a client leaves a pair or an
area, the users of that audience (the pair's mentors, past and present, and
the area's coordinators) are told at their next pull, if it has left their
scope. The API, the office pages and the sync engine all ask this module;
it registers these rules with the engine below.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, exists, false, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.areas.models import Area
from app.clients.models import Client, ClientAssignment
from app.days import today  # the UK date; tests replace app.scope.today
from app.sync.owners import OwnerType, register_audiences, register_owner_type
from app.sync.scope_changes import owner_entered_scope, owner_left_scope
from app.volunteers.compliance import REQUIRED
from app.volunteers.models import ComplianceCheck, MentorPair, PairMembership

CLIENT = "client"
VOLUNTEER = "volunteer"
PAIR_AUDIENCE = "pair"
AREA_AUDIENCE = "area"


def uncleared_pair_ids(day: date) -> Select:
    """The pairs with a current member who is not cleared on ``day``: some
    required check has no row completed on or before ``day`` and not expired
    on it. The SQL form of app.volunteers.compliance.is_cleared, so that
    scope is decided in the database (tests check the two agree)."""
    def lacks(kind: str):
        return ~exists(select(ComplianceCheck.id).where(
            ComplianceCheck.user_id == PairMembership.user_id,
            ComplianceCheck.kind == kind,
            ComplianceCheck.completed_on <= day,
            or_(ComplianceCheck.expires_on.is_(None), ComplianceCheck.expires_on >= day),
        ))
    return select(PairMembership.pair_id).where(PairMembership.left_at.is_(None), or_(*[lacks(k) for k in REQUIRED]))


def current_pair_ids(user: User) -> Select:
    """The pairs a volunteer works in now."""
    return (
        select(PairMembership.pair_id)
        .join(MentorPair, MentorPair.id == PairMembership.pair_id)
        .where(PairMembership.user_id == user.id, PairMembership.left_at.is_(None), MentorPair.active)
    )


def _assigned_to_my_pairs(user: User) -> Select:
    """The active clients assigned to a pair the volunteer is in now."""
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


def client_scope(user: User, day: date | None = None) -> Select:
    """A SELECT of the ids of the clients ``user`` may see and change
    (``day``: the day clearance is judged on, today by default)."""
    if not user.active:
        return select(Client.id).where(false())
    if user.role == "admin":
        return select(Client.id)
    if user.role == "coordinator":
        if user.area_id is None:
            return select(Client.id).where(false())
        return select(Client.id).where(Client.area_id == user.area_id)
    # The compliance gate: none of a pair's clients while a member is not cleared.
    return _assigned_to_my_pairs(user).where(ClientAssignment.pair_id.not_in(uncleared_pair_ids(day or today())))


def client_report_scope(user: User) -> Select:
    """The clients a volunteer may still raise a safeguarding concern about:
    those assigned to a pair they are in now, whether or not the pair's
    checks are up to date. A concern must always reach the office; the
    mentors see nothing back (client_scope decides that)."""
    if user.role != "volunteer" or not user.active:
        return client_scope(user)
    return _assigned_to_my_pairs(user)


def volunteer_scope(user: User) -> Select:
    """A SELECT of the ids of the volunteers whose own records ``user`` may see and change."""
    volunteers = select(User.id).where(User.role == "volunteer")
    if not user.active:
        return volunteers.where(false())
    if user.role == "admin":
        return volunteers
    if user.role == "coordinator":
        if user.area_id is None:
            return volunteers.where(false())
        return volunteers.where(User.area_id == user.area_id)
    return volunteers.where(User.id == user.id)


def pair_scope(user: User) -> Select:
    """A SELECT of the ids of the mentor pairs ``user`` oversees: a
    coordinator's area's, every pair for an admin, none for anyone else."""
    if not user.active or user.role not in ("coordinator", "admin"):
        return select(MentorPair.id).where(false())
    if user.role == "admin":
        return select(MentorPair.id)
    if user.area_id is None:
        return select(MentorPair.id).where(false())
    return select(MentorPair.id).where(MentorPair.area_id == user.area_id)


def area_scope(user: User) -> Select:
    """A SELECT of the ids of the areas ``user`` runs: a coordinator's own,
    every area for an admin, none for anyone else."""
    if not user.active or user.role not in ("coordinator", "admin"):
        return select(Area.id).where(false())
    if user.role == "admin":
        return select(Area.id)
    return select(Area.id).where(Area.id == user.area_id)


def audiences(user: User) -> list[tuple[str, object]]:
    """The groups whose scope events concern ``user``: every pair a volunteer
    was ever in (they may have left it), a coordinator's area."""
    if user.role == "volunteer":
        return [(PAIR_AUDIENCE, select(PairMembership.pair_id).where(PairMembership.user_id == user.id))]
    if user.role == "coordinator" and user.area_id is not None:
        return [(AREA_AUDIENCE, [user.area_id])]
    return []  # admins see everything: nothing leaves their scope


register_owner_type(OwnerType(CLIENT, "client", client_scope, extra_scopes={"report": client_report_scope}))
register_owner_type(OwnerType(VOLUNTEER, "volunteer", volunteer_scope))
register_audiences(audiences)


def clients_in_scope(session: Session, user: User) -> set[uuid.UUID]:
    return set(session.scalars(client_scope(user)))


def may_access_client(session: Session, user: User, client_id: uuid.UUID) -> bool:
    return bool(session.scalar(select(exists(client_scope(user).where(Client.id == client_id)))))


# -- telling the sync engine (call after app.sync.changes.lock_counter) -------
def client_left_scope(session: Session, client_id: uuid.UUID, *, pair_id=None, area_id=None) -> None:
    """The client left ``pair_id`` (its mentors lose it) and, if it has left
    their area too, ``area_id``'s coordinators; pull checks which it has."""
    owner_left_scope(session, CLIENT, client_id, [(PAIR_AUDIENCE, pair_id), (AREA_AUDIENCE, area_id)])


def client_entered_scope(session: Session, client_id: uuid.UUID) -> None:
    owner_entered_scope(session, CLIENT, client_id)


from app.volunteers import lapses  # noqa: E402,F401  (its table: the pairs the gate has blocked)
