"""Commands: flask --app app db upgrade | seed-demo | create-user | reminders send-due | reminders run |
sign-ins list/revoke (app/accounts/cli.py) | retention anonymise (app/data_protection/cli.py) |
backup PATH | restore PATH (app/backup.py)."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import migrate
from app.accounts.cli import sign_ins_group
from app.backup import COMMANDS as BACKUP_COMMANDS
from app.data_protection.cli import retention_group
from app.db import db

# Where `make run` serves the app.
DEV_URL = "http://127.0.0.1:5000"


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(reminders_group)
    app.cli.add_command(sign_ins_group)
    app.cli.add_command(retention_group)  # retention anonymise (app/data_protection/cli.py)
    for command in BACKUP_COMMANDS:  # backup PATH, restore PATH (app/backup.py)
        app.cli.add_command(command)


@click.group("db", cls=AppGroup, help="Database migrations (Alembic).")
def db_group():
    pass


@db_group.command("upgrade", help="Apply migrations up to REVISION (default: the newest).")
@click.argument("revision", default="head")
def db_upgrade(revision):
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at migration {revision}.")


@db_group.command("revision", help="Write a new migration from the difference between models and database.")
@click.option("-m", "--message", required=True)
def db_revision(message):
    from alembic import command

    command.revision(migrate.alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True)


@db_group.command("downgrade", help="Undo migrations down to REVISION.")
@click.argument("revision")
def db_downgrade(revision):
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)


def _sign_in_help() -> str:
    """Where each demo account signs in: mentors in the field app, the
    coordinator in the office (a mentor signing in there is turned away)."""
    from app.demo.seed import COORDINATOR, PAIRS

    mentors = "; ".join(
        f"{' or '.join(email for email, _ in members)} (pair {pair})" for pair, members in PAIRS.items()
    )
    return (
        f"Mentors: open the field app at {DEV_URL}/ and sign in as {mentors}."
        f"\nCoordinators: open the office at {DEV_URL}/sign-in and sign in as {COORDINATOR[0]}."
        "\nPassword for every demo account: demo-mentors-2026, or the value of DEMO_PASSWORD"
        " if it was set when the demo data was loaded."
    )


@click.command("seed-demo", help="Fill an EMPTY database with demo data (never in production).")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data.")
@with_appcontext
def seed_demo_command(if_empty):
    from app.demo.seed import SeedRefused, database_is_empty, seed_demo

    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Refusing to load demo data with APP_ENV=production.")
    session = db.session
    if if_empty and not database_is_empty(session):
        click.echo("The database already has data; demo data not loaded.")
        click.echo(_sign_in_help())
        return
    try:
        # The office's referral list and the outcomes dashboard's past cases too.
        seed_demo(session, current_app.config["DEMO_PASSWORD"], referrals=True, outcomes=True)
    except SeedRefused as err:
        raise click.ClickException(str(err)) from None
    session.commit()
    click.echo("Demo data loaded.")
    click.echo(_sign_in_help())


@click.command("create-user", help="Create a real account. The password is read from a prompt or stdin.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["volunteer", "coordinator", "admin"]), required=True)
@click.option("--area", "area_name", help="Area name (required for volunteers and coordinators).")
@click.option("--create-area", is_flag=True, help="Create the area if it does not exist yet.")
@with_appcontext
def create_user_command(email, name, role, area_name, create_area):
    from sqlalchemy import func, select

    from app.accounts.services import AccountError, create_user
    from app.areas.models import Area

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    session = db.session
    if area_name and create_area:
        exists = session.scalar(select(Area).where(func.lower(Area.name) == area_name.strip().lower()))
        if exists is None:
            session.add(Area(name=area_name.strip()))
            session.flush()
    try:
        user = create_user(session, email=email, name=name, role=role, password=password, area_name=area_name)
    except AccountError as err:
        session.rollback()
        raise click.ClickException(str(err)) from None
    session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.group("reminders", cls=AppGroup, help="Visit reminders (Web Push).")
def reminders_group():
    pass


def _minutes(name: str, default: int):
    """A number of minutes from the app's config or the environment."""
    import os

    from app.reminders.overdue import minutes_setting

    try:
        return minutes_setting(current_app.config, name, default)
    except ValueError:
        value = current_app.config.get(name) or os.environ.get(name)
        raise click.ClickException(f"{name} must be a whole number of minutes, not {value!r}.") from None


# What a round counts; a step that failed adds nothing to them.
COUNTS = ("sent", "gone", "retry", "failed", "skipped")


def _send_due_once() -> dict:
    """The compliance gate's sweep (pairs blocked or freed as checks lapse or
    are renewed), then alerts of urgent safeguarding concerns to the area's
    coordinators, overdue check-out alerts and their all-clears, and due visit
    reminders.

    Each step runs on its own session and on its own: one that fails (a
    database error, a bug, a subscription pywebpush chokes on) is logged and
    counted in "steps failed", and never stops the others, above all not the
    safety alerts."""
    from app.db import utcnow
    from app.reminders.due import send_due
    from app.reminders.overdue import send_overdue
    from app.reminders.urgent import send_urgent_concerns
    from app.volunteers.lapses import sweep

    webpush = {"vapid_key": current_app.extensions["vapid"]["key"], "subject": current_app.config["VAPID_SUBJECT"],
               "timeout": float(current_app.config.get("WEBPUSH_TIMEOUT_SECONDS", 10))}
    grace = _minutes("OVERDUE_GRACE_MINUTES", 30)
    escalate_after = _minutes("OVERDUE_ESCALATE_MINUTES", 30)
    make_session = current_app.extensions["database"]["sessionmaker"]

    def run(name, step):
        session = make_session()
        try:
            result = step(session)
            session.commit()
            return result
        except Exception:  # noqa: BLE001  (logged; the other steps still run)
            current_app.logger.exception("reminders: %s failed", name)
            session.rollback()
            return None
        finally:
            session.close()

    failed = []
    gate = run("the compliance gate's sweep", sweep)
    if gate is None:
        failed.append("the compliance gate's sweep")
    now = utcnow()
    counts = dict.fromkeys(COUNTS, 0)
    steps = (
        ("urgent-concern alerts", lambda s: send_urgent_concerns(s, now, **webpush)),
        ("overdue check-out alerts", lambda s: send_overdue(s, now, grace=grace, escalate_after=escalate_after,
                                                            **webpush)),
        ("visit reminders", lambda s: send_due(s, now, **webpush)),
    )
    for name, step in steps:
        outcome = run(name, step)
        if outcome is None:
            failed.append(name)
            continue
        for key, value in outcome.as_dict().items():
            counts[key] += value
    result = {**counts, "pairs blocked": gate["blocked"] if gate else 0,
              "pairs unblocked": gate["unblocked"] if gate else 0}
    if failed:
        result["steps failed"] = len(failed)
        result["failed steps"] = failed
    return result


def _summary(counts: dict) -> str:
    # "1 pair blocked", "2 pairs blocked": the other counts read the same either way.
    text = ", ".join(f"{value} {name.replace('pairs', 'pair').replace('steps', 'step') if value == 1 else name}"
                     for name, value in counts.items() if name != "failed steps")
    if counts.get("failed steps"):
        text += f" ({', '.join(counts['failed steps'])} failed: see the log)"
    return text


@reminders_group.command("send-due", help="Send the visit reminders, overdue check-out alerts and urgent-concern alerts due now, "
                                          "once. Safe from cron every minute, and safe to run twice at once.")
def reminders_send_due():
    counts = _send_due_once()
    click.echo(f"Reminders: {_summary(counts)}.")
    if counts.get("steps failed"):
        sys.exit(1)  # cron mails it; the other steps were done


@reminders_group.command("run", help="Send due reminders every INTERVAL seconds until stopped "
                                     "(SIGTERM or Ctrl-C), for a single machine without cron.")
@click.option("--interval", default=60, show_default=True, type=click.IntRange(1, 3600))
def reminders_run(interval):
    import signal
    import threading
    import time

    stop = threading.Event()

    def _stop(signum, _frame):
        stop.set()

    previous = signal.signal(signal.SIGTERM, _stop)
    click.echo(f"Sending due visit reminders every {interval} s; SIGTERM or Ctrl-C stops.")
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                counts = _send_due_once()
                if any(counts.get(k) for k in ("sent", "gone", "retry", "failed", "pairs blocked", "pairs unblocked",
                                                 "steps failed")):
                    click.echo(f"Reminders: {_summary(counts)}.")
            except Exception as err:  # a database restart must not end the loop
                current_app.logger.exception("sending due reminders failed")
                click.echo(f"Sending due reminders failed ({type(err).__name__}); trying again next round.", err=True)
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("Reminders stopped.")
