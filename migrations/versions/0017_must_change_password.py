"""users.must_change_password: a first-time password must be changed before signing in

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25 21:45:00

The office gives a volunteer a first-time password (a new account, or a reset
for one who forgot theirs); the office sign-in and the field app's session API
refuse it until the volunteer has set their own. Existing accounts keep their
passwords: the column starts false.
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
