"""demand_counts: the demand ledger, with corrections kept as history

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-25 23:52:00

- demand_counts: counts of a client's demand (police calls, incidents,
  anti-social behaviour reports, other services' contacts) over a span of
  days inside one period around the case, with where the figure came from
  and when it was obtained (app/outcomes). Rows are never changed but to
  mark them replaced: a correction is a new row naming the one it replaces
  (replaces_id, at most once), and the old row says when, by whom and why.
"""
from alembic import op
import sqlalchemy as sa

import app.db

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'demand_counts',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('measure', sa.String(length=20), nullable=False),
        sa.Column('period', sa.String(length=20), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('obtained_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Uuid(), nullable=False),
        sa.Column('recorded_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('replaces_id', sa.Uuid(), nullable=True),
        sa.Column('replaced_at', app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('replaced_by_id', sa.Uuid(), nullable=True),
        sa.Column('replaced_reason', sa.Text(), nullable=True),
        sa.CheckConstraint("measure IN ('police_calls', 'incidents', 'asb_reports', 'other_services')",
                           name=op.f('ck_demand_counts_measure')),
        sa.CheckConstraint("period IN ('before_12_to_7', 'before_6', 'during', 'after_6')",
                           name=op.f('ck_demand_counts_period')),
        sa.CheckConstraint('(replaced_at IS NULL AND replaced_by_id IS NULL AND replaced_reason IS NULL) OR '
                           '(replaced_at IS NOT NULL AND replaced_by_id IS NOT NULL AND replaced_reason IS NOT NULL)',
                           name=op.f('ck_demand_counts_replaced')),
        sa.CheckConstraint('count >= 0 AND count <= 100000', name=op.f('ck_demand_counts_count')),
        sa.CheckConstraint('first_day <= last_day', name=op.f('ck_demand_counts_span')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_demand_counts_client_id_clients')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_demand_counts_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['replaced_by_id'], ['users.id'], name=op.f('fk_demand_counts_replaced_by_id_users')),
        sa.ForeignKeyConstraint(['replaces_id'], ['demand_counts.id'],
                                name=op.f('fk_demand_counts_replaces_id_demand_counts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_counts')),
        sa.UniqueConstraint('replaces_id', name=op.f('uq_demand_counts_replaces_id')),
    )
    with op.batch_alter_table('demand_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demand_counts_client_id'), ['client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('demand_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demand_counts_client_id'))
    op.drop_table('demand_counts')
