"""The scheme's calendar: it runs on UK time (Europe/London), whatever the
server's clock zone. "Today" is the UK date: checks lapse, claims are dated
and referrals wait by it."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    return datetime.now(LONDON).date()
