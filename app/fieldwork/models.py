"""Records mentors create and edit on their phones (all synced)."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from app.sync.columns import SyncedRecord

VISIT_STATUSES = ("planned", "completed", "cancelled", "no_show")
GOAL_STATUSES = ("active", "achieved", "dropped")
CONCERN_URGENCIES = ("normal", "urgent")
CONCERN_CATEGORIES = (
    "abuse_or_neglect",
    "self_harm_or_suicide",
    "domestic_abuse",
    "exploitation",
    "health_or_wellbeing",
    "home_conditions",
    "other",
)


def _client_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("clients.id"), index=True)


def now_with_offset() -> str:
    """The server's current time as a phone would send it: ISO 8601, UTC offset."""
    return utcnow().isoformat(timespec="seconds")


class Visit(SyncedRecord, Base):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'completed', 'cancelled', 'no_show')", name="status"),
    )

    client_id: Mapped[uuid.UUID] = _client_fk()
    # As the person entered it, ISO 8601 with its UTC offset; the instant
    # beside it is for ordering and reminders.
    scheduled_start: Mapped[str] = mapped_column(String(40))
    scheduled_start_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int | None]  # planned length
    actual_minutes: Mapped[int | None]  # how long it really took, entered on the phone
    location: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="planned")
    notes: Mapped[str | None] = mapped_column(Text)
    checked_in_at: Mapped[str | None] = mapped_column(String(40))
    checked_out_at: Mapped[str | None] = mapped_column(String(40))


class Goal(SyncedRecord, Base):
    """A GROW goal: Goal (title), Reality, Options, Will."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'achieved', 'dropped')", name="status"),
    )

    client_id: Mapped[uuid.UUID] = _client_fk()
    title: Mapped[str] = mapped_column(String(300))
    reality: Mapped[str | None] = mapped_column(Text)
    options: Mapped[str | None] = mapped_column(Text)
    will: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    target_date: Mapped[date | None]


class Progress(SyncedRecord, Base):
    """Progress on a goal, usually recorded at a visit."""

    __tablename__ = "progress_entries"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 10", name="score"),)

    # Copied from the goal by the server: the client decides scope.
    client_id: Mapped[uuid.UUID] = _client_fk()
    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("goals.id"), index=True)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    score: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    # When the progress was recorded, as entered on the phone (ISO 8601 with
    # its UTC offset); the server's time when a phone does not send it.
    recorded_at: Mapped[str] = mapped_column(String(40), default=now_with_offset)


class Problem(SyncedRecord, Base):
    """A SARA problem record: Scanning, Analysis, Response, Assessment."""

    __tablename__ = "problems"

    client_id: Mapped[uuid.UUID] = _client_fk()
    scanning: Mapped[str | None] = mapped_column(Text)
    analysis: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[str | None] = mapped_column(Text)


class Concern(SyncedRecord, Base):
    """A safeguarding concern raised in the field (write-once from phones)."""

    __tablename__ = "concerns"
    __table_args__ = (CheckConstraint("urgency IN ('normal', 'urgent')", name="urgency"),)

    client_id: Mapped[uuid.UUID] = _client_fk()
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    category: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    # Office side of the safeguarding queue.
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
