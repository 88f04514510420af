"""Whether a volunteer is cleared to meet clients, and what is about to lapse.

Pure rules on plain values (docs/domain.md, "Volunteers"): before meeting a
client a volunteer needs all four checks (a DBS check, police vetting,
safeguarding training, the scheme's training), each completed on or before
the day and not expired on it (a check with no expiry date does not lapse).
The office is warned 60, 30 and 7 days before a check expires.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

REQUIRED = ("dbs", "police_vetting", "safeguarding_training", "scheme_training")
NAMES = {"dbs": "DBS check", "police_vetting": "Police vetting", "safeguarding_training": "Safeguarding training",
         "scheme_training": "Scheme training"}
WARN_DAYS = (60, 30, 7)


@dataclass(frozen=True)
class Check:
    kind: str
    completed_on: date
    expires_on: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.completed_on <= day and (self.expires_on is None or self.expires_on >= day)


def missing_on(checks: Iterable[Check], day: date) -> list[str]:
    """The required checks a volunteer lacks on ``day`` (none: cleared), in REQUIRED order."""
    valid = {c.kind for c in checks if c.valid_on(day)}
    return [kind for kind in REQUIRED if kind not in valid]


def is_cleared(checks: Iterable[Check], day: date) -> bool:
    return not missing_on(checks, day)


@dataclass(frozen=True)
class Warning:
    kind: str
    expires_on: date
    days_left: int
    threshold: int  # 60, 30 or 7: the nearest warning this check has reached


def expiry_warnings(checks: Iterable[Check], day: date) -> list[Warning]:
    """Checks of each kind whose newest valid check expires within 60 days,
    soonest first. A kind renewed by a later check gives no warning."""
    newest: dict[str, Check] = {}
    for check in checks:
        if not check.valid_on(day):
            continue
        held = newest.get(check.kind)
        if held is None or _lasts(check) > _lasts(held):
            newest[check.kind] = check
    warnings = []
    for check in newest.values():
        if check.expires_on is None:
            continue
        days_left = (check.expires_on - day).days
        reached = [t for t in WARN_DAYS if days_left <= t]
        if reached:
            warnings.append(Warning(check.kind, check.expires_on, days_left, min(reached)))
    return sorted(warnings, key=lambda w: (w.expires_on, w.kind))


def _lasts(check: Check) -> date:
    return check.expires_on or date.max
