"""The scheme's outcome rules, as pure functions (docs/domain.md, "Outcomes"):
the demand periods around a case, whether a period's counts are complete,
the demand reduction figure, and SWEMWBS scoring. No framework, no database.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# -- Demand ------------------------------------------------------------------

# What "demand" adds up: counts, never narrative.
MEASURES = ("police_calls", "incidents", "asb_reports", "other_services")
MEASURE_NAMES = {
    "police_calls": "Police calls (999 and 101)",
    "incidents": "Police incidents",
    "asb_reports": "Anti-social behaviour reports",
    "other_services": "Other services' contacts",
}

# The periods counts are recorded for, relative to the referral (the day it
# was received) and the closure of the case. Months 12 to 7 and 6 to 1 before
# the referral do not overlap, so "the 12 months before" is their sum.
PERIODS = ("before_12_to_7", "before_6", "during", "after_6")
PERIOD_NAMES = {
    "before_12_to_7": "7 to 12 months before referral",
    "before_6": "6 months before referral",
    "during": "During support",
    "after_6": "6 months after closure",
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), the month's last day if it has fewer."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Window:
    """A period's first and last day, both included."""

    start: date
    end: date

    def contains(self, first: date, last: date) -> bool:
        return self.start <= first <= last <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def windows(referred_on: date, closed_on: date | None) -> dict[str, Window]:
    """Each period's window for a case. "During support" runs from the
    referral to the closure (to be extended while the case is open, so it is
    left out until then); "after" starts the day after closure."""
    found = {
        "before_12_to_7": Window(add_months(referred_on, -12), add_months(referred_on, -6) - timedelta(days=1)),
        "before_6": Window(add_months(referred_on, -6), referred_on - timedelta(days=1)),
    }
    if closed_on is not None:
        found["during"] = Window(referred_on, closed_on)
        found["after_6"] = Window(closed_on + timedelta(days=1), add_months(closed_on, 6))
    return found


def covered(window: Window, spans: list[tuple[date, date]]) -> bool:
    """Whether the spans (first, last day, included) cover every day of the window."""
    reach = window.start - timedelta(days=1)
    for first, last in sorted(spans):
        if first > reach + timedelta(days=1):
            return False
        reach = max(reach, last)
        if reach >= window.end:
            return True
    return reach >= window.end


def overlaps(first: date, last: date, spans: list[tuple[date, date]]) -> bool:
    return any(first <= other_last and other_first <= last for other_first, other_last in spans)


@dataclass(frozen=True)
class Reduction:
    """A demand reduction: the percentage (None when there is no demand
    before to reduce), and the number of clients it covers."""

    percent: Decimal | None
    clients: int
    before: int
    after: int


def reduction(pairs: list[tuple[int, int]]) -> Reduction:
    """100 x (sum of B - sum of A) / sum of B over the clients given, where B
    is a client's demand in the 6 months before referral and A in the 6
    months after closure; only clients with both periods complete are given.
    Rounded to one decimal place, half up. Negative when demand grew."""
    before = sum(b for b, _ in pairs)
    after = sum(a for _, a in pairs)
    if before == 0:
        return Reduction(None, len(pairs), before, after)
    percent = (Decimal(100) * (before - after) / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Reduction(percent, len(pairs), before, after)


# -- Wellbeing (SWEMWBS) --------------------------------------------------------

SWEMWBS_ITEMS = (
    "I've been feeling optimistic about the future",
    "I've been feeling useful",
    "I've been feeling relaxed",
    "I've been dealing with problems well",
    "I've been thinking clearly",
    "I've been feeling close to other people",
    "I've been able to make up my own mind about things",
)
SWEMWBS_ANSWERS = {1: "None of the time", 2: "Rarely", 3: "Some of the time", 4: "Often", 5: "All of the time"}

# The published conversion of the raw total (7-35) to the metric score
# (Stewart-Brown et al. 2009; the scheme's scoring guidance).
SWEMWBS_METRIC = {
    7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08", 13: "14.75", 14: "15.32",
    15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43", 19: "17.98", 20: "18.59", 21: "19.25", 22: "19.98",
    23: "20.73", 24: "21.54", 25: "22.35", 26: "23.21", 27: "24.11", 28: "25.03", 29: "26.02", 30: "27.03",
    31: "28.13", 32: "29.31", 33: "30.70", 34: "32.55", 35: "35.00",
}

# When a score is due: at referral (the start of support), every 3 months, at closure.
SWEMWBS_EVERY_MONTHS = 3
SWEMWBS_OCCASIONS = ("referral", "review", "closure")


def swemwbs_problems(answers) -> list[str]:
    """What is wrong with seven answers, in words (empty when they are right)."""
    if not isinstance(answers, (list, tuple)) or len(answers) != len(SWEMWBS_ITEMS):
        return [f"Answer all {len(SWEMWBS_ITEMS)} questions."]
    problems = []
    for number, answer in enumerate(answers, start=1):
        if type(answer) is not int or answer not in SWEMWBS_ANSWERS:
            problems.append(f"Question {number}: choose an answer from 1 (none of the time) to 5 (all of the time).")
    return problems


def swemwbs_scores(answers) -> tuple[int, Decimal]:
    """The raw total (7-35) and the metric score of seven answers."""
    problems = swemwbs_problems(answers)
    if problems:
        raise ValueError(" ".join(problems))
    raw = sum(answers)
    return raw, Decimal(SWEMWBS_METRIC[raw])


def swemwbs_next_due(started_on: date, last_recorded_on: date | None) -> date:
    """When the next score is due: at the start of support if none yet, then
    3 months after the last one."""
    if last_recorded_on is None:
        return started_on
    return add_months(last_recorded_on, SWEMWBS_EVERY_MONTHS)
