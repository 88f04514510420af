"""wellbeing_scores: a client's SWEMWBS scores, synced with the field app

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 00:05:00

- wellbeing_scores: the seven answers (1 to 5) of a SWEMWBS check, the day it
  was taken and its occasion (referral, review, closure), with the raw total
  and the metric score (in hundredths) the server worked out from them
  (app/wellbeing). Write-once from phones; a mistaken one is deleted (a
  tombstone) in the office.
"""
from alembic import op
import sqlalchemy as sa

import app.db

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

QUESTIONS = [f'q{n}' for n in range(1, 8)]


def upgrade() -> None:
    op.create_table('wellbeing_scores',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('occasion', sa.String(length=10), nullable=False),
    *[sa.Column(q, sa.Integer(), nullable=False) for q in QUESTIONS],
    sa.Column('raw_score', sa.Integer(), nullable=False),
    sa.Column('metric_hundredths', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("occasion IN ('referral', 'review', 'closure')", name=op.f('ck_wellbeing_scores_occasion')),
    *[sa.CheckConstraint(f'{q} BETWEEN 1 AND 5', name=op.f(f'ck_wellbeing_scores_{q}')) for q in QUESTIONS],
    sa.CheckConstraint('raw_score BETWEEN 7 AND 35', name=op.f('ck_wellbeing_scores_raw_score')),
    sa.CheckConstraint('metric_hundredths BETWEEN 700 AND 3500', name=op.f('ck_wellbeing_scores_metric_hundredths')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_wellbeing_scores_client_id_clients')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_wellbeing_scores_created_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_wellbeing_scores_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellbeing_scores'))
    )
    with op.batch_alter_table('wellbeing_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wellbeing_scores_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wellbeing_scores_seq'), ['seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wellbeing_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wellbeing_scores_seq'))
        batch_op.drop_index(batch_op.f('ix_wellbeing_scores_client_id'))

    op.drop_table('wellbeing_scores')
