"""A person's reminder settings (their Web Push subscriptions: app/webpush)."""
from __future__ import annotations

from datetime import time

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.reminders.models import ReminderPreference
from app.reminders.schedule import DEFAULT_PREFERENCES, Preferences


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
