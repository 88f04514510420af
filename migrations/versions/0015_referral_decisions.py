"""referrals: eligibility facts and the history of decisions

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25 21:20:00

- referral_facts: what a referral says that the client record has no column
  for (social isolation, anxiety), one row per client.
- referral_decisions: every decision on a referral (accepted, declined,
  more_information), with who, when, the reason, a review date, the
  coordinator's judgement of the will to change and any age exception.
  Rows are only added (app/referrals).
"""
from alembic import op
import sqlalchemy as sa

import app.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'referral_facts',
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('social_isolation', sa.Boolean(), nullable=False),
        sa.Column('anxiety', sa.Boolean(), nullable=False),
        sa.Column('recorded_by_id', sa.Uuid(), nullable=False),
        sa.Column('recorded_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_referral_facts_client_id_clients')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_referral_facts_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('client_id', name=op.f('pk_referral_facts')),
    )
    op.create_table(
        'referral_decisions',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('review_on', sa.Date(), nullable=True),
        sa.Column('will_to_change', sa.Boolean(), nullable=False),
        sa.Column('will_note', sa.Text(), nullable=True),
        sa.Column('age_override_reason', sa.Text(), nullable=True),
        sa.Column('by_id', sa.Uuid(), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("outcome IN ('accepted', 'declined', 'more_information')",
                           name=op.f('ck_referral_decisions_outcome')),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_referral_decisions_by_id_users')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_referral_decisions_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_decisions')),
    )
    with op.batch_alter_table('referral_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_decisions_client_id'), ['client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referral_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_decisions_client_id'))
    op.drop_table('referral_decisions')
    op.drop_table('referral_facts')
