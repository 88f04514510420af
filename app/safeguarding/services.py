"""The safeguarding queue: what the office sees of concerns and does about them.

Scope comes from app/scope.py (a coordinator sees their area, an admin all).
A concern is *open* until an outcome is recorded. Acknowledging a concern is
a change of a synced record (new rev and change number), so the mentors'
phones pull ``acknowledged_at`` at their next sync; the history
(ConcernAction) stays in the office.

Every write takes the sync counter's lock first (app/sync/changes.py), so two
coordinators acting on one concern at once queue up, and the second sees what
the first wrote: nothing is written twice.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.clients.models import Client
from app.db import utcnow
from app.fieldwork.models import Concern, Visit
from app.safeguarding.models import MAX_ENTRY_TEXT, ConcernAction
from app.scope import client_scope
from app.sync.changes import lock_counter, take_seqs

CATEGORY_WORDS = {
    "abuse_or_neglect": "Abuse or neglect",
    "self_harm_or_suicide": "Self-harm or suicide",
    "domestic_abuse": "Domestic abuse",
    "exploitation": "Exploitation",
    "health_or_wellbeing": "Health or wellbeing",
    "home_conditions": "Home conditions",
    "other": "Other",
}
ENTRY_WORDS = {"acknowledged": "Acknowledged", "action": "Action", "outcome": "Outcome"}


class SafeguardingError(ValueError):
    """Something the office asked that cannot be done; the message says why."""


class AlreadyAcknowledged(SafeguardingError):
    pass


class ConcernClosed(SafeguardingError):
    pass


class NotAcknowledged(SafeguardingError):
    pass


@dataclass(frozen=True)
class ConcernRow:
    id: uuid.UUID
    client_name: str
    category: str
    urgency: str
    details: str
    raised_by: str | None
    raised_at: datetime
    visit_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    closed_at: datetime | None

    @property
    def category_words(self) -> str:
        return CATEGORY_WORDS.get(self.category, self.category)

    @property
    def urgent(self) -> bool:
        return self.urgency == "urgent"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    text: str | None
    by: str
    at: datetime

    @property
    def kind_words(self) -> str:
        return ENTRY_WORDS[self.kind]


@dataclass(frozen=True)
class QueueCounts:
    open: int
    urgent: int
    unacknowledged: int


def _outcome_at():
    """Per concern, when its outcome was recorded (null while open)."""
    return (
        select(ConcernAction.concern_id, func.min(ConcernAction.created_at).label("closed_at"))
        .where(ConcernAction.kind == "outcome")
        .group_by(ConcernAction.concern_id)
        .subquery()
    )


def _visible(user: User):
    return and_(Concern.client_id.in_(client_scope(user)), Concern.deleted_at.is_(None))


def _rows(session: Session, user: User, *where) -> list[ConcernRow]:
    raiser, acknowledger = aliased(User), aliased(User)
    closed = _outcome_at()
    query = (
        select(Concern.id, Client.name, Concern.category, Concern.urgency, Concern.details, raiser.name,
               Concern.created_at, Visit.scheduled_start_at, Concern.acknowledged_at, acknowledger.name,
               closed.c.closed_at)
        .join(Client, Client.id == Concern.client_id)
        .outerjoin(raiser, raiser.id == Concern.created_by_id)
        .outerjoin(acknowledger, acknowledger.id == Concern.acknowledged_by_id)
        .outerjoin(Visit, Visit.id == Concern.visit_id)
        .outerjoin(closed, closed.c.concern_id == Concern.id)
        .where(_visible(user), *where)
        .order_by(
            case((closed.c.closed_at.is_(None), 0), else_=1),  # open first
            case((Concern.urgency == "urgent", 0), else_=1),  # urgent first
            Concern.created_at,  # oldest first
            Concern.id,
        )
    )
    return [ConcernRow(*row) for row in session.execute(query)]


def concern_queue(session: Session, user: User) -> list[ConcernRow]:
    """The concerns ``user`` may see: open first, urgent first, oldest first."""
    return _rows(session, user)


def concern_row(session: Session, user: User, concern_id: uuid.UUID) -> ConcernRow | None:
    """One concern as the queue shows it, or None when it is not one ``user`` may see."""
    rows = _rows(session, user, Concern.id == concern_id)
    return rows[0] if rows else None


def queue_counts(session: Session, user: User) -> QueueCounts:
    is_open = ~exists().where(ConcernAction.concern_id == Concern.id, ConcernAction.kind == "outcome")
    open_count, urgent, unacknowledged = session.execute(
        select(
            func.count(),
            func.count(case((Concern.urgency == "urgent", 1))),
            func.count(case((Concern.acknowledged_at.is_(None), 1))),
        ).where(_visible(user), is_open)
    ).one()
    return QueueCounts(open_count, urgent, unacknowledged)


def history(session: Session, concern_id: uuid.UUID) -> list[HistoryEntry]:
    """A concern's history, oldest first."""
    rows = session.execute(
        select(ConcernAction.kind, ConcernAction.text, User.name, ConcernAction.created_at)
        .join(User, User.id == ConcernAction.by_id)
        .where(ConcernAction.concern_id == concern_id)
        .order_by(ConcernAction.created_at, ConcernAction.id)
    )
    return [HistoryEntry(*row) for row in rows]


def acknowledge(session: Session, concern_id: uuid.UUID, by: User) -> datetime:
    """Mark the concern seen by the office: a new rev and change number, so
    the mentors' phones pull it, and an entry in its history.

    Raises AlreadyAcknowledged (nothing written) if someone got there first.
    The caller checks scope (concern_row) and commits.
    """
    lock_counter(session)
    now = utcnow()
    table = Concern.__table__
    done = session.execute(
        update(table)
        .where(table.c.id == concern_id, table.c.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_id=by.id, rev=table.c.rev + 1, updated_at=now,
                updated_by_id=by.id)
    ).rowcount
    if done != 1:
        raise AlreadyAcknowledged("This concern has already been acknowledged.")
    session.execute(update(table).where(table.c.id == concern_id).values(seq=take_seqs(session)))
    session.add(ConcernAction(concern_id=concern_id, kind="acknowledged", by_id=by.id, created_at=now))
    session.flush()
    return now


def check_entry_text(kind: str, text: str | None) -> tuple[str, str | None]:
    """The text of an action or outcome, tidied, and what is wrong with it (or None)."""
    text = (text or "").strip().replace("\r\n", "\n")
    noun = "what was done" if kind == "action" else "the outcome"
    if not text:
        return text, f"Enter {noun}"
    if len(text) > MAX_ENTRY_TEXT:
        return text, f"{noun[0].upper()}{noun[1:]} must be {MAX_ENTRY_TEXT:,} characters or fewer"
    return text, None


def record_entry(session: Session, concern_id: uuid.UUID, by: User, kind: str, text: str) -> ConcernAction:
    """Add an action or the outcome to the concern's history.

    ``text`` must have passed check_entry_text. The concern must have been
    acknowledged and still be open; an outcome closes it.
    """
    if kind not in ("action", "outcome"):
        raise ValueError(kind)
    lock_counter(session)
    acknowledged_at, closed = session.execute(
        select(Concern.acknowledged_at,
               exists().where(ConcernAction.concern_id == Concern.id, ConcernAction.kind == "outcome"))
        .where(Concern.id == concern_id)
    ).one()
    if closed:
        raise ConcernClosed("This concern is closed: its outcome has already been recorded.")
    if acknowledged_at is None:
        raise NotAcknowledged("Acknowledge the concern before recording what was done.")
    entry = ConcernAction(concern_id=concern_id, kind=kind, text=text, by_id=by.id, created_at=utcnow())
    session.add(entry)
    session.flush()
    return entry
