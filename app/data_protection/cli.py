"""flask --app app retention anonymise [--older-than-months N] [--dry-run]
(docs/operations.md, "Retention")."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.data_protection import retention
from app.db import db
from app.days import today


@click.group("retention", cls=AppGroup, help="Retention of closed cases' and declined referrals' personal data.")
def retention_group():
    """Commands that act on personal data past its retention period."""


@retention_group.command("anonymise", help="Anonymise the clients whose case closed, or whose referral was "
                                           "declined, more than N months ago (default RETENTION_MONTHS), keeping "
                                           "the counts the outcomes need.")
@click.option("--older-than-months", "months", type=click.IntRange(min=1, max=1200),
              help="Months since the case closed or the referral was declined (default: RETENTION_MONTHS, 72 "
                   "unless set).")
@click.option("--dry-run", is_flag=True, help="List what would change and change nothing.")
def anonymise_command(months, dry_run):
    months = months or current_app.config["RETENTION_MONTHS"]
    session = db.session
    plans = retention.anonymise(session, today(), months, dry_run)
    if not dry_run:
        session.commit()  # every client's blanks and audit entries together, or none
    verb = "Would anonymise" if dry_run else "Anonymised"
    cut = retention.months_before(today(), months)
    click.echo(f"{verb} {len(plans)} client{'' if len(plans) == 1 else 's'} whose case closed, or whose referral "
               f"was declined, before {cut.isoformat()} ({months} months).")
    for planned in plans:
        counts = ", ".join(f"{table} {n}" for table, n in planned.counts.items())
        click.echo(f"- client {planned.reference}, {planned.ended} {planned.ended_at.date().isoformat()}: {counts}")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
