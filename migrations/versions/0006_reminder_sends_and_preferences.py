"""reminder sends and preferences

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 18:22:23.764568

- reminder_preferences: a person's reminder settings (no row: the defaults).
- reminder_sends: one row per visit, subscription and reminder kind, claimed
  before the push is sent (the unique constraint is what stops two senders
  sending twice), then its outcome and any retry time. Rows go with their
  visit or subscription (ON DELETE CASCADE). Kinds: the evening-before and
  "soon" reminders, and the overdue check-out alerts (to the pair, to the
  office) and their all-clear.
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminder_preferences',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('evening_time', sa.String(length=5), nullable=False),
    sa.Column('minutes_before', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes_before >= 5 AND minutes_before <= 1440', name=op.f('ck_reminder_preferences_minutes_before')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reminder_preferences'))
    )
    op.create_table('reminder_sends',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('subscription_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('visit_start_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.CheckConstraint("kind IN ('evening', 'soon', 'overdue', 'overdue_office', 'all_clear')", name=op.f('ck_reminder_sends_kind')),
    sa.CheckConstraint("status IN ('sending', 'sent', 'retry', 'failed')", name=op.f('ck_reminder_sends_status')),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscriptions.id'], name=op.f('fk_reminder_sends_subscription_id_push_subscriptions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_reminder_sends_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sends')),
    sa.UniqueConstraint('visit_id', 'subscription_id', 'kind', name='uq_reminder_sends_visit_subscription_kind')
    )
    with op.batch_alter_table('reminder_sends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_sends_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_sends_visit_id'), ['visit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reminder_sends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_sends_visit_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_sends_subscription_id'))

    op.drop_table('reminder_sends')
    op.drop_table('reminder_preferences')
