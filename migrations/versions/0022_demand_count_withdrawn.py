"""demand_counts.withdrawn: a count entered by mistake is withdrawn, kept as history

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-26 02:40:00

- demand_counts.withdrawn: a count entered against the wrong client or
  measure is taken out of the figures with a reason, with no count in its
  place (until now it could only be "corrected" to 0). The row is stamped
  as a replaced one is (replaced_at, replaced_by_id, replaced_reason), so
  every reader of "the current counts" (no replaced_at) leaves it out, and
  withdrawn says it was withdrawn rather than corrected. Existing rows
  start false: none was withdrawn.
"""
from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('demand_counts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_check_constraint(op.f('ck_demand_counts_withdrawn'),
                                         'NOT withdrawn OR replaced_at IS NOT NULL')


def downgrade() -> None:
    # A withdrawn row keeps its replaced_at, so it stays out of the figures
    # (it reads as a count replaced by nothing).
    with op.batch_alter_table('demand_counts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_demand_counts_withdrawn'), type_='check')
        batch_op.drop_column('withdrawn')
