"""The loop every sender of the reminders job shares (visit reminders,
overdue check-out alerts and their all-clears, urgent-concern alerts): claim
each message (app.reminders.delivery), send it, record what became of it, and
skip the Web Push services that did not answer earlier in the run.

A Web Push service that accepts the connection and never answers costs one
timeout per run, not one per subscription: once a send to it gets no answer
(``SendResult.unreachable``), the rest of the run leaves its messages
unclaimed, counted as ``retry``, for the next run to send.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from app.reminders import delivery
from app.webpush import sender

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    sent: int = 0
    gone: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0  # already sent, or another sender has it
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "gone": self.gone, "retry": self.retry, "failed": self.failed,
                "skipped": self.skipped}


@dataclass(frozen=True)
class Message:
    """One message to one subscription, and what its claim is about."""
    visit_id: uuid.UUID | None
    concern_id: uuid.UUID | None
    subscription_id: uuid.UUID
    subscription: dict  # {"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}
    kind: str
    start: datetime  # visit_start_at of the claim (a concern's arrival time)
    payload: dict
    ttl: int
    about: str  # for the log: "reminder soon of visit ..."


def origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class Unreachable:
    """The Web Push services that did not answer in this run."""

    def __init__(self):
        self.origins: set[str] = set()

    def __contains__(self, endpoint: str) -> bool:
        return origin(endpoint) in self.origins

    def note(self, endpoint: str, result: sender.SendResult) -> None:
        if result.unreachable:
            self.origins.add(origin(endpoint))


def send_each(session: Session, messages, now: datetime, *, vapid_key, subject: str, timeout: float,
              outcome: Outcome | None = None, unreachable: Unreachable | None = None) -> Outcome:
    """Claim, send and record each message at most once; returns the counts.
    Commits the session (each claim and record is a transaction of its own)."""
    outcome = outcome if outcome is not None else Outcome()
    unreachable = unreachable if unreachable is not None else Unreachable()
    session.commit()  # the read is over
    for m in messages:
        endpoint = m.subscription["endpoint"]
        if endpoint in unreachable:
            outcome.retry += 1  # not claimed: the next run sends it
            continue
        claimed = delivery.claim(session, m.visit_id, m.subscription_id, m.kind, m.start, now,
                                 concern_id=m.concern_id)
        if claimed is None:
            outcome.skipped += 1
            continue
        result = sender.send(m.subscription, m.payload, vapid_key=vapid_key, subject=subject, ttl=m.ttl,
                             timeout=timeout)
        unreachable.note(endpoint, result)
        what = delivery.record(session, claimed, result, now)
        setattr(outcome, what, getattr(outcome, what) + 1)
        if what != "sent":
            log.info("%s: %s (%s)", m.about, what, result.detail)
    return outcome


def subscription_json(sub) -> dict:
    """What pywebpush is given for a stored WebPushSubscription."""
    return {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
