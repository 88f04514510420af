"""Claiming a reminder before it is sent, and recording what became of it.

A reminder is claimed by writing its row (unique per visit, subscription and
kind) and committing BEFORE the Web Push message is sent, so of two senders
running at once (cron overlapping itself, two machines) exactly one sends it. A row
already there is taken over only by a compare-and-set UPDATE whose WHERE says
it is free: a retry whose time has come, a claim whose sender died (the claim
is a lease of LEASE), or a reminder for a start the visit no longer has.

Every function here commits (or rolls back) the session it is given.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, case, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import new_id
from app.reminders.models import ReminderSend
from app.webpush.models import WebPushSubscription
from app.webpush.sender import SendResult

# A sender holds its claim this long; a send has a timeout of seconds, so a
# claim older than this belongs to a sender that died before recording.
LEASE = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 6


def backoff(attempts: int, retry_after: int | None = None) -> timedelta:
    """1, 2, 4, 8, 16... minutes after the 1st, 2nd, 3rd... failed attempt, at
    most an hour; longer if the Web Push service asked for longer (Retry-After)."""
    wait = min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)
    if retry_after:
        wait = max(wait, min(timedelta(seconds=retry_after), BACKOFF_MAX))
    return wait


class Claim(NamedTuple):
    id: uuid.UUID
    attempts: int  # this one included


def claim(session: Session, visit_id: uuid.UUID | None, subscription_id: uuid.UUID, kind: str,
          visit_start_at: datetime, now: datetime, *, concern_id: uuid.UUID | None = None) -> Claim | None:
    """The claimed row, or None if another sender has it, sent it,
    is waiting to retry it, gave up on it, or the visit/subscription is gone.

    An alert about a concern passes ``visit_id=None`` and ``concern_id``, and
    as ``visit_start_at`` the concern's arrival time (which never moves)."""
    session.commit()  # end any open (read) transaction: the claim is a transaction of its own
    row_id = new_id()
    try:
        session.execute(insert(ReminderSend).values(
            id=row_id, visit_id=visit_id, concern_id=concern_id, subscription_id=subscription_id, kind=kind,
            visit_start_at=visit_start_at, status="sending", attempts=1,
            claimed_at=now, next_attempt_at=now + LEASE,
        ))
        session.commit()
        return Claim(row_id, 1)
    except IntegrityError:
        session.rollback()

    moved = ReminderSend.visit_start_at != visit_start_at
    free_again = and_(ReminderSend.status.in_(("retry", "sending")), ReminderSend.next_attempt_at <= now)
    about = ReminderSend.concern_id == concern_id if concern_id is not None else ReminderSend.visit_id == visit_id
    mine = and_(about, ReminderSend.subscription_id == subscription_id, ReminderSend.kind == kind)
    result = session.execute(
        update(ReminderSend)
        .where(mine, or_(moved, free_again))
        .values(
            status="sending", claimed_at=now, next_attempt_at=now + LEASE, sent_at=None, detail=None,
            attempts=case((moved, 1), else_=ReminderSend.attempts + 1),
            visit_start_at=visit_start_at,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        return None
    claimed = Claim(*session.execute(select(ReminderSend.id, ReminderSend.attempts).where(mine)).one())
    session.commit()
    return claimed


def record(session: Session, claimed: Claim, result: SendResult, now: datetime) -> str:
    """Write what became of a claimed send; returns the outcome: sent, gone, retry or failed.

    Writes only (no read first): on SQLite a transaction that reads and then
    writes fails at once if another writer committed in between."""
    this = update(ReminderSend).where(ReminderSend.id == claimed.id).execution_options(synchronize_session=False)
    detail = result.detail[:200]
    if result.ok:
        session.execute(this.values(status="sent", sent_at=now, next_attempt_at=None, detail=detail))
        session.execute(
            update(WebPushSubscription)
            .where(WebPushSubscription.id == select(ReminderSend.subscription_id)
                   .where(ReminderSend.id == claimed.id).scalar_subquery())
            .values(last_sent_at=now).execution_options(synchronize_session=False))
        outcome = "sent"
    elif result.gone:
        # The browser unsubscribed or the subscription expired: forget it and
        # its sends (the sends would go anyway, ON DELETE CASCADE).
        sub_id = select(ReminderSend.subscription_id).where(ReminderSend.id == claimed.id).scalar_subquery()
        session.execute(delete(WebPushSubscription).where(WebPushSubscription.id == sub_id)
                        .execution_options(synchronize_session=False))
        outcome = "gone"
    elif result.retryable and claimed.attempts < MAX_ATTEMPTS:
        session.execute(this.values(status="retry", next_attempt_at=now + backoff(claimed.attempts, result.retry_after),
                                    detail=detail))
        outcome = "retry"
    else:
        session.execute(this.values(status="failed", next_attempt_at=None, detail=detail))
        outcome = "failed"
    session.commit()
    return outcome
