"""A client's SWEMWBS score (docs/domain.md, "Recording wellbeing")."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.outcomes.rules import SWEMWBS_ITEMS
from app.sync.columns import SyncedRecord

QUESTIONS = tuple(f"q{n}" for n in range(1, len(SWEMWBS_ITEMS) + 1))


class WellbeingScore(SyncedRecord, Base):
    """Seven answers (1-5) and the scores the server worked out from them.
    Write-once: a score taken is a fact; a mistaken one is deleted (a
    tombstone) in the office and taken again."""

    __tablename__ = "wellbeing_scores"
    __table_args__ = (
        CheckConstraint("occasion IN ('referral', 'review', 'closure')", name="occasion"),
        *(CheckConstraint(f"{q} BETWEEN 1 AND 5", name=q) for q in QUESTIONS),
        CheckConstraint("raw_score BETWEEN 7 AND 35", name="raw_score"),
        CheckConstraint("metric_hundredths BETWEEN 700 AND 3500", name="metric_hundredths"),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    recorded_on: Mapped[date]
    occasion: Mapped[str] = mapped_column(String(10))
    q1: Mapped[int]
    q2: Mapped[int]
    q3: Mapped[int]
    q4: Mapped[int]
    q5: Mapped[int]
    q6: Mapped[int]
    q7: Mapped[int]
    raw_score: Mapped[int]  # 7-35, the sum of the answers
    metric_hundredths: Mapped[int]  # the metric score from the published table: 19.25 is 1925
