"""The schedule: visits of the clients in a user's scope, with the pair that
had the client then and that pair's members then, planned against actual
length, and open check-outs past the expected end plus the grace period
(the rule of app/reminders/overdue.py). A coordinator plans a visit for a
pair's client: a synced Visit, stamped so the pair's phones get it at their
next pull.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.db import utcnow
from app.fieldwork.models import Visit
from app.reminders.overdue import DEFAULT_GRACE, expected_end
from app.scope import client_scope, may_access_client
from app.sync.changes import stamp
from app.volunteers.models import MentorPair, PairMembership

LONDON = ZoneInfo("Europe/London")
LOCATION_MAX = 300
LENGTH_MAX = 24 * 60


class PlanError(ValueError):
    """A visit that cannot be planned; the message says why."""


@dataclass
class Row:
    visit: Visit
    client_id: uuid.UUID
    client_name: str
    pair_id: uuid.UUID | None
    pair_name: str | None
    mentors: list[str]
    overdue: bool


def is_overdue(visit: Visit, now: datetime, grace: timedelta = DEFAULT_GRACE) -> bool:
    """Checked in, not checked out, past the expected end plus the grace period."""
    if not visit.checked_in_at or visit.checked_out_at or visit.status in ("cancelled", "no_show"):
        return False
    return now >= expected_end(visit.scheduled_start_at, visit.checked_in_at, visit.duration_minutes) + grace


def _pair_then(assignments, at):
    for a in assignments:
        if a.started_at <= at and (a.ended_at is None or a.ended_at > at):
            return a.pair_id
    # A visit planned before the client had a pair: the pair they had first after it.
    later = [a for a in assignments if a.started_at > at]
    return min(later, key=lambda a: a.started_at).pair_id if later else None


def visits(session: Session, user: User, *, start: date, end: date, pair_id=None, client_id=None,
           now: datetime | None = None, grace: timedelta = DEFAULT_GRACE) -> list[Row]:
    """Visits from ``start`` to ``end`` (London days, both included), oldest
    first; ``grace``: the configured OVERDUE_GRACE_MINUTES
    (app.reminders.overdue.configured_grace), as the overdue alerts use."""
    now = now or utcnow()
    lo = datetime.combine(start, time(0), LONDON)
    hi = datetime.combine(end + timedelta(days=1), time(0), LONDON)
    query = (select(Visit, Client.name).join(Client, Client.id == Visit.client_id)
             .where(Visit.client_id.in_(client_scope(user)), Visit.deleted_at.is_(None),
                    Visit.scheduled_start_at >= lo, Visit.scheduled_start_at < hi)
             .order_by(Visit.scheduled_start_at))
    if client_id is not None:
        query = query.where(Visit.client_id == client_id)
    found = session.execute(query).all()
    client_ids = {v.client_id for v, _ in found}
    by_client: dict = {}
    for a in session.scalars(select(ClientAssignment).where(ClientAssignment.client_id.in_(client_ids))):
        by_client.setdefault(a.client_id, []).append(a)
    pairs = {p.id: p.name for p in session.scalars(select(MentorPair))}
    memberships: dict = {}
    for m, name in session.execute(select(PairMembership, User.name).join(User, User.id == PairMembership.user_id)):
        memberships.setdefault(m.pair_id, []).append((m, name))
    rows = []
    for visit, client_name in found:
        at = visit.scheduled_start_at
        pid = _pair_then(by_client.get(visit.client_id, []), at)
        if pair_id is not None and pid != pair_id:
            continue
        members = memberships.get(pid, []) if pid else []
        mentors = sorted(name for m, name in members if m.joined_at <= at and (m.left_at is None or m.left_at > at))
        if pid and not mentors:  # before the pair's members joined: those it has now
            mentors = sorted(name for m, name in members if m.left_at is None)
        rows.append(Row(visit, visit.client_id, client_name, pid, pairs.get(pid), mentors, is_overdue(visit, now, grace)))
    return rows


def grace_minutes() -> int:
    """OVERDUE_GRACE_MINUTES of the running app, as the overdue alerts use it;
    the default if it is not a whole number (the reminders job refuses it)."""
    from flask import current_app

    from app.reminders.overdue import configured_grace

    try:
        grace = configured_grace(current_app.config)
    except ValueError:
        current_app.logger.warning("OVERDUE_GRACE_MINUTES is not a whole number of minutes; using the default")
        grace = DEFAULT_GRACE
    return int(grace.total_seconds() // 60)


# The office home page lists the visits not checked out that started this
# many days ago at most: the schedule's default view starts as far back.
OVERDUE_LOOKBACK_DAYS = 7


def overdue_visits(session: Session, user: User, *, grace: timedelta, now: datetime | None = None) -> list[Row]:
    """Visits in the user's scope checked in and not checked out past their
    expected end plus ``grace`` (the rule of the overdue alerts), oldest first."""
    now = now or utcnow()
    today = now.astimezone(LONDON).date()
    return [r for r in visits(session, user, start=today - timedelta(days=OVERDUE_LOOKBACK_DAYS), end=today,
                              now=now, grace=grace) if r.overdue]


def plannable_clients(session: Session, user: User) -> list[tuple[Client, MentorPair]]:
    """Active clients in scope who are with an active pair."""
    return list(session.execute(
        select(Client, MentorPair)
        .join(ClientAssignment, (ClientAssignment.client_id == Client.id) & ClientAssignment.ended_at.is_(None))
        .join(MentorPair, MentorPair.id == ClientAssignment.pair_id)
        .where(Client.id.in_(client_scope(user)), Client.status == "active", Client.deleted_at.is_(None),
               MentorPair.active)
        .order_by(Client.name)))


def london_instant(day: date, at: time) -> datetime:
    """A wall-clock time in London as an instant; a time that does not exist
    (the hour the clocks go forward) is refused."""
    local = datetime.combine(day, at, LONDON)
    back = local.astimezone(ZoneInfo("UTC")).astimezone(LONDON)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise PlanError("That time does not exist in the UK on that day (the clocks go forward). Choose another.")
    return local


def plan_visit(session: Session, user: User, client_id, day: date, at: time, length_minutes: int,
               location: str | None, now: datetime | None = None) -> Visit:
    now = now or utcnow()
    if not may_access_client(session, user, client_id):
        raise PlanError("You cannot plan visits for that client.")
    plannable = {c.id for c, _ in plannable_clients(session, user)}
    if client_id not in plannable:
        raise PlanError("The client is not with an active pair: give them to a pair before planning a visit.")
    if not 1 <= length_minutes <= LENGTH_MAX:
        raise PlanError(f"The length must be between 1 and {LENGTH_MAX} minutes.")
    location = (location or "").strip() or None
    if location and len(location) > LOCATION_MAX:
        raise PlanError(f"Where must be {LOCATION_MAX} characters or fewer.")
    start = london_instant(day, at)
    if start < now:
        raise PlanError("The visit must start in the future.")
    visit = Visit(id=uuid.uuid4(), client_id=client_id, scheduled_start=start.isoformat(timespec="seconds"),
                  scheduled_start_at=start, duration_minutes=length_minutes, location=location,
                  status="planned", created_by_id=user.id)
    session.add(visit)
    stamp(session, visit, user.id)
    session.flush()
    return visit


def clients_in_scope(session: Session, user: User) -> list[Client]:
    return list(session.scalars(select(Client).where(Client.id.in_(client_scope(user)), Client.deleted_at.is_(None))
                                .order_by(Client.name)))
