"""The outcomes dashboard's figures (docs/domain.md, "The dashboard"): for
the clients a coordinator or admin may see, in one area or all, over a range
of dates: the demand reduction and demand per period, wellbeing change,
goals, visits and hours, caseload per pair and mileage cost per client.

The rules (demand periods, completeness, the reduction, SWEMWBS) are
app/outcomes/rules.py's; this module only gathers rows and adds them up. A
figure is a handful of queries whatever the number of clients, never one
per client. Scope comes from app/scope.py: a coordinator's area is always
their own.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from app import scope
from app.accounts.models import User
from app.areas.models import Area
from app.clients.models import Client, ClientAssignment
from app.days import LONDON
from app.expenses.models import ExpenseClaim, ExpenseItem
from app.fieldwork.models import Goal, Visit
from app.outcomes import rules
from app.outcomes.demand import client_windows
from app.outcomes.models import DemandCount
from app.volunteers.models import MentorPair
from app.wellbeing.models import WellbeingScore

# The clients whose demand is counted: taken on, being supported or closed.
TAKEN_ON = ("active", "closed")
# Money actually agreed: a claim the office approved (and perhaps paid).
AGREED_CLAIMS = ("approved", "paid")
HUNDREDTHS = Decimal("0.01")
TENTHS = Decimal("0.1")


# -- the filter ---------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """What the figures are for: one area (None: every area the person may
    see) and the first and last day (None: no limit), both included."""

    area_id: uuid.UUID | None = None
    first: date | None = None
    last: date | None = None


def _day(raw: str) -> date | None:
    for parse in (date.fromisoformat, lambda s: datetime.strptime(s, "%d/%m/%Y").date()):
        try:
            return parse(raw)
        except ValueError:
            continue
    return None


def areas_for(session: Session, user: User) -> list[Area]:
    """The areas ``user`` may choose from: a coordinator's own, every area for an admin."""
    return list(session.scalars(select(Area).where(Area.id.in_(scope.area_scope(user))).order_by(Area.name)))


def read_filters(session: Session, user: User, args) -> tuple[Filters, dict[str, str]]:
    """The filter as asked (``args``: from, to, area), checked; errors by
    field id, in words. A coordinator's area is always theirs: asking for
    another is an error, and nothing is shown."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, words in (("from", "first day"), ("to", "last day")):
        raw = str(args.get(name) or "").strip()
        days[name] = None
        if raw:
            days[name] = _day(raw)
            if days[name] is None:
                errors[name] = f"The {words} must be a real date, like 01/04/2026."
    if days["from"] and days["to"] and days["from"] > days["to"]:
        errors["to"] = "The last day must be the same as or after the first day: the dates are the wrong way round."

    allowed = {a.id: a for a in areas_for(session, user)}
    raw_area = str(args.get("area") or "").strip()
    area_id = None
    if raw_area:
        try:
            area_id = uuid.UUID(raw_area)
        except ValueError:
            area_id = None
        if area_id not in allowed:
            errors["area"] = ("Choose one of the areas listed: you can see the figures of your own area only."
                              if user.role == "coordinator" else "Choose one of the areas listed.")
            area_id = None
    if user.role == "coordinator":
        area_id = user.area_id  # never more than their own, whatever was asked
    return Filters(area_id, days["from"], days["to"]), errors


# -- which rows ------------------------------------------------------------------
def _clients(user: User, filters: Filters) -> Select:
    """The ids of the clients the figures are about: in ``user``'s scope, in the area chosen."""
    query = select(Client.id).where(Client.id.in_(scope.client_scope(user)), Client.deleted_at.is_(None))
    if filters.area_id is not None:
        query = query.where(Client.area_id == filters.area_id)
    return query


def _bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The instants from the start of the first day to the end of the last, London time."""
    start = datetime.combine(filters.first, time(0), LONDON) if filters.first else None
    end = datetime.combine(filters.last + timedelta(days=1), time(0), LONDON) if filters.last else None
    return start, end


def _in_days(column, filters: Filters) -> list:
    """Conditions keeping a date column between the first and last day."""
    found = []
    if filters.first:
        found.append(column >= filters.first)
    if filters.last:
        found.append(column <= filters.last)
    return found


def _in_instants(column, filters: Filters) -> list:
    start, end = _bounds(filters)
    return ([column >= start] if start else []) + ([column < end] if end else [])


def mean(total: int | Decimal, count: int, places: Decimal = HUNDREDTHS) -> Decimal | None:
    if count == 0:
        return None
    return (Decimal(total) / count).quantize(places, rounding=ROUND_HALF_UP)


# -- demand ----------------------------------------------------------------------
@dataclass
class ClientDemand:
    """One client's demand per period: the total recorded and whether it is
    complete (every measure covers every day); B, A and their reduction
    once both are complete."""

    client_id: uuid.UUID
    name: str
    totals: dict[str, int]
    complete: dict[str, bool]
    open_case: bool                 # "during" and "after" do not exist yet
    before: int | None
    after: int | None
    reduction: rules.Reduction | None


@dataclass
class PeriodDemand:
    period: str
    name: str
    demand: int       # over the clients whose counts for the period are complete
    clients: int


@dataclass
class Demand:
    clients: list[ClientDemand]          # every client taken on and referred in the dates, by name
    headline: rules.Reduction            # over the clients with B and A
    lacking: int                         # clients taken on without both periods complete
    periods: list[PeriodDemand]


def demand(session: Session, user: User, filters: Filters) -> Demand:
    """The reduction and demand per period, for the clients taken on whose
    referral was received in the dates chosen. Two queries."""
    clients = list(session.scalars(
        select(Client).where(Client.id.in_(_clients(user, filters)), Client.status.in_(TAKEN_ON),
                             Client.referral_received_on.is_not(None),
                             *_in_days(Client.referral_received_on, filters))
        .order_by(Client.name, Client.id)))
    counts: dict[uuid.UUID, list[DemandCount]] = {}
    if clients:
        for row in session.scalars(select(DemandCount).where(
                DemandCount.client_id.in_([c.id for c in clients]), DemandCount.replaced_at.is_(None))):
            counts.setdefault(row.client_id, []).append(row)

    rows = []
    for client in clients:
        windows = client_windows(client)
        mine = counts.get(client.id, [])
        totals, complete = {}, {}
        for period in rules.PERIODS:
            in_period = [c for c in mine if c.period == period]
            totals[period] = sum(c.count for c in in_period)
            window = windows.get(period)
            complete[period] = window is not None and all(
                rules.covered(window, [(c.first_day, c.last_day) for c in in_period if c.measure == measure])
                for measure in rules.MEASURES)
        before = totals["before_6"] if complete["before_6"] else None
        after = totals["after_6"] if complete["after_6"] else None
        both = before is not None and after is not None
        rows.append(ClientDemand(client.id, client.name, totals, complete, "during" not in windows, before, after,
                                 rules.reduction([(before, after)]) if both else None))

    pairs = [(r.before, r.after) for r in rows if r.reduction is not None]
    periods = []
    for period in rules.PERIODS:
        done = [r for r in rows if r.complete[period]]
        periods.append(PeriodDemand(period, rules.PERIOD_NAMES[period], sum(r.totals[period] for r in done), len(done)))
    return Demand(rows, rules.reduction(pairs), len(rows) - len(pairs), periods)


# -- wellbeing ---------------------------------------------------------------------
@dataclass
class ClientWellbeing:
    client_id: uuid.UUID
    name: str
    first_on: date
    first: Decimal          # metric score of the first check in the dates
    latest_on: date
    latest: Decimal         # metric score of the latest
    checks: int

    @property
    def change(self) -> Decimal:
        return self.latest - self.first


@dataclass
class Wellbeing:
    clients: list[ClientWellbeing]      # clients with at least two checks in the dates, by name
    mean_first: Decimal | None
    mean_latest: Decimal | None
    mean_change: Decimal | None
    improved: int
    unchanged: int
    worse: int
    one_check: int                      # clients with a single check in the dates: no change to measure


def wellbeing(session: Session, user: User, filters: Filters) -> Wellbeing:
    """First and latest SWEMWBS metric score of each client with two or
    more checks taken in the dates chosen. One query."""
    found = session.execute(
        select(WellbeingScore.client_id, Client.name, WellbeingScore.recorded_on, WellbeingScore.metric_hundredths)
        .join(Client, Client.id == WellbeingScore.client_id)
        .where(WellbeingScore.client_id.in_(_clients(user, filters)), WellbeingScore.deleted_at.is_(None),
               *_in_days(WellbeingScore.recorded_on, filters))
        .order_by(Client.name, WellbeingScore.client_id, WellbeingScore.recorded_on, WellbeingScore.created_at)).all()
    by_client: dict[uuid.UUID, list] = {}
    for row in found:
        by_client.setdefault(row.client_id, []).append(row)
    rows = []
    for checks in by_client.values():
        if len(checks) < 2:
            continue
        first, latest = checks[0], checks[-1]
        rows.append(ClientWellbeing(first.client_id, first.name, first.recorded_on,
                                    Decimal(first.metric_hundredths) / 100, latest.recorded_on,
                                    Decimal(latest.metric_hundredths) / 100, len(checks)))
    n = len(rows)
    return Wellbeing(
        rows,
        mean(sum((r.first for r in rows), Decimal(0)), n),
        mean(sum((r.latest for r in rows), Decimal(0)), n),
        mean(sum((r.change for r in rows), Decimal(0)), n),
        sum(1 for r in rows if r.change > 0), sum(1 for r in rows if r.change == 0),
        sum(1 for r in rows if r.change < 0),
        sum(1 for checks in by_client.values() if len(checks) == 1))


# -- goals, visits ---------------------------------------------------------------------
@dataclass
class Goals:
    set: int
    achieved: int
    active: int
    dropped: int


def goals(session: Session, user: User, filters: Filters) -> Goals:
    """Goals first recorded in the dates chosen, by their status now. One query."""
    found = dict(session.execute(
        select(Goal.status, func.count()).where(Goal.client_id.in_(_clients(user, filters)), Goal.deleted_at.is_(None),
                                                *_in_instants(Goal.created_at, filters))
        .group_by(Goal.status)).all())
    return Goals(sum(found.values()), found.get("achieved", 0), found.get("active", 0), found.get("dropped", 0))


@dataclass
class Visits:
    completed: int
    minutes: int            # of the completed visits with how long they took recorded
    without_time: int       # completed visits with no time recorded
    clients: int            # clients with a completed visit

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(TENTHS, rounding=ROUND_HALF_UP)


def visits(session: Session, user: User, filters: Filters) -> Visits:
    """Completed visits whose planned start was in the dates chosen, and the
    time they took as the mentors recorded it. One query."""
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(Visit.actual_minutes), 0),
               func.count() - func.count(Visit.actual_minutes), func.count(func.distinct(Visit.client_id)))
        .where(Visit.client_id.in_(_clients(user, filters)), Visit.deleted_at.is_(None), Visit.status == "completed",
               *_in_instants(Visit.scheduled_start_at, filters))).one()
    return Visits(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


# -- caseload -----------------------------------------------------------------------------
@dataclass
class PairCaseload:
    pair_id: uuid.UUID
    name: str
    area: str
    clients: int


@dataclass
class Caseload:
    pairs: list[PairCaseload]          # active pairs, by name
    unassigned: int                    # active clients with no pair now


def caseload(session: Session, user: User, filters: Filters) -> Caseload:
    """Active clients per active pair now (the dates do not apply: a caseload
    is today's). Two queries."""
    pairs = select(MentorPair.id).where(MentorPair.id.in_(scope.pair_scope(user)), MentorPair.active)
    if filters.area_id is not None:
        pairs = pairs.where(MentorPair.area_id == filters.area_id)
    current = and_(ClientAssignment.pair_id == MentorPair.id, ClientAssignment.ended_at.is_(None))
    active = and_(Client.id == ClientAssignment.client_id, Client.status == "active", Client.deleted_at.is_(None),
                  Client.id.in_(_clients(user, filters)))
    found = session.execute(
        select(MentorPair.id, MentorPair.name, Area.name, func.count(Client.id))
        .join(Area, Area.id == MentorPair.area_id)
        .outerjoin(ClientAssignment, current).outerjoin(Client, active)
        .where(MentorPair.id.in_(pairs)).group_by(MentorPair.id, MentorPair.name, Area.name)
        .order_by(MentorPair.name, MentorPair.id)).all()
    unassigned = session.scalar(
        select(func.count()).select_from(Client).where(
            Client.id.in_(_clients(user, filters)), Client.status == "active",
            ~select(ClientAssignment.id).where(ClientAssignment.client_id == Client.id,
                                               ClientAssignment.ended_at.is_(None)).exists()))
    return Caseload([PairCaseload(r[0], r[1], r[2], int(r[3])) for r in found], int(unassigned))


# -- mileage ------------------------------------------------------------------------------
@dataclass
class ClientMileage:
    client_id: uuid.UUID
    name: str
    journeys: int
    miles_tenths: int
    pence: int


@dataclass
class Mileage:
    clients: list[ClientMileage] = field(default_factory=list)   # by name
    pence: int = 0
    unlinked_journeys: int = 0      # agreed journeys of the same volunteers with no visit named
    unlinked_pence: int = 0

    @property
    def mean_pence(self) -> int | None:
        """Per client with agreed mileage, to the nearest penny (half up)."""
        if not self.clients:
            return None
        return int((Decimal(self.pence) / len(self.clients)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _agreed_journeys(filters: Filters) -> list:
    return [ExpenseItem.item_type == "journey", ExpenseItem.deleted_at.is_(None), ExpenseClaim.deleted_at.is_(None),
            ExpenseClaim.status.in_(AGREED_CLAIMS), *_in_days(ExpenseItem.spent_on, filters)]


def mileage(session: Session, user: User, filters: Filters) -> Mileage:
    """What the office agreed to pay (approved or paid claims) for journeys
    made in the dates chosen that name a visit to the client. Two queries."""
    found = session.execute(
        select(Client.id, Client.name, func.count(ExpenseItem.id), func.coalesce(func.sum(ExpenseItem.miles_tenths), 0),
               func.coalesce(func.sum(ExpenseItem.claimed_pence), 0))
        .select_from(ExpenseItem)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .join(Visit, Visit.id == ExpenseItem.visit_id)
        .join(Client, Client.id == Visit.client_id)
        .where(*_agreed_journeys(filters), Client.id.in_(_clients(user, filters)))
        .group_by(Client.id, Client.name).order_by(Client.name, Client.id)).all()
    rows = [ClientMileage(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in found]
    volunteers = select(User.id).where(User.id.in_(scope.volunteer_scope(user)))
    if filters.area_id is not None:
        volunteers = volunteers.where(User.area_id == filters.area_id)
    unlinked = session.execute(
        select(func.count(ExpenseItem.id), func.coalesce(func.sum(ExpenseItem.claimed_pence), 0))
        .select_from(ExpenseItem).join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(*_agreed_journeys(filters), ExpenseItem.visit_id.is_(None),
               ExpenseItem.volunteer_id.in_(volunteers))).one()
    return Mileage(rows, sum(r.pence for r in rows), int(unlinked[0]), int(unlinked[1]))


# -- all of them -------------------------------------------------------------------------
@dataclass
class Dashboard:
    filters: Filters
    demand: Demand
    wellbeing: Wellbeing
    goals: Goals
    visits: Visits
    caseload: Caseload
    mileage: Mileage


def dashboard(session: Session, user: User, filters: Filters) -> Dashboard:
    return Dashboard(filters, demand(session, user, filters), wellbeing(session, user, filters),
                     goals(session, user, filters), visits(session, user, filters), caseload(session, user, filters),
                     mileage(session, user, filters))
