"""visit actual_minutes, progress recorded_at, index of settled conflicts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:00:00.000000

- visits.actual_minutes: how long a visit really took (duration_minutes stays
  the planned length); null for every existing visit.
- progress_entries.recorded_at: when the progress was recorded, as ISO 8601
  with its UTC offset, like visits.checked_in_at. Existing rows take their
  created_at, in UTC (``+00:00``), to the second, then the column is NOT NULL.
- sync_conflicts.resolved_at gets an index: pull lists recently settled ones.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actual_minutes', sa.Integer(), nullable=True))

    with op.batch_alter_table('progress_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_at', sa.String(length=40), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE progress_entries SET recorded_at = "
                   "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00'")
    else:  # SQLite keeps created_at as naive UTC text
        op.execute("UPDATE progress_entries SET recorded_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '+00:00'")
    with op.batch_alter_table('progress_entries', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.String(length=40), nullable=False)

    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.create_index('ix_sync_conflicts_resolved_at', ['resolved_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_conflicts_resolved_at')

    with op.batch_alter_table('progress_entries', schema=None) as batch_op:
        batch_op.drop_column('recorded_at')

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('actual_minutes')
