"""Writing audit entries: in the caller's session, so an entry commits (or
rolls back) with the work it records."""
from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.models import AuditEntry


def record(session: Session, *, action: str, route: str, user_id: uuid.UUID | None = None,
           record_kind: str | None = None, record_id=None, status: int | None = None,
           ip: str | None = None) -> AuditEntry:
    entry = AuditEntry(user_id=user_id, action=action, route=route[:120], record_kind=record_kind,
                       record_id=None if record_id is None else str(record_id)[:64], status=status, ip=ip)
    session.add(entry)
    return entry
