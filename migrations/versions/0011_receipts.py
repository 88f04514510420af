"""receipts

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 20:29:17

receipts: who uploaded which receipt (photo or PDF for an expense), keyed by
the sha256 of its bytes and the uploader, so the same bytes from a second
person are one file on disk and two rows. The files themselves live outside
the database, in RECEIPTS_DIR (docs/operations.md, "Receipts"); downgrading
drops the table and leaves the files.
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('receipts',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'application/pdf')", name=op.f('ck_receipts_content_type')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_receipts_size_bytes')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_receipts_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('sha256', 'uploaded_by_id', name=op.f('pk_receipts'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipts_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_uploaded_by_id'))
    op.drop_table('receipts')
