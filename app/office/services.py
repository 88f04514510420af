"""What the office home page shows: the clients in the user's scope."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.db import utcnow
from app.fieldwork.models import Visit
from app.scope import client_scope
from app.volunteers.models import MentorPair


@dataclass(frozen=True)
class ClientRow:
    name: str
    status: str
    pair_name: str | None
    next_visit_at: datetime | None
    id: uuid.UUID  # for the link to the client's record


def client_overview(session: Session, user: User) -> list[ClientRow]:
    next_visit = (
        select(Visit.client_id, func.min(Visit.scheduled_start_at).label("next_at"))
        .where(Visit.deleted_at.is_(None), Visit.status == "planned", Visit.scheduled_start_at >= utcnow())
        .group_by(Visit.client_id)
        .subquery()
    )
    rows = session.execute(
        select(Client.name, Client.status, MentorPair.name, next_visit.c.next_at, Client.id)
        .outerjoin(
            ClientAssignment,
            (ClientAssignment.client_id == Client.id) & ClientAssignment.ended_at.is_(None),
        )
        .outerjoin(MentorPair, MentorPair.id == ClientAssignment.pair_id)
        .outerjoin(next_visit, next_visit.c.client_id == Client.id)
        .where(Client.id.in_(client_scope(user)), Client.deleted_at.is_(None))
        .order_by(Client.status, Client.name)
    )
    return [ClientRow(*row) for row in rows]
