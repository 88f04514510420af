"""Claiming a reminder before it is sent, and recording what became of it.

A reminder is claimed by writing its row (unique per visit, subscription and
kind) and committing BEFORE the push is sent, so of two senders running at
once (cron overlapping itself, two machines) exactly one sends it. A row
already there is taken over only by a compare-and-set UPDATE whose WHERE says
it is free: a retry whose time has come, a claim whose sender died (the claim
is a lease of LEASE), or a reminder for a start the visit no longer has.

Every function here commits (or rolls back) the session it is given.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import new_id
from app.reminders.models import PushSubscription, ReminderSend
from app.reminders.sender import SendResult

# A sender holds its claim this long; a send has a timeout of seconds, so a
# claim older than this belongs to a sender that died before recording.
LEASE = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 6


def backoff(attempts: int, retry_after: int | None = None) -> timedelta:
    """1, 2, 4, 8, 16... minutes after the 1st, 2nd, 3rd... failed attempt, at
    most an hour; longer if the push service asked for longer (Retry-After)."""
    wait = min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)
    if retry_after:
        wait = max(wait, min(timedelta(seconds=retry_after), BACKOFF_MAX))
    return wait


def claim(session: Session, visit_id: uuid.UUID, subscription_id: uuid.UUID, kind: str,
          visit_start_at: datetime, now: datetime) -> uuid.UUID | None:
    """The id of the claimed row, or None if another sender has it, sent it,
    is waiting to retry it, gave up on it, or the visit/subscription is gone."""
    session.commit()  # end any open (read) transaction: the claim is a transaction of its own
    row_id = new_id()
    try:
        session.execute(insert(ReminderSend).values(
            id=row_id, visit_id=visit_id, subscription_id=subscription_id, kind=kind,
            visit_start_at=visit_start_at, status="sending", attempts=1,
            claimed_at=now, next_attempt_at=now + LEASE,
        ))
        session.commit()
        return row_id
    except IntegrityError:
        session.rollback()

    moved = ReminderSend.visit_start_at != visit_start_at
    free_again = and_(ReminderSend.status.in_(("retry", "sending")), ReminderSend.next_attempt_at <= now)
    mine = and_(ReminderSend.visit_id == visit_id, ReminderSend.subscription_id == subscription_id,
                ReminderSend.kind == kind)
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
    row_id = session.scalar(select(ReminderSend.id).where(mine))
    session.commit()
    return row_id


def record(session: Session, row_id: uuid.UUID, result: SendResult, now: datetime) -> str:
    """Write what became of a claimed send; returns the outcome: sent, gone, retry or failed."""
    row = session.get(ReminderSend, row_id, populate_existing=True)
    if row is None:  # its subscription or visit went meanwhile
        session.commit()
        return "gone"
    detail = result.detail[:200]
    if result.ok:
        row.status, row.sent_at, row.next_attempt_at, row.detail = "sent", now, None, detail
        session.execute(update(PushSubscription).where(PushSubscription.id == row.subscription_id)
                        .values(last_sent_at=now))
        outcome = "sent"
    elif result.gone:
        # The browser unsubscribed or the subscription expired: forget it (its
        # sends go with it, ON DELETE CASCADE).
        session.execute(delete(ReminderSend).where(ReminderSend.subscription_id == row.subscription_id))
        session.execute(delete(PushSubscription).where(PushSubscription.id == row.subscription_id))
        outcome = "gone"
    elif result.retryable and row.attempts < MAX_ATTEMPTS:
        row.status, row.next_attempt_at, row.detail = "retry", now + backoff(row.attempts, result.retry_after), detail
        outcome = "retry"
    else:
        row.status, row.next_attempt_at, row.detail = "failed", None, detail
        outcome = "failed"
    session.commit()
    return outcome
