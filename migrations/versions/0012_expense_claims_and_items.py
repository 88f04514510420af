"""expense claims and items

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 20:27:09

Claims and their items (journeys and costs), synced records owned by the
volunteer who made them (docs/domain.md, "Expenses and mileage").
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('expense_claims',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('declaration_accepted', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.String(length=40), nullable=True),
    sa.Column('decided_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('total_pence', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected', 'paid')", name=op.f('ck_expense_claims_status')),
    sa.CheckConstraint('total_pence >= 0', name=op.f('ck_expense_claims_total_pence')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_expense_claims_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_expense_claims_decided_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_expense_claims_updated_by_id_users')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['users.id'], name=op.f('fk_expense_claims_volunteer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_claims'))
    )
    with op.batch_alter_table('expense_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expense_claims_seq'), ['seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_expense_claims_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('expense_items',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('claim_id', sa.Uuid(), nullable=False),
    sa.Column('item_type', sa.String(length=10), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('from_place', sa.String(length=200), nullable=True),
    sa.Column('to_place', sa.String(length=200), nullable=True),
    sa.Column('miles_tenths', sa.Integer(), nullable=True),
    sa.Column('vehicle', sa.String(length=20), nullable=True),
    sa.Column('passengers', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=True),
    sa.Column('category', sa.String(length=30), nullable=True),
    sa.Column('amount_pence', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('receipt_sha256', sa.String(length=64), nullable=True),
    sa.Column('claimed_pence', sa.Integer(), nullable=False),
    sa.Column('rate_note', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("category IS NULL OR category IN ('fares', 'parking', 'refreshments', 'phone_calls', 'materials', 'other')", name=op.f('ck_expense_items_category')),
    sa.CheckConstraint("item_type IN ('journey', 'cost')", name=op.f('ck_expense_items_item_type')),
    sa.CheckConstraint("vehicle IS NULL OR vehicle IN ('car_van', 'motorcycle', 'bicycle')", name=op.f('ck_expense_items_vehicle')),
    sa.CheckConstraint('amount_pence IS NULL OR amount_pence > 0', name=op.f('ck_expense_items_amount_pence')),
    sa.CheckConstraint('claimed_pence >= 0', name=op.f('ck_expense_items_claimed_pence')),
    sa.CheckConstraint('miles_tenths IS NULL OR miles_tenths > 0', name=op.f('ck_expense_items_miles_tenths')),
    sa.CheckConstraint('passengers >= 0', name=op.f('ck_expense_items_passengers')),
    sa.ForeignKeyConstraint(['claim_id'], ['expense_claims.id'], name=op.f('fk_expense_items_claim_id_expense_claims')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_expense_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_expense_items_updated_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_expense_items_visit_id_visits')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['users.id'], name=op.f('fk_expense_items_volunteer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_items'))
    )
    with op.batch_alter_table('expense_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expense_items_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expense_items_seq'), ['seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_expense_items_volunteer_id'), ['volunteer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('expense_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expense_items_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_expense_items_seq'))
        batch_op.drop_index(batch_op.f('ix_expense_items_claim_id'))

    op.drop_table('expense_items')
    with op.batch_alter_table('expense_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expense_claims_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_expense_claims_seq'))

    op.drop_table('expense_claims')
