"""Sending the visit reminders that are due now.

Computed from current data on every run: a visit rescheduled, cancelled,
deleted, checked in or moved to another pair simply stops (or starts) having
reminders due, and a reminder goes to whoever is in the client's current pair
now. Each reminder to each subscription is claimed in its own committed
transaction before it is sent (app.reminders.delivery), so runs may overlap
(cron every minute, two machines) and still send it once.

``send_due`` commits the session it is given.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.fieldwork.models import Visit
from app.reminders import services
from app.reminders.schedule import EVENING, EVENING_STALE_AFTER, MAX_MINUTES_BEFORE, due_now
from app.reminders.sending import Message, Outcome, send_each, subscription_json
from app.volunteers.models import MentorPair, PairMembership
from app.webpush.models import WebPushSubscription

# Visits further ahead than this have nothing due: the evening reminder is at
# most two calendar days ahead, the "soon" one at most MAX_MINUTES_BEFORE.
HORIZON = timedelta(days=2, hours=1) + timedelta(minutes=MAX_MINUTES_BEFORE)


@dataclass(frozen=True)
class Due:
    visit_id: uuid.UUID
    start: datetime
    kind: str
    payload: dict
    ttl: int
    subscription_id: uuid.UUID
    subscription: dict


def _planned_visits_and_mentors(session: Session, now: datetime):
    """(visit id, start, mentor id) for each planned visit starting within the
    horizon and each mentor now in the client's current (active) pair."""
    return session.execute(
        select(Visit.id, Visit.scheduled_start_at, PairMembership.user_id)
        .join(Client, Client.id == Visit.client_id)
        .join(ClientAssignment, and_(ClientAssignment.client_id == Client.id, ClientAssignment.ended_at.is_(None)))
        .join(MentorPair, and_(MentorPair.id == ClientAssignment.pair_id, MentorPair.active))
        .join(PairMembership, and_(PairMembership.pair_id == MentorPair.id, PairMembership.left_at.is_(None)))
        .join(User, and_(User.id == PairMembership.user_id, User.active))
        .where(
            Visit.status == "planned",
            Visit.deleted_at.is_(None),
            Visit.checked_in_at.is_(None),  # under way: no "in 60 minutes"
            Visit.scheduled_start_at > now,
            Visit.scheduled_start_at <= now + HORIZON,
            Client.status == "active",
            Client.deleted_at.is_(None),
        )
        .order_by(Visit.scheduled_start_at)
    ).all()


def due(session: Session, now: datetime) -> list[Due]:
    """Every (reminder, subscription) due now, from current data."""
    found = []
    prefs, subs = {}, {}
    for visit_id, start, user_id in _planned_visits_and_mentors(session, now):
        if user_id not in prefs:
            prefs[user_id] = services.preferences_of(session, user_id)
            subs[user_id] = list(session.scalars(
                select(WebPushSubscription).where(WebPushSubscription.user_id == user_id)))
        for reminder in due_now(visit_id, start, prefs[user_id], now):
            # Not worth delivering once the visit has started; an evening
            # reminder no later than it could still be sent.
            until = start if reminder.kind != EVENING else min(start, reminder.due_at + EVENING_STALE_AFTER)
            ttl = max(60, int((until - now).total_seconds()))
            for sub in subs[user_id]:
                found.append(Due(visit_id, start, reminder.kind, reminder.payload, ttl, sub.id, subscription_json(sub)))
    return found


def send_due(session: Session, now: datetime, *, vapid_key, subject: str, timeout: float = 10.0) -> Outcome:
    """Send every reminder due at ``now``, each at most once; returns counts.
    A Web Push service that does not answer is tried once a run (app.reminders.sending)."""
    messages = [Message(item.visit_id, None, item.subscription_id, item.subscription, item.kind, item.start,
                        item.payload, item.ttl, f"reminder {item.kind} of visit {item.visit_id}")
                for item in due(session, now)]
    return send_each(session, messages, now, vapid_key=vapid_key, subject=subject, timeout=timeout)
