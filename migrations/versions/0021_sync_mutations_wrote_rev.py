"""sync_mutations.wrote_rev: the rev each stored mutation wrote to its record

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-26 02:30:00

A delete made from an older rev applies when every rev since was written by
the same device (its own edits, whose answers may have been lost:
docs/sync-protocol.md, "delete"). The rev a result answers is not enough: a
no-op update answers a rev someone else wrote. So each stored result records
the rev its mutation wrote, null when it wrote nothing. Existing rows stay
null: not provably the device's own, so a delete meets them as it did before.
The index finds a record's stored mutations.
"""
from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sync_mutations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrote_rev', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sync_mutations_record_id'), ['record_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sync_mutations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_mutations_record_id'))
        batch_op.drop_column('wrote_rev')
