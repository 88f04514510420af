"""Backups: ``flask --app app backup PATH`` and ``flask --app app restore PATH``.

A backup is a consistent copy of the whole database taken while the app runs:

- SQLite: SQLite's online backup API (``sqlite3.Connection.backup``), copied
  in one step, so the copy is one snapshot of committed data even while
  others write; the copy is a plain SQLite file (rollback journal, not WAL).
- PostgreSQL: ``pg_dump --format=custom``, which reads one snapshot (a
  repeatable-read transaction) and does not block writers. It needs the
  PostgreSQL client tools (``pg_dump``, ``pg_restore``) of the server's major
  version or newer on PATH.

A restore goes only into an EMPTY database (no tables at all: a new
PostgreSQL database, or an SQLite file that does not exist yet or is empty)
and refuses anything else, so a mistyped DATABASE_URL never overwrites live
data. On PostgreSQL the restore ends with ANALYZE (pg_restore brings no
planner statistics). The restored database is at the migration of the backup; run
``flask --app app db upgrade`` afterwards if the code is newer.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why."""


def _database_url() -> str:
    return current_app.config["DATABASE_URL"]


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("DATABASE_URL names an in-memory SQLite database: there is nothing on disk to back up.")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq connection URI for the PostgreSQL tools, and the environment
    carrying the password (never on the command line, where ps shows it)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed (not found on PATH). Backups of PostgreSQL use pg_dump and pg_restore: install"
            " the PostgreSQL client tools of the server's major version or newer (Debian: apt-get install"
            " postgresql-client), then run this again.")
    return path


# ------------------------------------------------------------------ backup

def backup(url: str, target: Path) -> str:
    """Write a consistent copy of the database at ``url`` to ``target``
    (through a temporary file beside it, renamed when complete)."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.startswith("sqlite"):
            _backup_sqlite(_sqlite_path(url), partial)
            how = "SQLite online backup"
        elif url.startswith("postgresql"):
            _backup_postgres(url, partial)
            how = "pg_dump --format=custom"
        else:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {make_url(url).get_backend_name()}.")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return how


def _backup_sqlite(source: Path, partial: Path) -> None:
    if not source.exists():
        raise BackupError(f"There is no SQLite database at {source}.")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        with dst:
            src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The copy failed SQLite's integrity check; nothing was written.")
    finally:
        dst.close()
        src.close()


def _backup_postgres(url: str, partial: Path) -> None:
    uri, env = _libpq(url)
    done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                           f"--file={partial}", f"--dbname={uri}"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {done.returncode}): {done.stderr.strip()}")


# ----------------------------------------------------------------- restore

def _tables(url: str) -> list[str]:
    from app.db import make_engine

    engine = make_engine(url)
    try:
        return sa_inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(url: str, source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with open(source, "rb") as f:
        head = f.read(16)
    sqlite_target = url.startswith("sqlite")
    if sqlite_target and head != SQLITE_MAGIC:
        raise BackupError(f"{source} is not an SQLite backup, and DATABASE_URL is an SQLite database."
                          + (" It is a pg_dump archive: restore it into PostgreSQL." if head.startswith(PG_DUMP_MAGIC) else ""))
    if not sqlite_target and url.startswith("postgresql") and not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump archive (--format=custom), and DATABASE_URL is PostgreSQL.")
    if not (sqlite_target or url.startswith("postgresql")):
        raise BackupError(f"Restores support SQLite and PostgreSQL, not {make_url(url).get_backend_name()}.")
    if sqlite_target:
        path = _sqlite_path(url)
        if path.exists() and path.stat().st_size > 0:
            _refuse_unless_empty(url)
        _restore_sqlite(source, path)
    else:
        _refuse_unless_empty(url)
        _restore_postgres(url, source)


def _refuse_unless_empty(url: str) -> None:
    tables = _tables(url)
    if tables:
        shown = make_url(url).render_as_string(hide_password=True)
        raise BackupError(
            f"Refusing to restore: the database {shown} is not empty (it has {len(tables)} tables, e.g."
            f" {', '.join(sorted(tables)[:3])}). A restore goes only into an empty database: create a new one"
            " (PostgreSQL: createdb NAME; SQLite: a path that does not exist yet), point DATABASE_URL at it and"
            " run restore again.")


def _restore_sqlite(source: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} fails SQLite's integrity check; nothing was restored.")
        dst = sqlite3.connect(path, timeout=30)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _restore_postgres(url: str, source: Path) -> None:
    uri, env = _libpq(url)
    done = subprocess.run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                           "--single-transaction", f"--dbname={uri}", str(source)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (exit {done.returncode}); nothing was restored: {done.stderr.strip()}")
    # pg_restore brings no planner statistics: without them PostgreSQL picks
    # plans that make a sync pull take seconds until autovacuum gets round
    # to the tables. Gather them now.
    from app.db import make_engine

    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()


# ---------------------------------------------------------------- commands

@click.command("backup", help="Write a consistent copy of the database to PATH (SQLite: online backup API; "
                              "PostgreSQL: pg_dump --format=custom). Safe while the app runs.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool):
    if path.exists() and not force:
        raise BackupError(f"{path} exists already; choose a new name (e.g. with the date in it) or add --force.")
    how = backup(_database_url(), path)
    click.echo(f"Backed up {make_url(_database_url()).render_as_string(hide_password=True)} to {path}"
               f" ({how}, {path.stat().st_size:,} bytes).")


@click.command("restore", help="Restore a backup made by `backup` into the EMPTY database at DATABASE_URL "
                               "(refused if it has any table).")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path):
    url = _database_url()
    restore(url, path)
    click.echo(f"Restored {path} into {make_url(url).render_as_string(hide_password=True)}."
               " If this code is newer than the backup, run: flask --app app db upgrade")


# Both commands, for app/cli.py's register_cli.
COMMANDS = (backup_command, restore_command)
