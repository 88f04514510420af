"""What the client record page shows: the referral, the pair and its history,
and one timeline of the client's visits, goals, progress, SARA plans and
safeguarding concerns, newest first.

Scope comes from app/scope.py: a client outside the user's scope is None.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.fieldwork.models import Concern, Goal, Problem, Progress, Visit
from app.db import utcnow
from app.reminders.overdue import parse_instant
from app.schedule.services import is_overdue
from app.scope import may_access_client
from app.volunteers.models import MentorPair

LONDON = ZoneInfo("Europe/London")
TYPES = {"visit": "Visits", "goal": "Goals", "progress": "Progress", "problem": "SARA plans",
         "concern": "Safeguarding concerns"}
VISIT_STATUS_WORDS = {"planned": "Planned", "completed": "Done", "cancelled": "Cancelled", "no_show": "No-show"}
CONCERN_WORDS = {"abuse_or_neglect": "Abuse or neglect", "self_harm_or_suicide": "Self-harm or suicide",
                 "domestic_abuse": "Domestic abuse", "exploitation": "Exploitation",
                 "health_or_wellbeing": "Health or wellbeing", "home_conditions": "Home conditions", "other": "Other"}


@dataclass
class Entry:
    type: str
    at: datetime
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, text), only those given
    tag: str | None = None
    urgent: bool = False
    concern_id: uuid.UUID | None = None


def client_in_scope(session: Session, user: User, client_id) -> Client | None:
    if not may_access_client(session, user, client_id):
        return None
    client = session.get(Client, client_id)
    return None if client is None or client.deleted_at is not None else client


def assignments(session: Session, client: Client) -> list[dict]:
    rows = session.execute(
        select(ClientAssignment, MentorPair.name, User.name)
        .join(MentorPair, MentorPair.id == ClientAssignment.pair_id)
        .outerjoin(User, User.id == ClientAssignment.assigned_by_id)
        .where(ClientAssignment.client_id == client.id)
        .order_by(ClientAssignment.started_at.desc())
    ).all()
    return [{"pair_id": a.pair_id, "pair": pair, "by": by, "started_at": a.started_at, "ended_at": a.ended_at,
             "reason": a.end_reason} for a, pair, by in rows]


def _local(text):
    instant = parse_instant(text)
    return instant.astimezone(LONDON).strftime("%a %d %b %Y, %H:%M") if instant else None


def _given(*pairs):
    return [(label, text) for label, text in pairs if text not in (None, "")]


def timeline(session: Session, client: Client, only: str | None = None) -> list[Entry]:
    entries: list[Entry] = []
    alive = lambda model: (model.client_id == client.id, model.deleted_at.is_(None))  # noqa: E731
    if only in (None, "visit"):
        for v in session.scalars(select(Visit).where(*alive(Visit))):
            length = []
            if v.duration_minutes is not None:
                length.append(("Planned length", f"{v.duration_minutes} minutes"))
            if v.actual_minutes is not None:
                length.append(("Took", f"{v.actual_minutes} minutes"))
            tag = VISIT_STATUS_WORDS.get(v.status, v.status)
            if v.status == "planned" and v.checked_in_at and not v.checked_out_at:
                tag = "Not checked out" if is_overdue(v, utcnow()) else "Checked in"
            entries.append(Entry("visit", v.scheduled_start_at, "Visit", _given(
                ("Where", v.location), *length,
                ("Checked in", _local(v.checked_in_at)), ("Checked out", _local(v.checked_out_at)),
                ("Notes", v.notes)), tag=tag, urgent=tag == "Not checked out"))
    goal_titles = {}
    for g in session.scalars(select(Goal).where(*alive(Goal))):
        goal_titles[g.id] = g.title
        if only in (None, "goal"):
            entries.append(Entry("goal", g.created_at, f"Goal: {g.title}", _given(
                ("Reality", g.reality), ("Options", g.options), ("Will", g.will),
                ("Target date", g.target_date.strftime("%d/%m/%Y") if g.target_date else None)),
                tag=g.status.capitalize()))
    if only in (None, "progress"):
        for p in session.scalars(select(Progress).where(*alive(Progress))):
            at = parse_instant(p.recorded_at) or p.created_at
            entries.append(Entry("progress", at, f"Progress on {goal_titles.get(p.goal_id, 'a goal')}", _given(
                ("Score", f"{p.score} out of 10" if p.score is not None else None), ("Note", p.note))))
    if only in (None, "problem"):
        for p in session.scalars(select(Problem).where(*alive(Problem))):
            entries.append(Entry("problem", p.created_at, "SARA plan", _given(
                ("Scanning", p.scanning), ("Analysis", p.analysis), ("Response", p.response),
                ("Assessment", p.assessment))))
    if only in (None, "concern"):
        for c in session.scalars(select(Concern).where(*alive(Concern))):
            entries.append(Entry("concern", c.created_at,
                                 f"Safeguarding concern: {CONCERN_WORDS.get(c.category, c.category)}",
                                 _given(("Details", c.details)), tag="Urgent" if c.urgency == "urgent" else None,
                                 urgent=c.urgency == "urgent", concern_id=c.id))
    return sorted(entries, key=lambda e: e.at, reverse=True)


def pairs_for(session: Session, client: Client) -> list[MentorPair]:
    """The active pairs of the client's area, to choose from."""
    return list(session.scalars(select(MentorPair).where(MentorPair.area_id == client.area_id, MentorPair.active)
                                .order_by(MentorPair.name)))
