"""The demand ledger's services (docs/domain.md, "Outcomes"): recording a
client's demand counts, correcting them (the old row kept as history),
withdrawing one entered by mistake (kept as history too), and the figures made from the current counts: per-period totals, whether each
period is complete, the client's B and A and their reduction.

The rules themselves (periods, completeness, the reduction) are the pure
functions of app/outcomes/rules.py. These functions take a session and plain
values, never commit (the view does) and write nothing until every check
has passed. Who may see a client comes from app/scope.py.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client
from app.days import LONDON
from app.db import utcnow
from app.outcomes import rules
from app.outcomes.models import MAX_COUNT, DemandCount

MAX_SOURCE = 500
MAX_REASON = 2000
WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")
FIELDS = ("measure", "period", "first_day", "last_day", "count", "source", "obtained_on")
# The periods that need the case closed: they run to, or start after, the closure.
AFTER_CLOSURE = ("during", "after_6")
NO_REDUCTION = "needs complete counts for the 6 months before referral and the 6 months after closure"


class DemandInputError(ValueError):
    """What was typed cannot be recorded: ``errors`` maps each field to a message, for a person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class DemandRefused(ValueError):
    """The action cannot be done (a count already corrected or withdrawn); the message says why."""


def uk_date(day: date) -> str:
    """"27 Mar 2026", as the office writes days."""
    return f"{day.day} {day:%b %Y}"


def span_words(first: date, last: date) -> str:
    return uk_date(first) if first == last else f"{uk_date(first)} to {uk_date(last)}"


# -- the client and their periods ---------------------------------------------------
def closed_on(client: Client) -> date | None:
    """The UK day the case closed, None while it is open."""
    if client.status != "closed" or client.closed_at is None:
        return None
    return client.closed_at.astimezone(LONDON).date()


def client_windows(client: Client) -> dict[str, rules.Window]:
    """Each period's window for the client (none without a referral date;
    "during" and "after" only once the case is closed)."""
    if client.referral_received_on is None:
        return {}
    return rules.windows(client.referral_received_on, closed_on(client))


def windows_words(windows: dict[str, rules.Window]) -> str:
    return "; ".join(f"{rules.PERIOD_NAMES[p].lower()} is {span_words(w.start, w.end)}" for p, w in windows.items())


# -- checking what was typed ---------------------------------------------------------
@dataclass
class Entry:
    """A count as typed (``values``), and once checked, what it means."""

    values: dict
    errors: dict = field(default_factory=dict)
    measure: str | None = None
    period: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    count: int | None = None
    source: str = ""
    obtained_on: date | None = None


def _date(raw: str, what: str) -> tuple[date | None, str | None]:
    raw = (raw or "").strip()
    if not raw:
        return None, f"Enter the {what}."
    for parse in (date.fromisoformat, lambda s: datetime.strptime(s, "%d/%m/%Y").date()):
        try:
            return parse(raw), None
        except ValueError:
            continue
    return None, f"The {what} must be a real date, like 27/03/2026."


def _current(session: Session, client_id, measure: str | None = None) -> list[DemandCount]:
    query = select(DemandCount).where(DemandCount.client_id == client_id, DemandCount.replaced_at.is_(None))
    if measure is not None:
        query = query.where(DemandCount.measure == measure)
    return list(session.scalars(query.order_by(DemandCount.first_day, DemandCount.recorded_at)))


def check(session: Session, client: Client, form, today: date, *, measure: str | None = None,
          replacing: DemandCount | None = None) -> Entry:
    """Read and check a count as typed in ``form``. ``measure`` fixes the
    measure (a correction keeps its row's); ``replacing`` is the row a
    correction replaces, left out of the overlap check."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    if measure is not None:
        values["measure"] = measure
    entry = Entry(values=values)
    errors = entry.errors

    if values["measure"] in rules.MEASURES:
        entry.measure = values["measure"]
    else:
        errors["measure"] = "Choose what was counted."

    windows = client_windows(client)
    chosen = values["period"]
    if chosen and chosen not in rules.PERIODS:
        errors["period"] = "Choose one of the periods listed."
    elif chosen and client.referral_received_on is None:
        errors["period"] = ("This client has no date the referral was received, so the periods cannot be "
                            "worked out. Record that date first.")
    elif chosen in AFTER_CLOSURE and chosen not in windows:
        errors["period"] = (f"“{rules.PERIOD_NAMES[chosen]}” can be recorded once the case is closed: "
                            "the case is still open.")

    # The days: the whole of the chosen period when none are typed (and with
    # none typed for a period that is wrong, the period's message says what to do).
    no_days = not values["first_day"] and not values["last_day"]
    if chosen in windows and no_days:
        entry.first_day, entry.last_day = windows[chosen].start, windows[chosen].end
        values["first_day"], values["last_day"] = entry.first_day.isoformat(), entry.last_day.isoformat()
    elif not ("period" in errors and no_days):
        first, problem = _date(values["first_day"], "first day counted")
        if problem:
            errors["first_day"] = problem
        last, problem = _date(values["last_day"], "last day counted")
        if problem:
            errors["last_day"] = problem
        if first and last and first > last:
            errors["last_day"] = (f"The last day ({uk_date(last)}) is before the first day ({uk_date(first)}): "
                                  "the dates are the wrong way round.")
        entry.first_day, entry.last_day = first, last
    first, last = entry.first_day, entry.last_day
    if first and last and not ({"first_day", "last_day", "period"} & set(errors)):
        if last > today:
            errors["last_day"] = (f"The last day counted ({uk_date(last)}) is in the future: "
                                  "counts can only cover days that have passed.")
        elif client.referral_received_on is None:
            errors["first_day"] = ("This client has no date the referral was received, so the periods cannot be "
                                   "worked out. Record that date first.")
        elif chosen:
            if windows[chosen].contains(first, last):
                entry.period = chosen
            else:
                w = windows[chosen]
                errors["first_day"] = (f"{span_words(first, last)} is not inside "
                                       f"{rules.PERIOD_NAMES[chosen].lower()}, which is {span_words(w.start, w.end)}.")
        else:
            entry.period = next((p for p, w in windows.items() if w.contains(first, last)), None)
            if entry.period is None:
                open_note = ""
                if closed_on(client) is None and last >= client.referral_received_on:
                    open_note = (" Counts from the referral on are for “during support” and “6 months after "
                                 "closure”, which can be recorded once the case is closed: the case is still open.")
                errors["first_day"] = (f"{span_words(first, last)} is not inside one period. The periods are: "
                                       f"{windows_words(windows)}.{open_note}")

    raw = values["count"]
    if not raw:
        errors["count"] = "Enter the count (0 if there were none)."
    elif not WHOLE_NUMBER.match(raw.replace(",", "")):
        errors["count"] = "Enter the count as a whole number, like 3."
    else:
        number = int(raw.replace(",", ""))
        if number < 0:
            errors["count"] = "The count cannot be less than 0."
        elif number > MAX_COUNT:
            errors["count"] = f"The count must be {MAX_COUNT:,} or fewer: check the figure."
        else:
            entry.count = number

    if not values["source"]:
        errors["source"] = "Enter where the figures came from, like “Durham Constabulary Niche extract”."
    elif len(values["source"]) > MAX_SOURCE:
        errors["source"] = f"The source must be {MAX_SOURCE} characters or fewer."
    else:
        entry.source = values["source"]

    obtained, problem = _date(values["obtained_on"], "date the figures were obtained")
    if problem:
        errors["obtained_on"] = problem
    elif obtained > today:
        errors["obtained_on"] = f"The date the figures were obtained ({uk_date(obtained)}) cannot be in the future."
    elif last and "last_day" not in errors and obtained < last:
        errors["obtained_on"] = (f"The figures were obtained ({uk_date(obtained)}) before the last day they count "
                                 f"({uk_date(last)}): check both dates.")
    else:
        entry.obtained_on = obtained

    if entry.measure and entry.period and "first_day" not in errors and "last_day" not in errors:
        others = [c for c in _current(session, client.id, entry.measure)
                  if replacing is None or c.id != replacing.id]
        clash = next((c for c in others if rules.overlaps(first, last, [(c.first_day, c.last_day)])), None)
        if clash is not None:
            errors["first_day"] = (
                f"{rules.MEASURE_NAMES[entry.measure]} already has a count for "
                f"{span_words(clash.first_day, clash.last_day)} ({clash.count}, from {clash.source}), which "
                f"overlaps {span_words(first, last)}. Counts of one measure may not overlap: correct that count, "
                "or enter days it does not cover.")
    entry.errors = {name: errors[name] for name in FIELDS if name in errors}
    return entry


# -- recording and correcting ---------------------------------------------------------
def _lock(session: Session, client: Client) -> None:
    """One writer at a time per client's ledger (PostgreSQL; SQLite has one writer anyway)."""
    session.execute(select(Client.id).where(Client.id == client.id).with_for_update())


def record(session: Session, user: User, client: Client, form, today: date) -> DemandCount:
    """Record a count; DemandInputError (nothing written) when it cannot be."""
    _lock(session, client)
    entry = check(session, client, form, today)
    if entry.errors:
        raise DemandInputError(entry.errors)
    row = DemandCount(client_id=client.id, measure=entry.measure, period=entry.period, first_day=entry.first_day,
                      last_day=entry.last_day, count=entry.count, source=entry.source,
                      obtained_on=entry.obtained_on, recorded_by_id=user.id, recorded_at=utcnow())
    session.add(row)
    session.flush()
    return row


def count_of(session: Session, client: Client, count_id) -> DemandCount | None:
    """One of the client's counts (current or replaced), None if it is not theirs."""
    try:
        row = session.get(DemandCount, uuid.UUID(str(count_id)))
    except ValueError:
        return None
    return row if row is not None and row.client_id == client.id else None


def _taken_out(session: Session, row: DemandCount) -> str:
    """How a count already left the figures: "corrected on 3 Sep 2026 by Cora Coordinator"."""
    how = "withdrawn" if row.withdrawn else "corrected"
    by = f" by {_name(session, row.replaced_by_id)}" if row.replaced_by_id else ""
    return f"{how} on {uk_date(row.replaced_at.astimezone(LONDON).date())}{by}"


def _reason(form, what: str, errors: dict) -> str:
    """The reason typed in ``form``, or a message in ``errors``."""
    reason = str(form.get("reason") or "").strip()
    if not reason:
        errors["reason"] = f"Enter the reason for the {what}: it is kept in the history."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"The reason must be {MAX_REASON:,} characters or fewer."
    return reason


def _take_out(session: Session, user: User, row: DemandCount, reason: str, *, withdrawn: bool, now: datetime) -> None:
    """Stamp a current count replaced or withdrawn: only if no one else did a moment ago."""
    marked = session.execute(
        update(DemandCount).where(DemandCount.id == row.id, DemandCount.replaced_at.is_(None))
        .values(replaced_at=now, replaced_by_id=user.id, replaced_reason=reason, withdrawn=withdrawn)
        .execution_options(synchronize_session=False))
    if marked.rowcount != 1:
        raise DemandRefused("That count was corrected or withdrawn by someone else a moment ago. "
                            "Look at the current counts again.")
    session.refresh(row)


def correct(session: Session, user: User, client: Client, count_id, form, today: date) -> DemandCount:
    """Replace a current count with a corrected one (same measure), with a
    reason; the old row is kept, marked replaced. LookupError when the count
    is not the client's; DemandRefused when it was already corrected or
    withdrawn; DemandInputError (nothing written) when the new figures are wrong."""
    _lock(session, client)
    old = count_of(session, client, count_id)
    if old is None:
        raise LookupError("No such count for this client.")
    if old.replaced_at is not None:
        then = ("Record the count again if it is needed." if old.withdrawn
                else "Correct the current count instead.")
        raise DemandRefused(f"That count was already {_taken_out(session, old)}. {then}")
    entry = check(session, client, form, today, measure=old.measure, replacing=old)
    errors = dict(entry.errors)
    reason = _reason(form, "correction", errors)
    if errors:
        raise DemandInputError(errors)
    now = utcnow()
    _take_out(session, user, old, reason, withdrawn=False, now=now)
    row = DemandCount(client_id=client.id, measure=old.measure, period=entry.period, first_day=entry.first_day,
                      last_day=entry.last_day, count=entry.count, source=entry.source,
                      obtained_on=entry.obtained_on, recorded_by_id=user.id, recorded_at=now, replaces_id=old.id)
    session.add(row)
    session.flush()
    return row


def withdraw(session: Session, user: User, client: Client, count_id, form) -> DemandCount:
    """Take a current count entered by mistake out of the figures, with a
    reason and nothing in its place; the row stays in the history with who,
    when and why. LookupError when the count is not the client's;
    DemandRefused when it was already corrected or withdrawn;
    DemandInputError (nothing written) without a reason."""
    _lock(session, client)
    row = count_of(session, client, count_id)
    if row is None:
        raise LookupError("No such count for this client.")
    if row.replaced_at is not None:
        then = "" if row.withdrawn else " Withdraw the current count instead, if it is wrong too."
        raise DemandRefused(f"That count was already {_taken_out(session, row)}.{then}")
    errors: dict[str, str] = {}
    reason = _reason(form, "withdrawal", errors)
    if errors:
        raise DemandInputError(errors)
    _take_out(session, user, row, reason, withdrawn=True, now=utcnow())
    return row


# -- the figures ------------------------------------------------------------------------
@dataclass
class MeasureFigures:
    measure: str
    name: str
    counts: list[DemandCount]     # current counts, earliest first
    total: int
    complete: bool


@dataclass
class PeriodFigures:
    period: str
    name: str
    window: rules.Window | None   # None: not yet known (no referral date, or the case is open)
    measures: list[MeasureFigures]
    total: int                    # all four measures, of the counts recorded so far
    complete: bool                # every measure covers every day of the period


@dataclass
class ClientFigures:
    periods: list[PeriodFigures]
    before: int | None            # B: demand in the 6 months before referral, when complete
    after: int | None             # A: demand in the 6 months after closure, when complete
    reduction: rules.Reduction | None
    why_none: str | None          # why there is no reduction figure


def current_counts(session: Session, client: Client) -> list[DemandCount]:
    """The client's counts not replaced, earliest first."""
    return _current(session, client.id)


def figures(session: Session, client: Client) -> ClientFigures:
    """Per period: each measure's current counts, total and completeness; the
    client's B, A and reduction (rules.reduction of their one pair)."""
    windows = client_windows(client)
    counts = current_counts(session, client)
    periods = []
    for period in rules.PERIODS:
        window = windows.get(period)
        measures = []
        for measure in rules.MEASURES:
            mine = [c for c in counts if c.period == period and c.measure == measure]
            complete = window is not None and rules.covered(window, [(c.first_day, c.last_day) for c in mine])
            measures.append(MeasureFigures(measure, rules.MEASURE_NAMES[measure], mine, sum(c.count for c in mine),
                                           complete))
        periods.append(PeriodFigures(period, rules.PERIOD_NAMES[period], window, measures,
                                     sum(m.total for m in measures), all(m.complete for m in measures)))
    by_period = {p.period: p for p in periods}
    before = by_period["before_6"].total if by_period["before_6"].complete else None
    after = by_period["after_6"].total if by_period["after_6"].complete else None
    if before is None or after is None:
        return ClientFigures(periods, before, after, None, f"No reduction yet: it {NO_REDUCTION}.")
    result = rules.reduction([(before, after)])
    why = None
    if result.percent is None:
        why = "No percentage: no demand was recorded in the 6 months before referral, so there is none to reduce."
    return ClientFigures(periods, before, after, result, why)


# -- history ----------------------------------------------------------------------------
@dataclass
class Correction:
    """A count taken out of the figures: corrected (``new`` replaces it) or withdrawn (``new`` is None)."""

    old: DemandCount
    new: DemandCount | None
    by: str
    at: datetime
    reason: str

    @property
    def withdrawn(self) -> bool:
        return self.old.withdrawn


def _name(session: Session, user_id) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else "someone no longer known"


def names(session: Session, rows: list[DemandCount]) -> dict:
    """User id -> name, of everyone who recorded or replaced ``rows``."""
    ids = {r.recorded_by_id for r in rows} | {r.replaced_by_id for r in rows if r.replaced_by_id}
    if not ids:
        return {}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(ids)))}


def corrections(session: Session, client: Client) -> list[Correction]:
    """Every corrected count with what replaced it, and every withdrawn one,
    with who, when and why; newest first."""
    replaced = list(session.scalars(
        select(DemandCount).where(DemandCount.client_id == client.id, DemandCount.replaced_at.is_not(None))
        .order_by(DemandCount.replaced_at.desc())))
    if not replaced:
        return []
    by_old = {r.replaces_id: r for r in session.scalars(
        select(DemandCount).where(DemandCount.replaces_id.in_([r.id for r in replaced])))}
    who = names(session, replaced)
    return [Correction(old, by_old.get(old.id), who.get(old.replaced_by_id, "someone no longer known"),
                       old.replaced_at, old.replaced_reason) for old in replaced]
