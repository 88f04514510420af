"""why a client's assignment to a pair ended

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 21:20:00

client_assignments.end_reason: the reason a coordinator gave when moving a
client to another pair or closing the case; kept with the history.
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('client_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('client_assignments', schema=None) as batch_op:
        batch_op.drop_column('end_reason')
