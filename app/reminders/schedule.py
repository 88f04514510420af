"""When a visit's reminders are due, and what they say: pure rules, no Flask
and no database, so they are tested on fixed clocks.

Two reminders per planned visit, in the scheme's local time (Europe/London):

- "evening": at the person's evening time (default 18:00) on the local day
  before the visit;
- "soon": a number of minutes (default 60) before the visit starts, counted
  in real elapsed time.

Across the clock changes: the day before is a calendar day in London, so a
09:00 visit on the Sunday the clocks go forward is reminded at 18:00 GMT on
the Saturday. An evening time that falls in the skipped hour (01:00-02:00 on
the March Sunday) is read as the clock would have read it without the jump
(01:30 means 02:30 BST, one reminder, never none); an evening time that occurs
twice (01:00-02:00 on the October Sunday) means its first occurrence (one
reminder, never two).

Payloads pass through the browser maker's Web Push service, so they carry no
personal data: no client name, address or notes, only the time and a link.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
EVENING = "evening"
SOON = "soon"
KINDS = (EVENING, SOON)

DEFAULT_EVENING_TIME = time(18, 0)
DEFAULT_MINUTES_BEFORE = 60
MIN_MINUTES_BEFORE = 5
MAX_MINUTES_BEFORE = 24 * 60

# A reminder found later than this after its due time is not sent: it would
# arrive at an odd hour (an evening reminder at 2 a.m.) or say something false.
EVENING_STALE_AFTER = timedelta(hours=3)


@dataclass(frozen=True)
class Preferences:
    enabled: bool = True
    evening_time: time = DEFAULT_EVENING_TIME
    minutes_before: int = DEFAULT_MINUTES_BEFORE


DEFAULT_PREFERENCES = Preferences()


@dataclass(frozen=True)
class Reminder:
    kind: str
    due_at: datetime  # an instant, in UTC
    payload: dict


def local_datetime(day: date, at: time, tz: ZoneInfo = LONDON) -> datetime:
    """The instant the clock in ``tz`` reads ``at`` on ``day``: a time in the
    skipped hour counts as if the clock had not jumped, a time that occurs
    twice means the first occurrence."""
    naive = datetime.combine(day, at.replace(tzinfo=None))
    # fold=0: for a repeated time the first (summer) occurrence; for a skipped
    # time zoneinfo uses the offset from before the jump, which is the reading
    # "as if the clock had not moved". Normalising through UTC makes it real.
    return naive.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)


def _in_words(minutes: int) -> str:
    if minutes < 120 or minutes % 60:
        return f"in {minutes} minutes"
    return f"in {minutes // 60} hours"


def payload(visit_id, kind: str, start: datetime, minutes_before: int, tz: ZoneInfo = LONDON) -> dict:
    at = start.astimezone(tz).strftime("%H:%M")
    when = "tomorrow" if kind == EVENING else _in_words(minutes_before)
    return {
        "type": "visit_reminder",
        "kind": kind,
        "tag": f"visit-{visit_id}",
        "title": "Visit reminder",
        "body": f"Visit at {at} {when} - open the app for details",
        "url": f"/#/visit/{visit_id}",
    }


def reminders_for(visit_id, start: datetime, prefs: Preferences = DEFAULT_PREFERENCES,
                  tz: ZoneInfo = LONDON) -> list[Reminder]:
    """Every reminder of one visit starting at ``start`` (an aware datetime),
    due or not; none when the person has turned reminders off."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    if not prefs.enabled:
        return []
    start_utc = start.astimezone(timezone.utc)
    day_before = start_utc.astimezone(tz).date() - timedelta(days=1)
    evening_at = local_datetime(day_before, prefs.evening_time, tz)
    soon_at = start_utc - timedelta(minutes=prefs.minutes_before)
    return [
        Reminder(EVENING, evening_at, payload(visit_id, EVENING, start_utc, prefs.minutes_before, tz)),
        Reminder(SOON, soon_at, payload(visit_id, SOON, start_utc, prefs.minutes_before, tz)),
    ]


def is_due(reminder: Reminder, start: datetime, now: datetime) -> bool:
    """Due now and not stale: never once the visit has started, and an evening
    reminder no more than EVENING_STALE_AFTER late. A "soon" reminder is still
    worth sending late, up to the start."""
    if reminder.due_at > now or now >= start:
        return False
    if reminder.kind == EVENING and now - reminder.due_at > EVENING_STALE_AFTER:
        return False
    return True


def due_now(visit_id, start: datetime, prefs: Preferences, now: datetime, tz: ZoneInfo = LONDON) -> list[Reminder]:
    return [r for r in reminders_for(visit_id, start, prefs, tz) if is_due(r, start, now)]
