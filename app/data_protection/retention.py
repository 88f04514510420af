"""Retention: anonymise the clients whose case closed, or whose referral was
declined, more than a period ago.

For each such client, every identifying column (personal_data.py) of every
row that is the client's own (rows.py: the client record, referral,
decisions, assignments, visits, goals, progress, SARA plans, concerns and
their actions, demand counts, conflicts) is blanked: NULL, or REMOVED where
the column must keep a value, and the client's name becomes "Anonymised
client <short reference>". In others' rows reached from the client, the columns
the map says may describe them (a volunteer's journey to the client's
visit: its places) become REMOVED; the amounts stay. Every KEPT column stays, so the outcome figures (demand
counts, wellbeing scores, goal states, visit lengths, expense amounts) are
the same after as before.

Phones: a closed client left the mentors' phones when the case closed
(app/clients/services.py, close_case). The coordinators' and admins' scope
still holds it, so every synced row changed gets a new rev and change number
(app/sync/changes.py): their next pull brings the blanked values down over
the old ones. Files: no receipt or attachment belongs to a client (receipts
are a volunteer's own, app/receipts), so none is removed.

A client anonymised carries the time in ``anonymised_at`` and is skipped,
so the command may run again and again. Each client anonymised gets an audit
entry, in the same transaction as the change.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from app.audit.log import record
from app.clients.models import Client
from app.data_protection.personal_data import CLIENT, REMOVED, TABLES, anonymised_name, short_reference
from app.data_protection.rows import find
from app.db import Base, utcnow
from app.outcomes.rules import add_months
from app.sync.changes import lock_counter, take_seqs

ROUTE = "CLI retention anonymise"


@dataclass
class Plan:
    """What anonymising one client changes: rows with something to blank, by table."""

    client_id: uuid.UUID
    reference: str
    ended: str            # "closed" (a case) or "declined" (a referral)
    ended_at: datetime
    rows: dict[str, list[dict]] = field(default_factory=dict)  # table -> [{"key": {...}, "values": {...}}]

    @property
    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in sorted(self.rows.items()) if rows}


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it has fewer)."""
    if months < 1:
        raise ValueError("the period must be 1 month or more")
    return add_months(day, -months)


def cut_off(today: date, months: int) -> datetime:
    """Cases closed, and referrals declined, before this instant are old enough to anonymise."""
    return datetime.combine(months_before(today, months), time.min, tzinfo=timezone.utc)


def ended_at(client: Client) -> datetime | None:
    """When the scheme's work with the client ended: the case closed, or the referral was declined."""
    return client.closed_at if client.status == "closed" else client.decided_at if client.status == "declined" else None


def due(session: Session, today: date, months: int) -> list[Client]:
    """The clients whose case closed, or whose referral was declined, more
    than the period ago and not yet anonymised, the longest ago first."""
    ended = case((Client.status == "closed", Client.closed_at), else_=Client.decided_at)
    return list(session.scalars(select(Client).where(
        Client.status.in_(("closed", "declined")), ended.is_not(None), ended < cut_off(today, months),
        Client.anonymised_at.is_(None)).order_by(ended, Client.id)))


def replacement(table: str, column: str, client_id) -> object:
    entry = TABLES[table]
    if table == "clients" and column == "name":
        return anonymised_name(client_id)
    return REMOVED if column in entry.keeps_a_value else None


def plan(session: Session, client: Client) -> Plan:
    """What anonymising ``client`` would change; changes nothing."""
    found = find(session, CLIENT, client.id)
    result = Plan(client.id, short_reference(client.id), client.status, ended_at(client))
    for name, keyed in sorted(found.rows.items()):
        table = Base.metadata.tables[name]
        entry = TABLES[name]
        for key in sorted(keyed, key=lambda k: tuple(str(p) for p in k)):
            row, own = keyed[key], key in found.own[name]
            values = {}
            for column in entry.identifying if own else entry.about_a_client:
                new = replacement(name, column, client.id) if own else REMOVED
                if row[column] is not None and row[column] != new:
                    values[column] = new
            if values:
                primary = {c.name: row[c.name] for c in table.primary_key.columns}
                result.rows.setdefault(name, []).append({"key": primary, "values": values})
    return result


def apply(session: Session, planned: Plan) -> None:
    """Blank what ``planned`` lists, give synced rows a new rev and change
    number, and audit it; the caller commits."""
    lock_counter(session)
    now = utcnow()
    for name, rows in planned.rows.items():
        table = Base.metadata.tables[name]
        synced = "seq" in table.c
        for row in rows:
            values = dict(row["values"])
            if synced:
                values.update(rev=table.c.rev + 1, seq=take_seqs(session), updated_at=now)
            condition = [table.c[column] == value for column, value in row["key"].items()]
            session.execute(update(table).where(*condition).values(**values))
    # Marked done even with nothing left to blank, so it is never planned again.
    session.execute(update(Client).where(Client.id == planned.client_id).values(anonymised_at=now))
    record(session, action="change", route=ROUTE, record_kind="client", record_id=planned.client_id)
    session.expire_all()


def anonymise(session: Session, today: date, months: int, dry_run: bool) -> list[Plan]:
    """Plan (and unless ``dry_run``, apply) the anonymisation of every client due; the caller commits."""
    plans = [plan(session, client) for client in due(session, today, months)]
    if not dry_run:
        for planned in plans:
            apply(session, planned)
    return plans
