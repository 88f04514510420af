"""Clients (referred adults) and their assignment to a mentor pair."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, new_id, utcnow
from app.sync.columns import SyncedRecord

# referred: waiting for the area coordinator's decision; active: being supported;
# declined: not taken on; closed: support has ended.
CLIENT_STATUSES = ("referred", "active", "declined", "closed")


class Client(SyncedRecord, Base):
    """A referral and, once accepted, a client.

    The referral fields follow what agencies send by email (docs/domain.md):
    name, address, contact number, age, consent, main issues, what they want
    to happen, other information and risks.
    """

    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint("status IN ('referred', 'active', 'declined', 'closed')", name="status"),
    )

    area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("areas.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="referred")
    name: Mapped[str] = mapped_column(String(200))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    date_of_birth: Mapped[date | None]
    age_at_referral: Mapped[int | None]
    consent_given: Mapped[bool] = mapped_column(default=False)
    high_impact_user: Mapped[bool] = mapped_column(default=False)
    referred_by: Mapped[str | None] = mapped_column(String(200))
    referrer_contact: Mapped[str | None] = mapped_column(String(200))
    referral_received_on: Mapped[date | None]
    main_issues: Mapped[str | None] = mapped_column(Text)
    desired_outcome: Mapped[str | None] = mapped_column(Text)
    risks: Mapped[str | None] = mapped_column(Text)
    other_information: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Set by the retention command (app/data_protection/retention.py) when the
    # identifying details were blanked: an anonymised client is never done twice.
    anonymised_at: Mapped[datetime | None]


class ClientAssignment(Base):
    """Which pair supports a client, kept as history (``ended_at``)."""

    __tablename__ = "client_assignments"
    __table_args__ = (
        # At most one current pair per client.
        Index(
            "uq_client_assignments_current",
            "client_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    pair_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mentor_pairs.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # Why it ended, as the coordinator gave it (a reassignment or a closure).
    end_reason: Mapped[str | None] = mapped_column(Text)
