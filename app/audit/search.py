"""Finding entries in the audit log (admins): by person, record, action and dates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import ACTIONS, AuditEntry

LONDON = ZoneInfo("Europe/London")
PAGE = 200


@dataclass(frozen=True)
class Filters:
    email: str = ""
    record_id: str = ""
    action: str = ""
    first: date | None = None
    last: date | None = None


def read_filters(args) -> tuple[Filters, dict]:
    """The search form's values, checked; errors by field id."""
    errors = {}
    days = {}
    for name in ("from", "to"):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                days[name] = date.fromisoformat(raw)
            except ValueError:
                errors[name] = "Enter a real date, like 2026-11-25"
    action = (args.get("action") or "").strip()
    if action and action not in ACTIONS:
        errors["action"] = "Choose an action from the list"
    if days.get("from") and days.get("to") and days["from"] > days["to"]:
        errors["to"] = "The last day must be on or after the first day"
    email = (args.get("email") or "").strip()[:200]
    record_id = (args.get("record_id") or "").strip()[:64]
    return Filters(email, record_id, action, days.get("from"), days.get("to")), errors


def search(session: Session, filters: Filters) -> list[tuple[AuditEntry, str | None]]:
    """Newest first, at most PAGE entries, each with the name of who did it."""
    query = select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.user_id)
    if filters.email:
        query = query.where(User.email == filters.email.lower())
    if filters.record_id:
        query = query.where(AuditEntry.record_id == filters.record_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.first:
        query = query.where(AuditEntry.at >= datetime.combine(filters.first, time(), LONDON))
    if filters.last:
        query = query.where(AuditEntry.at < datetime.combine(filters.last + timedelta(days=1), time(), LONDON))
    return list(session.execute(query.order_by(AuditEntry.id.desc()).limit(PAGE)))
