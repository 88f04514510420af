"""Volunteers' compliance (vetting and training) and the pairs they work in."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.db import Base, new_id, utcnow

COMPLIANCE_KINDS = ("dbs", "police_vetting", "safeguarding_training", "scheme_training")
DBS_LEVELS = ("basic", "standard", "enhanced", "enhanced_barred")


class ComplianceCheck(Base):
    """One check a volunteer needs before meeting clients.

    For a DBS check only the certificate number, issue date and level are kept,
    never the certificate's content. ``expires_on`` drives the 60/30/7-day
    warnings.
    """

    __tablename__ = "compliance_checks"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('dbs', 'police_vetting', 'safeguarding_training', 'scheme_training')",
            name="kind",
        ),
        CheckConstraint(
            "dbs_level IS NULL OR dbs_level IN ('basic', 'standard', 'enhanced', 'enhanced_barred')",
            name="dbs_level",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    completed_on: Mapped[date]
    expires_on: Mapped[date | None]
    dbs_certificate_number: Mapped[str | None] = mapped_column(String(20))
    dbs_level: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentorPair(Base):
    __tablename__ = "mentor_pairs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("areas.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area] = relationship()
    memberships: Mapped[list[PairMembership]] = relationship(back_populates="pair")


class PairMembership(Base):
    """A volunteer's time in a pair; ``left_at`` is kept as history."""

    __tablename__ = "pair_memberships"
    __table_args__ = (
        # A volunteer is in a pair at most once at a time.
        Index(
            "uq_pair_memberships_current",
            "pair_id",
            "user_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    pair_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mentor_pairs.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]

    pair: Mapped[MentorPair] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
