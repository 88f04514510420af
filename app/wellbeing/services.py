"""Wellbeing scores on the server: a client's scores, when the next is due,
and the office's recording and deleting of a score (through the same checks
as the kind phones sync, app/wellbeing/kinds.py)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.db import utcnow
from app.scope import client_scope
from app.outcomes import rules
from app.sync.changes import lock_counter, stamp
from app.wellbeing.kinds import WELLBEING, scores, wellbeing_problems
from app.wellbeing.models import QUESTIONS, WellbeingScore

OCCASION_WORDS = {"referral": "At referral", "review": "3-monthly review", "closure": "At closure"}


class WellbeingInputError(ValueError):
    """Answers or a day that cannot be saved: {field: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def metric_of(score: WellbeingScore) -> Decimal:
    return Decimal(score.metric_hundredths) / 100


def scores_of(session: Session, client_id) -> list[WellbeingScore]:
    """A client's scores (not deleted), oldest first."""
    return list(session.scalars(
        select(WellbeingScore).where(WellbeingScore.client_id == client_id, WellbeingScore.deleted_at.is_(None))
        .order_by(WellbeingScore.recorded_on, WellbeingScore.created_at)))


def started_on(session: Session, client: Client) -> date | None:
    """The start of support: the day the referral was received, else the day
    the client was first given to a pair (None: neither yet)."""
    if client.referral_received_on is not None:
        return client.referral_received_on
    first = session.scalar(select(ClientAssignment.started_at).where(ClientAssignment.client_id == client.id)
                           .order_by(ClientAssignment.started_at).limit(1))
    return first.date() if first is not None else None


@dataclass(frozen=True)
class Due:
    on: date
    now: bool  # due on or before today


def next_due(session: Session, client: Client, today: date) -> Due | None:
    """When the client's next score is due (rules.swemwbs_next_due); None for
    a closed case or one whose support has not started."""
    if client.status != "active":
        return None
    start = started_on(session, client)
    if start is None:
        return None
    taken = scores_of(session, client.id)
    due = rules.swemwbs_next_due(start, taken[-1].recorded_on if taken else None)
    return Due(due, due <= today)


# The office home lists checks due within this many days, so one can be planned for the next visit.
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class DueCheck:
    client_id: uuid.UUID
    client_name: str
    due: Due
    last_recorded_on: date | None


def checks_due(session: Session, user: User, today: date, within_days: int = DUE_SOON_DAYS) -> list[DueCheck]:
    """The active clients in ``user``'s scope whose next check is due by
    ``within_days`` after ``today``, the longest overdue first. Three queries
    whatever the number of clients; when is next_due's rule."""
    last = (select(WellbeingScore.client_id, func.max(WellbeingScore.recorded_on).label("last_on"))
            .where(WellbeingScore.deleted_at.is_(None)).group_by(WellbeingScore.client_id).subquery())
    first_pair = (select(ClientAssignment.client_id, func.min(ClientAssignment.started_at).label("first_at"))
                  .group_by(ClientAssignment.client_id).subquery())
    rows = session.execute(
        select(Client.id, Client.name, Client.referral_received_on, first_pair.c.first_at, last.c.last_on)
        .outerjoin(last, last.c.client_id == Client.id)
        .outerjoin(first_pair, first_pair.c.client_id == Client.id)
        .where(Client.id.in_(client_scope(user)), Client.status == "active", Client.deleted_at.is_(None)))
    found = []
    for client_id, name, received_on, first_at, last_on in rows:
        start = received_on or (first_at.date() if first_at is not None else None)
        if start is None:
            continue
        on = rules.swemwbs_next_due(start, last_on)
        if on <= today + timedelta(days=within_days):
            found.append(DueCheck(client_id, name, Due(on, on <= today), last_on))
    return sorted(found, key=lambda d: (d.due.on, d.client_name))


def checked(values: dict, today: date) -> dict:
    """Phone-form values (JSON form: answers as ints) checked as a phone's
    create would be: the kind's schema, then its rules across fields."""
    data = {name: values.get(name) for name in ("recorded_on", "occasion", *QUESTIONS)}
    try:
        data.update(WELLBEING.schema.load({k: v for k, v in data.items() if v is not None}, partial=True))
    except ValidationError as err:
        return {"errors": {name: " ".join(messages) for name, messages in err.messages.items()}}
    problems = wellbeing_problems(data, today)
    if problems:
        return {"errors": {name: " ".join(messages) for name, messages in problems.items()}}
    return {"data": data}


def record(session: Session, user: User, client: Client, values: dict, today: date) -> WellbeingScore:
    """Record a score in the office (a change number, so the pair's phones
    get it); WellbeingInputError says what is wrong, and nothing is saved."""
    result = checked(values, today)
    if "errors" in result:
        raise WellbeingInputError(result["errors"])
    data = result["data"]
    score = WellbeingScore(
        id=uuid.uuid4(), client_id=client.id, recorded_on=date.fromisoformat(data["recorded_on"]),
        occasion=data["occasion"], **{q: data[q] for q in QUESTIONS}, **scores(data),
        created_by_id=user.id, updated_by_id=user.id)
    session.add(score)
    stamp(session, score)
    session.flush()
    return score


def delete(session: Session, user: User, client: Client, score_id) -> WellbeingScore | None:
    """A score recorded by mistake: a tombstone, which phones get at their
    next sync. None: the client has no such score (or it is deleted)."""
    lock_counter(session)  # before reading the record to change (app/sync/changes.py)
    score = session.get(WellbeingScore, score_id)
    if score is None or score.client_id != client.id or score.deleted_at is not None:
        return None
    score.deleted_at = utcnow()
    stamp(session, score, user.id)
    return score


def who(session: Session, scores: list[WellbeingScore]) -> dict:
    ids = {s.created_by_id for s in scores if s.created_by_id}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
