"""urgent concern alerts share the reminder send rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:00:00

An urgent safeguarding concern not yet acknowledged is pushed to the area's
coordinators through the same claim-before-send rows as visit reminders and
the overdue alert (once per concern and subscription, whoever runs the
sender). reminder_sends gains concern_id (ON DELETE CASCADE, unique with the
subscription and kind); visit_id becomes nullable; each row is about a visit
or a concern, never both; the new kind is 'urgent_concern'.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('evening', 'soon', 'overdue', 'overdue_office', 'all_clear')"
NEW_KINDS = "kind IN ('evening', 'soon', 'overdue', 'overdue_office', 'all_clear', 'urgent_concern')"


def upgrade() -> None:
    with op.batch_alter_table('reminder_sends', schema=None) as batch_op:
        batch_op.add_column(sa.Column('concern_id', sa.Uuid(), nullable=True))
        batch_op.alter_column('visit_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(batch_op.f('ix_reminder_sends_concern_id'), ['concern_id'], unique=False)
        batch_op.create_unique_constraint('uq_reminder_sends_concern_subscription_kind',
                                          ['concern_id', 'subscription_id', 'kind'])
        batch_op.create_foreign_key(batch_op.f('fk_reminder_sends_concern_id_concerns'), 'concerns',
                                    ['concern_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_reminder_sends_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_reminder_sends_kind'), NEW_KINDS)
        batch_op.create_check_constraint(batch_op.f('ck_reminder_sends_visit_or_concern'),
                                         "(visit_id IS NULL) <> (concern_id IS NULL)")


def downgrade() -> None:
    # Concern alerts cannot be kept without their column: their rows go.
    op.execute("DELETE FROM reminder_sends WHERE concern_id IS NOT NULL")
    with op.batch_alter_table('reminder_sends', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_reminder_sends_visit_or_concern'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_reminder_sends_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_reminder_sends_kind'), OLD_KINDS)
        batch_op.drop_constraint(batch_op.f('fk_reminder_sends_concern_id_concerns'), type_='foreignkey')
        batch_op.drop_constraint('uq_reminder_sends_concern_subscription_kind', type_='unique')
        batch_op.drop_index(batch_op.f('ix_reminder_sends_concern_id'))
        batch_op.alter_column('visit_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('concern_id')
