"""Urgent safeguarding concerns sent by Web Push to the area's coordinators.

An urgent concern that nobody in the office has acknowledged yet is sent to
every subscription of every (active) coordinator of the client's area: the
office computers where they turned on alerts (/office/). It runs with the
overdue alert in ``reminders send-due``/``run`` (every minute), not in the sync
request, so a phone's sync stays fast and a slow Web Push service delays nobody.
Every alert goes through the same claim-before-send rows as reminders
(app.reminders.delivery): once per concern and subscription, whoever runs the
sender, with the same retries, backoff and forgetting of gone subscriptions.

A concern acknowledged before the sender gets to it is not sent, and one
that arrived more than GIVE_UP_AFTER ago raises no new alert (a first
deployment, or a coordinator turning alerts on, must not bring a flood of old
concerns: the safeguarding list shows them).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client
from app.fieldwork.models import Concern
from app.reminders.sending import Message, Outcome, send_each, subscription_json
from app.webpush.models import WebPushSubscription

URGENT_CONCERN = "urgent_concern"
GIVE_UP_AFTER = timedelta(days=7)
TTL = 24 * 3600  # an office computer switched off overnight still shows it in the morning


def alert_payload(concern_id) -> dict:
    """No personal data: no client, no details, no mentor's name, no category."""
    return {
        "type": "urgent_concern", "kind": URGENT_CONCERN, "tag": f"concern-{concern_id}",
        "title": "Urgent safeguarding concern",
        "body": "An urgent concern has been raised - open the safeguarding list",
        "url": f"/office/safeguarding/{concern_id}",
    }


@dataclass(frozen=True)
class Alert:
    concern_id: uuid.UUID
    arrived_at: datetime
    subscription_id: uuid.UUID
    subscription: dict


def alerts_due(session: Session, now: datetime) -> list[Alert]:
    """Every (urgent unacknowledged concern, coordinator's subscription) pair."""
    rows = session.execute(
        select(Concern.id, Concern.created_at, WebPushSubscription)
        .join(Client, Client.id == Concern.client_id)
        .join(User, (User.area_id == Client.area_id) & (User.role == "coordinator") & User.active)
        .join(WebPushSubscription, WebPushSubscription.user_id == User.id)
        .where(Concern.urgency == "urgent", Concern.acknowledged_at.is_(None), Concern.deleted_at.is_(None),
               Concern.created_at > now - GIVE_UP_AFTER)
        .order_by(Concern.created_at, Concern.id)
    ).all()
    return [Alert(concern_id, arrived_at, sub.id, subscription_json(sub)) for concern_id, arrived_at, sub in rows]


def send_urgent_concerns(session: Session, now: datetime, *, vapid_key, subject: str,
                         timeout: float = 10.0) -> Outcome:
    """Send every urgent concern not yet acknowledged to its area's coordinators, each at most once.
    A Web Push service that does not answer is tried once a run (app.reminders.sending)."""
    session.commit()  # read in a fresh transaction: concerns synced a moment ago included
    messages = [Message(None, alert.concern_id, alert.subscription_id, alert.subscription, URGENT_CONCERN,
                        alert.arrived_at, alert_payload(alert.concern_id), TTL,
                        f"urgent concern {alert.concern_id} alert")
                for alert in alerts_due(session, now)]
    return send_each(session, messages, now, vapid_key=vapid_key, subject=subject, timeout=timeout)
