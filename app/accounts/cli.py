"""flask --app app sign-ins list EMAIL | revoke EMAIL (--id ID | --all): for an
admin when a phone is lost and no coordinator is at hand."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.accounts import services, sign_ins
from app.db import db, utcnow


@click.group("sign-ins", cls=AppGroup, help="The phones and browsers a person is signed in on; revoke a lost one.")
def sign_ins_group():
    """The group's commands are below."""


def _user(email: str):
    user = services.find_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"No account with the email {email!r}.")
    return user


@sign_ins_group.command("list", help="The open sign-ins of the account with EMAIL.")
@click.argument("email")
def list_command(email):
    user = _user(email)
    rows = sign_ins.open_sign_ins(db.session, user)
    if not rows:
        click.echo(f"{user.email} is not signed in anywhere.")
    for row in rows:
        click.echo(f"{row.id}  {row.app:6}  {row.device}  signed in {row.started_at:%Y-%m-%d %H:%M} UTC, "
                   f"last used {row.last_seen_at:%Y-%m-%d %H:%M} UTC")


@sign_ins_group.command("revoke", help="Sign out one phone (--id, from `list`) or all of them (--all). "
                                       "Each deletes what it holds about clients at its next contact.")
@click.argument("email")
@click.option("--id", "sign_in_id", help="The sign-in to end, as shown by `list`.")
@click.option("--all", "everything", is_flag=True, help="End every sign-in of this account.")
def revoke_command(email, sign_in_id, everything):
    if bool(sign_in_id) == everything:
        raise click.UsageError("Give either --id ID or --all.")
    user = _user(email)
    now = utcnow()
    if everything:
        count = sign_ins.end_all(db.session, user, reason="revoked", now=now)
    else:
        row = sign_ins.find(db.session, user, sign_in_id)
        if row is None:
            raise click.ClickException(f"{user.email} has no sign-in {sign_in_id!r}: see `sign-ins list {user.email}`.")
        if not row.is_open:
            raise click.ClickException(f"That sign-in already ended ({row.end_reason}): nothing changed.")
        sign_ins.end(db.session, row, reason="revoked", now=now)
        count = 1
    db.session.commit()
    click.echo(f"Revoked {count} sign-in{'' if count == 1 else 's'} of {user.email}.")
