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
