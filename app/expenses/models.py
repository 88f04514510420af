"""Mileage rates as data, with the dates they take effect (docs/domain.md,
"Expenses and mileage"). The rules that apply them are in `rates.py`."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, new_id
from app.expenses.rates import Rate


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
