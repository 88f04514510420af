"""Web Push subscriptions are named for Web Push

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 21:10:00

"Push" means only the sync push (POST /api/sync/push). The browsers'
notification channel is Web Push (app/webpush): push_subscriptions becomes
webpush_subscriptions, and the names that carry the table's name follow it:
its primary key, its unique endpoint, its foreign key to users, its user_id
index, and reminder_sends' foreign key to it. Rows are kept, and so are the
reminder sends that point at them.

PostgreSQL renames in place. SQLite cannot rename constraints, and copying
push_subscriptions in batch mode would drop a table that reminder_sends
points at ON DELETE CASCADE (foreign keys are on): so the new table is made
and filled first, reminder_sends is pointed at it, and only then does the old
table go.
"""
from alembic import op
import sqlalchemy as sa

import app.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OLD, NEW = 'push_subscriptions', 'webpush_subscriptions'
COLUMNS = 'id, user_id, endpoint, p256dh, auth, created_at, last_sent_at'


def upgrade() -> None:
    _rename(OLD, NEW)


def downgrade() -> None:
    _rename(NEW, OLD)


def _rename(old: str, new: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _rename_in_place(old, new)
    else:
        _rename_by_copy(old, new)


def _rename_in_place(old: str, new: str) -> None:
    op.rename_table(old, new)
    for constraint in ('pk_{}', 'uq_{}_endpoint', 'fk_{}_user_id_users'):
        op.execute(f'ALTER TABLE {new} RENAME CONSTRAINT {constraint.format(old)} TO {constraint.format(new)}')
    op.execute(f'ALTER INDEX ix_{old}_user_id RENAME TO ix_{new}_user_id')
    op.execute(f'ALTER TABLE reminder_sends RENAME CONSTRAINT fk_reminder_sends_subscription_id_{old}'
               f' TO fk_reminder_sends_subscription_id_{new}')


def _rename_by_copy(old: str, new: str) -> None:
    op.create_table(new,
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('endpoint', sa.Text(), nullable=False),
    sa.Column('p256dh', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=100), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_sent_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f(f'fk_{new}_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{new}')),
    sa.UniqueConstraint('endpoint', name=op.f(f'uq_{new}_endpoint'))
    )
    op.execute(f'INSERT INTO {new} ({COLUMNS}) SELECT {COLUMNS} FROM {old}')
    with op.batch_alter_table('reminder_sends', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(op.f(f'fk_reminder_sends_subscription_id_{old}'), type_='foreignkey')
        batch_op.create_foreign_key(op.f(f'fk_reminder_sends_subscription_id_{new}'), new,
                                    ['subscription_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table(old, schema=None) as batch_op:
        batch_op.drop_index(op.f(f'ix_{old}_user_id'))
    op.drop_table(old)
    with op.batch_alter_table(new, schema=None) as batch_op:
        batch_op.create_index(op.f(f'ix_{new}_user_id'), ['user_id'], unique=False)
