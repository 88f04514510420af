"""pair_blocks: the pairs the compliance gate has blocked

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25 21:30:00

One row per pair whose current members are not all cleared (a check lapsed):
since when and why. The periodic sweep (app/volunteers/lapses.py) writes and
clears it, so that it tells the phones once when a pair is blocked or freed.
"""
from alembic import op
import sqlalchemy as sa

import app.db

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pair_blocks',
        sa.Column('pair_id', sa.Uuid(), nullable=False),
        sa.Column('blocked_since', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(['pair_id'], ['mentor_pairs.id'], name=op.f('fk_pair_blocks_pair_id_mentor_pairs')),
        sa.PrimaryKeyConstraint('pair_id', name=op.f('pk_pair_blocks')),
    )


def downgrade() -> None:
    op.drop_table('pair_blocks')
