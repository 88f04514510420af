"""The migrations produce exactly the models' schema, on each backend."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app import migrate
from app.db import Base, make_engine


def schema_diff(url):
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return diff


def test_migrations_match_the_models(database_url):
    assert schema_diff(database_url) == []


def test_migrations_run_down_to_nothing_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'updown.sqlite'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    migrate.upgrade(url)
    assert schema_diff(url) == []


@pytest.mark.parametrize("table", ["visits", "goals", "progress_entries", "problems", "concerns", "clients"])
def test_synced_tables_carry_sync_columns(table):
    columns = set(Base.metadata.tables[table].c.keys())
    assert {"id", "rev", "seq", "deleted_at", "created_at", "created_by_id", "updated_at", "updated_by_id"} <= columns


def test_progress_recorded_at_is_backfilled_from_created_at_in_utc(database_url):
    """0004 gives existing progress entries a recorded_at: their created_at, as UTC with +00:00."""
    import uuid
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa

    from app.db import UTCDateTime

    def table(name, *columns):
        return sa.table(name, *(sa.column(c, t) for c, t in columns))

    synced = [("id", sa.Uuid()), ("rev", sa.Integer()), ("seq", sa.BigInteger()),
              ("created_at", UTCDateTime()), ("updated_at", UTCDateTime())]
    areas = table("areas", ("id", sa.Uuid()), ("name", sa.String()), ("active", sa.Boolean()))
    clients = table("clients", ("area_id", sa.Uuid()), ("status", sa.String()), ("name", sa.String()),
                    ("consent_given", sa.Boolean()), ("high_impact_user", sa.Boolean()), *synced)
    goals = table("goals", ("client_id", sa.Uuid()), ("title", sa.String()), ("status", sa.String()), *synced)
    progress = table("progress_entries", ("client_id", sa.Uuid()), ("goal_id", sa.Uuid()), *synced)

    migrate.downgrade(database_url, "0003")
    try:
        area, client, goal, entry = (uuid.uuid4() for _ in range(4))
        # 09:15:30.5 in UK summer time is 08:15:30 UTC.
        made = datetime(2026, 7, 20, 9, 15, 30, 500000, tzinfo=timezone(timedelta(hours=1)))
        stamp = {"rev": 1, "seq": 0, "created_at": made, "updated_at": made}
        engine = make_engine(database_url)
        with engine.begin() as conn:
            conn.execute(sa.insert(areas).values(id=area, name=f"Area {area}", active=True))
            conn.execute(sa.insert(clients).values(id=client, area_id=area, status="active", name="C",
                                                   consent_given=True, high_impact_user=False, **stamp))
            conn.execute(sa.insert(goals).values(id=goal, client_id=client, title="G", status="active", **stamp))
            conn.execute(sa.insert(progress).values(id=entry, client_id=client, goal_id=goal, **stamp))
        engine.dispose()
    finally:
        migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        recorded = conn.execute(sa.text("SELECT recorded_at FROM progress_entries")).scalars().all()
    engine.dispose()
    assert recorded == ["2026-07-20T08:15:30+00:00"]
    assert schema_diff(database_url) == []


def test_sync_mutations_wrote_rev_starts_null_and_goes_away_again(database_url):
    """0021 adds sync_mutations.wrote_rev (and an index on record_id): results
    stored before it count as not provably the device's own (null); the
    downgrade drops both and keeps the rows."""
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from app.accounts.models import User

    engine = make_engine(database_url)
    with Session(engine) as s:
        user = User(email="wrote-rev@example.test", name="W", role="volunteer", password_hash="x")
        s.add(user)
        s.commit()
        user_id = user.id
    engine.dispose()
    mutation_id, record_id = uuid.uuid4(), uuid.uuid4()
    stored = sa.table("sync_mutations", sa.column("mutation_id", sa.Uuid()), sa.column("user_id", sa.Uuid()),
                      sa.column("device_id", sa.Uuid()), sa.column("kind", sa.String()),
                      sa.column("record_id", sa.Uuid()), sa.column("result", sa.JSON()),
                      sa.column("created_at", sa.DateTime(timezone=True)))

    def columns_and_indexes():
        engine = make_engine(database_url)
        found = inspect(engine)
        names = {c["name"] for c in found.get_columns("sync_mutations")}
        indexes = {i["name"] for i in found.get_indexes("sync_mutations")}
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT mutation_id FROM sync_mutations")).scalars().all()
        engine.dispose()
        return names, indexes, [uuid.UUID(str(r)) for r in rows]

    migrate.downgrade(database_url, "0020")
    try:
        names, indexes, _ = columns_and_indexes()
        assert "wrote_rev" not in names and "ix_sync_mutations_record_id" not in indexes
        engine = make_engine(database_url)
        with engine.begin() as conn:
            conn.execute(sa.insert(stored).values(
                mutation_id=mutation_id, user_id=user_id, device_id=uuid.uuid4(), kind="visit", record_id=record_id,
                result={"mutation_id": str(mutation_id), "status": "applied", "rev": 2}, created_at=sa.func.now()))
        engine.dispose()
    finally:
        migrate.upgrade(database_url)
    names, indexes, rows = columns_and_indexes()
    assert "wrote_rev" in names and "ix_sync_mutations_record_id" in indexes and rows == [mutation_id]
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT wrote_rev FROM sync_mutations")).scalars().all() == [None]
    engine.dispose()
    assert schema_diff(database_url) == []
    migrate.downgrade(database_url, "0020")
    try:
        names, indexes, rows = columns_and_indexes()
        assert "wrote_rev" not in names and "ix_sync_mutations_record_id" not in indexes and rows == [mutation_id]
    finally:
        migrate.upgrade(database_url)
