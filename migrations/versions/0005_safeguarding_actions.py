"""safeguarding: the history of what the office did about a concern

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:30:00.000000

- concern_actions: append-only entries on a concern (acknowledged, action,
  outcome), each with who and when. concerns.acknowledged_at and
  acknowledged_by_id already exist (0001).
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('concern_actions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('concern_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('by_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('acknowledged', 'action', 'outcome')", name=op.f('ck_concern_actions_kind')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_concern_actions_by_id_users')),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], name=op.f('fk_concern_actions_concern_id_concerns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_actions'))
    )
    with op.batch_alter_table('concern_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_actions_concern_id'), ['concern_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('concern_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_actions_concern_id'))

    op.drop_table('concern_actions')
