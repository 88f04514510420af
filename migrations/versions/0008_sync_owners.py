"""sync conflicts and scope events name owners, not clients

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 21:00:00

The sync engine knows no feature (docs/architecture.md): a synced record's
owner is a client or a volunteer. sync_conflicts.client_id becomes
owner_type ('client') + owner_id, without the foreign key to clients.
sync_scope_events (client_id, pair_id, area_id) becomes one row per audience
that lost the owner: (owner_type, owner_id, audience_kind 'pair' or 'area',
audience_id); an old row naming both a pair and an area becomes two rows.
"""
from alembic import op
import sqlalchemy as sa

import app.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OPEN = sa.text('resolved_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_conflicts_open', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_constraint('fk_sync_conflicts_client_id_clients', type_='foreignkey')
        batch_op.alter_column('client_id', new_column_name='owner_id', existing_type=sa.Uuid(), existing_nullable=False)
        batch_op.add_column(sa.Column('owner_type', sa.String(length=20), nullable=False, server_default='client'))
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.alter_column('owner_type', server_default=None, existing_type=sa.String(length=20))
        batch_op.create_index('ix_sync_conflicts_open', ['owner_id'], unique=False, sqlite_where=OPEN,
                              postgresql_where=OPEN)

    op.create_table(
        'sync_scope_events_new',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('owner_type', sa.String(length=20), nullable=False),
        sa.Column('owner_id', sa.Uuid(), nullable=False),
        sa.Column('audience_kind', sa.String(length=20), nullable=False),
        sa.Column('audience_id', sa.Uuid(), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_sync_scope_events_new'),
    )
    for audience, column in (('pair', 'pair_id'), ('area', 'area_id')):
        op.execute(
            f"INSERT INTO sync_scope_events_new (seq, owner_type, owner_id, audience_kind, audience_id, created_at) "
            f"SELECT seq, 'client', client_id, '{audience}', {column}, created_at FROM sync_scope_events "
            f"WHERE {column} IS NOT NULL ORDER BY id"
        )
    with op.batch_alter_table('sync_scope_events', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_scope_events_seq')
    op.drop_table('sync_scope_events')
    op.rename_table('sync_scope_events_new', 'sync_scope_events')
    _rename_primary_key('sync_scope_events_new', 'sync_scope_events')
    with op.batch_alter_table('sync_scope_events', schema=None) as batch_op:
        batch_op.create_index('ix_sync_scope_events_seq', ['seq'], unique=False)


def downgrade() -> None:
    # Conflicts and scope events of owners other than clients cannot go back.
    op.execute("DELETE FROM sync_conflicts WHERE owner_type <> 'client'")
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_conflicts_open', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_column('owner_type')
        batch_op.alter_column('owner_id', new_column_name='client_id', existing_type=sa.Uuid(), existing_nullable=False)
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_sync_conflicts_client_id_clients', 'clients', ['client_id'], ['id'])
        batch_op.create_index('ix_sync_conflicts_open', ['client_id'], unique=False, sqlite_where=OPEN,
                              postgresql_where=OPEN)

    op.create_table(
        'sync_scope_events_old',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('pair_id', sa.Uuid(), nullable=True),
        sa.Column('area_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name='fk_sync_scope_events_area_id_areas'),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name='fk_sync_scope_events_client_id_clients'),
        sa.ForeignKeyConstraint(['pair_id'], ['mentor_pairs.id'], name='fk_sync_scope_events_pair_id_mentor_pairs'),
        sa.PrimaryKeyConstraint('id', name='pk_sync_scope_events_old'),
    )
    for audience, column in (('pair', 'pair_id'), ('area', 'area_id')):
        op.execute(
            f"INSERT INTO sync_scope_events_old (seq, client_id, {column}, created_at) "
            f"SELECT seq, owner_id, audience_id, created_at FROM sync_scope_events "
            f"WHERE owner_type = 'client' AND audience_kind = '{audience}' ORDER BY id"
        )
    with op.batch_alter_table('sync_scope_events', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_scope_events_seq')
    op.drop_table('sync_scope_events')
    op.rename_table('sync_scope_events_old', 'sync_scope_events')
    _rename_primary_key('sync_scope_events_old', 'sync_scope_events')
    with op.batch_alter_table('sync_scope_events', schema=None) as batch_op:
        batch_op.create_index('ix_sync_scope_events_seq', ['seq'], unique=False)


def _rename_primary_key(old_table: str, table: str) -> None:
    # PostgreSQL keeps a constraint's name when its table is renamed; SQLite
    # does not name primary keys in its catalogue.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE {table} RENAME CONSTRAINT pk_{old_table} TO pk_{table}')
        op.execute(f'ALTER SEQUENCE IF EXISTS {old_table}_id_seq RENAME TO {table}_id_seq')
