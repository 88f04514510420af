"""mileage rates as data

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 10:00:00

mileage_rates: pence per mile by vehicle (and per passenger), from which
mile of the tax year, and from which date. Seeded with HMRC's Approved
Mileage Allowance Payments as they have stood since 6 April 2011: car or van
45p for the first 10,000 miles of the tax year and 25p after, motorcycle
24p, bicycle 20p, 5p per passenger (car or van). Downgrading drops the table
and its rows.
"""
import uuid
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SINCE = date(2011, 4, 6)
HMRC_2011 = [
    ('car_van', 0, 45),
    ('car_van', 10000, 25),
    ('motorcycle', 0, 24),
    ('bicycle', 0, 20),
    ('passenger', 0, 5),
]


def upgrade() -> None:
    table = op.create_table('mileage_rates',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('vehicle', sa.String(length=20), nullable=False),
    sa.Column('from_mile', sa.Integer(), nullable=False),
    sa.Column('pence_per_mile', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.CheckConstraint("from_mile = 0 OR vehicle = 'car_van'", name=op.f('ck_mileage_rates_band_car_van_only')),
    sa.CheckConstraint('from_mile >= 0', name=op.f('ck_mileage_rates_from_mile')),
    sa.CheckConstraint('pence_per_mile >= 0', name=op.f('ck_mileage_rates_pence_per_mile')),
    sa.CheckConstraint("vehicle IN ('car_van', 'motorcycle', 'bicycle', 'passenger')", name=op.f('ck_mileage_rates_vehicle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mileage_rates')),
    sa.UniqueConstraint('vehicle', 'from_mile', 'effective_from', name='uq_mileage_rates_vehicle_from_mile_effective_from')
    )
    op.bulk_insert(table, [
        {'id': uuid.uuid4(), 'vehicle': vehicle, 'from_mile': from_mile,
         'pence_per_mile': pence, 'effective_from': SINCE}
        for vehicle, from_mile, pence in HMRC_2011
    ])


def downgrade() -> None:
    op.drop_table('mileage_rates')
