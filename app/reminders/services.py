"""Keeping a person's push subscriptions, and sending them a message."""
from __future__ import annotations

from datetime import time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.reminders import sender
from app.reminders.models import PushSubscription, ReminderPreference
from app.reminders.schedule import DEFAULT_PREFERENCES, Preferences

TEST_MESSAGE = {
    "type": "test",
    "title": "Visit reminders are on",
    "body": "This is how a reminder of your next visit will look.",
}


def subscribe(session: Session, user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Keep this browser's subscription (a browser re-subscribing may hand over
    an endpoint another account used on the same phone: it becomes this one's)."""
    sub = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if sub is None:
        sub = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        session.add(sub)
    else:
        sub.user_id, sub.p256dh, sub.auth = user.id, p256dh, auth
    session.flush()
    return sub


def unsubscribe(session: Session, user: User, endpoint: str) -> bool:
    result = session.execute(
        delete(PushSubscription).where(PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint)
    )
    return result.rowcount > 0


def subscriptions_of(session: Session, user: User) -> list[PushSubscription]:
    return list(session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)))


def send_to_user(session: Session, user: User, payload: dict, *, vapid_key, subject: str, ttl: int) -> dict:
    """Send to every subscription the person has; forget those that are gone."""
    sent = gone = failed = 0
    for sub in subscriptions_of(session, user):
        result = sender.send(
            {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
            payload, vapid_key=vapid_key, subject=subject, ttl=ttl,
        )
        if result.ok:
            sent += 1
            sub.last_sent_at = utcnow()
        elif result.gone:
            gone += 1
            session.delete(sub)
        else:
            failed += 1
    session.flush()
    return {"sent": sent, "gone": gone, "failed": failed}


def preferences_of(session: Session, user_id) -> Preferences:
    """A person's reminder settings, the defaults when they never set any."""
    row = session.get(ReminderPreference, user_id)
    if row is None:
        return DEFAULT_PREFERENCES
    hours, minutes = (int(part) for part in row.evening_time.split(":"))
    return Preferences(enabled=row.enabled, evening_time=time(hours, minutes), minutes_before=row.minutes_before)


def set_preferences(session: Session, user: User, *, enabled: bool, evening_time: time, minutes_before: int) -> Preferences:
    row = session.get(ReminderPreference, user.id)
    if row is None:
        row = ReminderPreference(user_id=user.id)
        session.add(row)
    row.enabled, row.evening_time, row.minutes_before = enabled, evening_time.strftime("%H:%M"), minutes_before
    row.updated_at = utcnow()
    session.flush()
    return preferences_of(session, user.id)
