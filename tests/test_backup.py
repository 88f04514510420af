"""flask --app app backup PATH / restore PATH (app/backup.py).

A backup taken while a mentor's phone keeps pushing is one consistent
snapshot: restored into a fresh database, the app signs the mentor in and
pulls the demo records and a whole prefix of the writer's batches (each batch
all or nothing). Restore goes only into an empty database. On PostgreSQL
(TEST_DATABASE_URL) the restore target is a database of the test's own,
created beside the test database and dropped afterwards.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

from app import create_app
from app.accounts.models import User
from app.clients.models import Client
from app.sync.push import push
from tests.conftest import ApiClient

BATCH = 3  # visits per pushed batch: a consistent copy holds all of a batch or none


def writer(app, stop: threading.Event, pushed: list, errors: list) -> None:
    """A phone pushing batches of new visits, each committed on its own, until stopped."""
    session = app.extensions["database"]["sessionmaker"]()
    try:
        user = session.scalars(select(User).where(User.email == "amira@demo.test")).one()
        client_id = session.scalars(select(Client.id).where(Client.name == "Margaret Hill")).one()
        device = uuid.uuid4()
        n = 0
        while not stop.is_set() or len(pushed) < 3:
            n += 1
            batch = [{"mutation_id": str(uuid.uuid4()), "kind": "visit", "id": str(uuid.uuid4()), "op": "create",
                      "changes": {"client_id": str(client_id), "scheduled_start": "2026-12-01T10:30:00+00:00",
                                  "notes": f"batch {n} visit {i}"}} for i in range(BATCH)]
            results = push(session, user, device, batch)
            session.commit()
            assert all(r["status"] == "applied" for r in results), results
            pushed.append({m["id"] for m in batch})
            time.sleep(0.005)
    except Exception as err:  # noqa: BLE001  (reported by the test)
        errors.append(err)
    finally:
        session.close()


def signed_in_pull(app) -> dict:
    api = ApiClient(app.test_client())
    assert api.sign_in("amira@demo.test").status_code == 200
    response = api.get("/api/sync/pull?limit=1000")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["has_more"] is False
    return {change["id"]: change for change in body["changes"]}


@pytest.fixture
def restore_url(database_url, tmp_path):
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL database of this test's own."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'restored.sqlite'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_restore_{os.getpid()}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def test_a_backup_taken_during_writes_restores_into_a_fresh_database_the_app_reads(
        app, demo, runner, restore_url, tmp_path):
    before = signed_in_pull(app)
    stop, pushed, errors = threading.Event(), [], []
    thread = threading.Thread(target=writer, args=(app, stop, pushed, errors))
    thread.start()
    try:
        while len(pushed) < 3 and thread.is_alive():  # the phone is busy when the backup starts
            time.sleep(0.01)
        path = tmp_path / "backup.dump"
        result = runner.invoke(args=["backup", str(path)])
        written = len(pushed)
    finally:
        stop.set()
        thread.join(30)
    assert not errors, errors
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output and path.stat().st_size > 0
    assert len(pushed) > written or written > 3  # the writer kept writing around the backup

    restored_app = create_app({"APP_ENV": "testing", "DATABASE_URL": restore_url, "SECRET_KEY": "r" * 40,
                               "INSTANCE_PATH": tmp_path / "restored-instance"})
    try:
        done = restored_app.test_cli_runner().invoke(args=["restore", str(path)])
        assert done.exit_code == 0, done.output
        assert "Restored" in done.output
        after = signed_in_pull(restored_app)  # the same password signs in: accounts came back
    finally:
        restored_app.extensions["database"]["engine"].dispose()

    # Every record the mentor had before the backup, unchanged.
    assert {k: v for k, v in after.items() if k in before} == before
    # The writer's batches: a whole prefix of them, each batch all or nothing.
    extra = set(after) - set(before)
    kept = [batch <= extra for batch in pushed]
    assert not any(batch & extra and not batch <= extra for batch in pushed), "a batch was split by the backup"
    assert kept == sorted(kept, reverse=True), "the copy is not one point in time"
    assert extra == set().union(*(batch for batch, k in zip(pushed, kept) if k))
    assert sum(kept) >= 3


def test_restore_refuses_a_database_that_is_not_empty(app, demo, runner, tmp_path):
    path = tmp_path / "backup.dump"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    result = runner.invoke(args=["restore", str(path)])  # into the live database itself
    assert result.exit_code == 1
    assert "Refusing to restore" in result.output and "is not empty" in result.output
    assert "create a new one" in result.output
    session = app.extensions["database"]["sessionmaker"]()
    try:
        assert session.scalar(select(User.id).where(User.email == "amira@demo.test")) is not None
    finally:
        session.close()


def test_backup_does_not_overwrite_a_file_unless_told(app, demo, runner, tmp_path):
    path = tmp_path / "backup.dump"
    path.write_text("yesterday's backup")
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 1 and "exists already" in result.output
    assert path.read_text() == "yesterday's backup"
    assert runner.invoke(args=["backup", str(path), "--force"]).exit_code == 0
    assert path.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert not list(tmp_path.glob("*.partial"))


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a backup")
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "is not an SQLite backup" in result.output or "is not a pg_dump archive" in result.output


@pytest.mark.postgres
def test_without_pg_dump_the_backup_says_so(pg_database_url, tmp_path, monkeypatch):
    import app.backup as backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    pg_app = create_app({"APP_ENV": "testing", "DATABASE_URL": pg_database_url, "SECRET_KEY": "p" * 40,
                         "INSTANCE_PATH": tmp_path / "instance"})
    try:
        result = pg_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.dump")])
    finally:
        pg_app.extensions["database"]["engine"].dispose()
    assert result.exit_code == 1
    assert "pg_dump is not installed" in result.output and "postgresql-client" in result.output
    assert not Path(tmp_path / "b.dump").exists()
