from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, new_id, utcnow


class ReminderPreference(Base):
    """A person's reminder settings; a person with no row has the defaults
    (on, 18:00 the evening before, 60 minutes before)."""

    __tablename__ = "reminder_preferences"
    __table_args__ = (CheckConstraint("minutes_before >= 5 AND minutes_before <= 1440", name="minutes_before"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    evening_time: Mapped[str] = mapped_column(String(5), default="18:00")  # HH:MM, London time
    minutes_before: Mapped[int] = mapped_column(default=60)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


SEND_STATUSES = ("sending", "sent", "retry", "failed")


class ReminderSend(Base):
    """One reminder of one visit (or one alert of one urgent safeguarding
    concern) to one Web Push subscription: claimed (its own committed row)
    before the message is sent, so two senders at once never both send it,
    then its outcome.

    A row is about a visit or about a concern, never both. ``visit_start_at``
    is the start the reminder was for: a visit moved to another time re-arms
    its row once; a concern's row holds the concern's arrival time, which never
    changes. ``next_attempt_at`` is when a sender may
    take the row (again): after a 429/5xx/timeout (backoff), or if a sender
    died mid-send (the claim is a lease)."""

    __tablename__ = "reminder_sends"
    __table_args__ = (
        UniqueConstraint("visit_id", "subscription_id", "kind", name="uq_reminder_sends_visit_subscription_kind"),
        UniqueConstraint("concern_id", "subscription_id", "kind", name="uq_reminder_sends_concern_subscription_kind"),
        CheckConstraint("kind IN ('evening', 'soon', 'overdue', 'overdue_office', 'all_clear', 'urgent_concern')",
                        name="kind"),
        CheckConstraint("(visit_id IS NULL) <> (concern_id IS NULL)", name="visit_or_concern"),
        CheckConstraint("status IN ('sending', 'sent', 'retry', 'failed')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    concern_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webpush_subscriptions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    visit_start_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=1)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    detail: Mapped[str | None] = mapped_column(String(200))
