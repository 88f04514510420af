"""sign_ins: one row per signed-in phone or browser, replacing users.session_token

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-25 23:40:00

A sign-in can be ended alone (sign-out, a lost phone revoked by the office),
lapses when idle or past its expiry, and says why it ended. The per-user
session token it replaces could only sign a person out everywhere at once;
dropping it signs everybody out once, at this upgrade.
"""
from alembic import op
import sqlalchemy as sa

import app.db

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_ins',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('app', sa.String(length=10), nullable=False),
        sa.Column('device', sa.String(length=200), nullable=False),
        sa.Column('started_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(length=20), nullable=True),
        sa.Column('ended_by_id', sa.Uuid(), nullable=True),
        sa.CheckConstraint("app IN ('field', 'office')", name=op.f('ck_sign_ins_app')),
        sa.CheckConstraint("end_reason IS NULL OR end_reason IN "
                           "('signed_out', 'revoked', 'deactivated', 'password_changed', 'idle', 'expired')",
                           name=op.f('ck_sign_ins_end_reason')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_ins_user_id_users')),
        sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_sign_ins_ended_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins')),
    )
    op.create_index(op.f('ix_sign_ins_user_id'), 'sign_ins', ['user_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=False,
                                      server_default='signed-out'))
    op.drop_index(op.f('ix_sign_ins_user_id'), table_name='sign_ins')
    op.drop_table('sign_ins')
