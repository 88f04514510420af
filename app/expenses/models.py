"""Expenses: mileage rates as data, with the dates they take effect, and the
claims and items volunteers make (docs/domain.md, "Expenses and mileage").
The rules that apply the rates are in `rates.py`."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, new_id
from app.expenses.rates import Rate
from app.sync.columns import SyncedRecord


class MileageRate(Base):
    """Pence per mile for a vehicle (or per passenger) from mile ``from_mile``
    of a volunteer's tax year, for journeys on or after ``effective_from``.
    Not synced: phones never hold rates."""

    __tablename__ = "mileage_rates"
    __table_args__ = (
        UniqueConstraint("vehicle", "from_mile", "effective_from",
                         name="uq_mileage_rates_vehicle_from_mile_effective_from"),
        CheckConstraint("vehicle IN ('car_van', 'motorcycle', 'bicycle', 'passenger')", name="vehicle"),
        CheckConstraint("from_mile >= 0", name="from_mile"),
        CheckConstraint("from_mile = 0 OR vehicle = 'car_van'", name="band_car_van_only"),
        CheckConstraint("pence_per_mile >= 0", name="pence_per_mile"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    vehicle: Mapped[str] = mapped_column(String(20))
    from_mile: Mapped[int]
    pence_per_mile: Mapped[int]
    effective_from: Mapped[date]

    def as_rate(self) -> Rate:
        return Rate(self.vehicle, self.from_mile, self.pence_per_mile, self.effective_from)


CLAIM_STATUSES = ("draft", "submitted", "approved", "rejected", "paid")
ITEM_TYPES = ("journey", "cost")
COST_CATEGORIES = ("fares", "parking", "refreshments", "phone_calls", "materials", "other")


class ExpenseClaim(SyncedRecord, Base):
    """A volunteer's claim: items grouped, a declaration, then the office's
    decision and payment (docs/domain.md, "Expenses and mileage"). Owned by
    the volunteer who made it (app/expenses/kinds.py)."""

    __tablename__ = "expense_claims"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected', 'paid')", name="status"),
        CheckConstraint("total_pence >= 0", name="total_pence"),
    )

    volunteer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    declaration_accepted: Mapped[bool] = mapped_column(default=False)
    # As entered on the phone when the volunteer submitted (ISO 8601 with offset).
    submitted_at: Mapped[str | None] = mapped_column(String(40))
    # The office's side.
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    paid_on: Mapped[date | None]
    # Worked out on the server: the sum of its items' claimed_pence.
    total_pence: Mapped[int] = mapped_column(default=0)


class ExpenseItem(SyncedRecord, Base):
    """One journey or one out-of-pocket cost in a claim. Money is integer
    pence, miles integer tenths of a mile."""

    __tablename__ = "expense_items"
    __table_args__ = (
        CheckConstraint("item_type IN ('journey', 'cost')", name="item_type"),
        CheckConstraint("vehicle IS NULL OR vehicle IN ('car_van', 'motorcycle', 'bicycle')", name="vehicle"),
        CheckConstraint("category IS NULL OR category IN ('fares', 'parking', 'refreshments', 'phone_calls', "
                        "'materials', 'other')", name="category"),
        CheckConstraint("miles_tenths IS NULL OR miles_tenths > 0", name="miles_tenths"),
        CheckConstraint("passengers >= 0", name="passengers"),
        CheckConstraint("amount_pence IS NULL OR amount_pence > 0", name="amount_pence"),
        CheckConstraint("claimed_pence >= 0", name="claimed_pence"),
    )

    volunteer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expense_claims.id"), index=True)
    item_type: Mapped[str] = mapped_column(String(10))
    spent_on: Mapped[date]
    # A journey.
    from_place: Mapped[str | None] = mapped_column(String(200))
    to_place: Mapped[str | None] = mapped_column(String(200))
    miles_tenths: Mapped[int | None]
    vehicle: Mapped[str | None] = mapped_column(String(20))
    passengers: Mapped[int] = mapped_column(default=0)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    # A cost.
    category: Mapped[str | None] = mapped_column(String(30))
    amount_pence: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(Text)
    receipt_sha256: Mapped[str | None] = mapped_column(String(64))
    # Worked out on the server (app/expenses/services.py): what is paid for
    # this item, and how (for a journey, the miles at each rate).
    claimed_pence: Mapped[int] = mapped_column(default=0)
    rate_note: Mapped[str | None] = mapped_column(String(300))
