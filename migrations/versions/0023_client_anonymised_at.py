"""clients.anonymised_at: when the retention command blanked a client's details

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-26 03:05:00

- clients.anonymised_at: set by `flask retention anonymise`
  (app/data_protection/retention.py) in the transaction that blanks the
  client's identifying details, so a client is never anonymised twice and
  the office can say when it happened. Existing rows start empty: the
  command had not run on any database before this migration.
"""
from alembic import op
import sqlalchemy as sa
import app.db

import app.db

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', app.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
