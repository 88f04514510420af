"""What a referral needs beyond the client record: the facts the client
table has no column for, and the history of decisions (append-only)."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, new_id, utcnow

# accepted: taken on (the client becomes active); declined: not taken on;
# more_information: the coordinator needs to know more before deciding.
OUTCOMES = ("accepted", "declined", "more_information")
OUTCOME_WORDS = {"accepted": "Accepted", "declined": "Declined", "more_information": "Need more information"}


class ReferralFacts(Base):
    """Eligibility facts recorded with the referral (one row per client)."""

    __tablename__ = "referral_facts"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    social_isolation: Mapped[bool] = mapped_column(default=False)
    anxiety: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferralDecision(Base):
    """One decision on a referral. Rows are only ever added, never changed."""

    __tablename__ = "referral_decisions"
    __table_args__ = (
        CheckConstraint("outcome IN ('accepted', 'declined', 'more_information')", name="outcome"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    review_on: Mapped[date | None]
    will_to_change: Mapped[bool] = mapped_column(default=False)
    will_note: Mapped[str | None] = mapped_column(Text)
    age_override_reason: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
