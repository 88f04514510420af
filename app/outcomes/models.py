"""The demand ledger (docs/domain.md, "Outcomes"): counts of a client's
demand on the police and other services, per measure and period, entered by
coordinators from the figures agencies send.

A count is never changed or deleted. A correction is a new row naming the
row it replaces (``replaces_id``); the old row is kept as history, stamped
with when, by whom and why it was replaced. A withdrawal (a count entered
by mistake: wrong client, wrong measure) stamps the row the same way, with
``withdrawn`` set and no row replacing it. The current counts are the rows
neither replaced nor withdrawn: those with no ``replaced_at``.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, new_id, utcnow

# The largest count one person's record may hold for one span: beyond it the
# figure is a typing mistake, not demand.
MAX_COUNT = 100_000


class DemandCount(Base):
    """One count of one measure over a span of days (both included) inside one period."""

    __tablename__ = "demand_counts"
    __table_args__ = (
        CheckConstraint("measure IN ('police_calls', 'incidents', 'asb_reports', 'other_services')", name="measure"),
        CheckConstraint("period IN ('before_12_to_7', 'before_6', 'during', 'after_6')", name="period"),
        CheckConstraint("first_day <= last_day", name="span"),
        CheckConstraint(f"count >= 0 AND count <= {MAX_COUNT}", name="count"),
        CheckConstraint("(replaced_at IS NULL AND replaced_by_id IS NULL AND replaced_reason IS NULL) OR "
                        "(replaced_at IS NOT NULL AND replaced_by_id IS NOT NULL AND replaced_reason IS NOT NULL)",
                        name="replaced"),
        CheckConstraint("NOT withdrawn OR replaced_at IS NOT NULL", name="withdrawn"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    measure: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    first_day: Mapped[date]
    last_day: Mapped[date]
    count: Mapped[int]
    source: Mapped[str] = mapped_column(Text)          # where the figure came from, e.g. "Durham Constabulary Niche extract"
    obtained_on: Mapped[date]                          # the day the figures were obtained
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A correction names the row it replaces; a row is replaced at most once.
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("demand_counts.id"), unique=True)
    # On a replaced or withdrawn row: when, by whom and why.
    replaced_at: Mapped[datetime | None]
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    replaced_reason: Mapped[str | None] = mapped_column(Text)
    # Withdrawn rather than corrected: out of the figures with nothing in its place.
    withdrawn: Mapped[bool] = mapped_column(default=False, server_default=false())
