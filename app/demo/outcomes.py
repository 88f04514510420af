"""Demo outcomes (docs/domain.md, "Demo data"): the scheme's past, so the
outcomes dashboard has something true to show. Five closed cases in County
Durham, each with demand counts for every period, wellbeing checks at
referral, review and closure, completed visits, goals and, for pair South's,
paid mileage naming the visits; a sixth closed case whose counts after
closure are not in yet; and for the active clients, their demand before
referral and a first wellbeing check.

Everything is made as the office and the phones make it: counts cover whole
periods (app/outcomes/rules.py), scores come from the SWEMWBS table, amounts
from the expenses service. All people here are made up.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.expenses import services as expenses
from app.expenses.models import ExpenseClaim, ExpenseItem
from app.fieldwork.models import Goal, Visit
from app.outcomes import rules
from app.outcomes.models import DemandCount
from app.sync.changes import stamp
from app.volunteers.models import MentorPair
from app.wellbeing.models import QUESTIONS, WellbeingScore

LONDON = ZoneInfo("Europe/London")
SOURCES = {
    "police_calls": "Durham Constabulary control room extract",
    "incidents": "Durham Constabulary Niche extract",
    "asb_reports": "County Durham ASB team case list",
    "other_services": "Adult social care and NHS 111 contact summary",
}
# Per client: pair, days ago the referral was received, days of support,
# demand per period (police calls, incidents, ASB reports, other services;
# None: not in yet), the SWEMWBS answers at referral, review and closure, and goals (title, status).
PAST_CASES = [
    ("Edith Marsh", "North", 430, 150,
     {"before_12_to_7": (9, 3, 2, 4), "before_6": (11, 4, 3, 5), "during": (5, 2, 1, 3), "after_6": (2, 1, 0, 1)},
     [(2, 2, 1, 2, 2, 3, 2), (3, 3, 2, 3, 3, 3, 3), (4, 3, 3, 4, 3, 4, 4)],
     [("Go to the lunch club every week", "achieved"), ("Sort out the gas bill", "achieved")]),
    ("Frank Oduya", "North", 410, 170,
     {"before_12_to_7": (6, 2, 4, 2), "before_6": (8, 3, 6, 2), "during": (4, 1, 3, 2), "after_6": (1, 0, 1, 1)},
     [(2, 3, 2, 2, 3, 2, 3), (3, 3, 3, 3, 3, 3, 3), (3, 4, 3, 4, 4, 3, 4)],
     [("Report repairs to the landlord himself", "achieved"), ("Walk to the park twice a week", "dropped")]),
    ("Grace Whitfield", "South", 395, 140,
     {"before_12_to_7": (4, 1, 0, 6), "before_6": (5, 2, 1, 7), "during": (3, 1, 0, 4), "after_6": (1, 0, 0, 2)},
     [(3, 2, 2, 3, 2, 2, 3), (3, 3, 2, 3, 3, 3, 3), (4, 4, 3, 4, 3, 4, 4)],
     [("Join the knitting group at the library", "achieved")]),
    ("Harold Byrne", "South", 380, 160,
     {"before_12_to_7": (12, 5, 3, 3), "before_6": (14, 6, 4, 3), "during": (7, 3, 2, 2), "after_6": (4, 2, 1, 1)},
     [(1, 2, 2, 1, 2, 2, 2), (2, 2, 2, 2, 2, 3, 2), (3, 3, 2, 3, 3, 3, 3)],
     [("Call 101 only for crimes, and the pair for worries", "achieved"), ("See the GP about sleep", "achieved")]),
    ("Ivy Lambert", "South", 360, 150,
     {"before_12_to_7": (3, 1, 2, 1), "before_6": (4, 2, 2, 2), "during": (2, 1, 1, 1), "after_6": (2, 1, 0, 1)},
     [(3, 3, 3, 3, 3, 3, 3), (3, 3, 3, 3, 3, 3, 3), (3, 3, 3, 4, 3, 3, 3)],
     [("Visit her sister in Darlington by bus", "active")]),
    ("Jack Pemberton", "North", 300, 110,
     {"before_12_to_7": (5, 2, 1, 1), "before_6": (7, 2, 2, 1), "during": (3, 1, 1, 1), "after_6": None},
     [(2, 2, 2, 2, 2, 2, 2), (3, 2, 3, 2, 3, 2, 3)],
     [("Get a door chain fitted", "achieved")]),
]
# The active clients' demand before referral (same measures), by name.
ACTIVE_DEMAND = {
    "Margaret Hill": {"before_12_to_7": (7, 2, 5, 1), "before_6": (9, 3, 6, 2)},
    "George Turner": {"before_12_to_7": (10, 1, 0, 3), "before_6": (13, 2, 0, 4)},
    "Patricia Lowe": {"before_12_to_7": (2, 1, 8, 1), "before_6": (3, 1, 11, 2)},
}
VISITS_PER_CASE = 8
VISIT_MINUTES = (55, 70, 60, 65, 50, 75, 60, None)   # the last visit's time was not recorded
MILES_TENTHS = 96


def _counts(session: Session, client: Client, demand: dict, windows: dict, coordinator: User, today: date) -> None:
    for period, figures in demand.items():
        if figures is None:
            continue
        window = windows[period]
        for measure, count in zip(rules.MEASURES, figures):
            session.add(DemandCount(
                client_id=client.id, measure=measure, period=period, first_day=window.start, last_day=window.end,
                count=count, source=SOURCES[measure], obtained_on=min(today, window.end + timedelta(days=14)),
                recorded_by_id=coordinator.id))


def _check(session: Session, client: Client, answers, on: date, occasion: str, by: User) -> None:
    raw, metric = rules.swemwbs_scores(list(answers))
    score = WellbeingScore(client_id=client.id, recorded_on=on, occasion=occasion,
                           **dict(zip(QUESTIONS, answers)), raw_score=raw, metric_hundredths=int(metric * 100),
                           created_by_id=by.id, updated_by_id=by.id)
    session.add(score)
    stamp(session, score)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), LONDON)


def seed_outcomes(session: Session, coordinator: User, area_id, today: date) -> None:
    pairs = {p.name: p for p in session.scalars(select(MentorPair).where(MentorPair.area_id == area_id))}
    dev = session.scalar(select(User).where(User.email == "dev@demo.test"))
    journeys = []
    for index, (name, pair_name, days_ago, days_of_support, demand, checks, goals) in enumerate(PAST_CASES):
        referred = today - timedelta(days=days_ago)
        closed = referred + timedelta(days=days_of_support)
        client = Client(
            area_id=area_id, status="closed", name=name, phone=f"07700 900{300 + index}",
            address=f"{20 + index} Past Lane, Durham DH1 4BB", age_at_referral=66 + index, consent_given=True,
            high_impact_user=True, referred_by="Durham Constabulary neighbourhood team",
            referral_received_on=referred, main_issues="Calls the police often; lives alone.",
            desired_outcome="To feel safe and less alone.", decided_at=_noon(referred + timedelta(days=3)),
            closed_at=_noon(closed), created_by_id=coordinator.id, updated_by_id=coordinator.id)
        session.add(client)
        stamp(session, client)
        session.flush()
        pair = pairs[pair_name]
        session.add(ClientAssignment(client_id=client.id, pair_id=pair.id, assigned_by_id=coordinator.id,
                                     started_at=_noon(referred + timedelta(days=5)), ended_at=_noon(closed),
                                     end_reason="Support ended: goals met."))
        _counts(session, client, demand, rules.windows(referred, closed), coordinator, today)
        for answers, on, occasion in zip(checks, (referred, referred + timedelta(days=90), closed),
                                         ("referral", "review", "closure")):
            _check(session, client, answers, on, occasion, coordinator)
        for number, minutes in enumerate(VISIT_MINUTES):
            when = _noon(referred + timedelta(days=7 + number * (days_of_support - 10) // VISITS_PER_CASE))
            visit = Visit(client_id=client.id, scheduled_start=when.isoformat(), scheduled_start_at=when,
                          duration_minutes=60, actual_minutes=minutes, location="Client's home", status="completed",
                          created_by_id=coordinator.id, updated_by_id=coordinator.id)
            session.add(visit)
            stamp(session, visit)
            if pair_name == "South" and number < 2:
                journeys.append((visit, when.date(), name))
        for title, status in goals:
            goal = Goal(client_id=client.id, title=title, status=status, created_by_id=coordinator.id,
                        updated_by_id=coordinator.id, created_at=_noon(referred + timedelta(days=7)))
            session.add(goal)
            stamp(session, goal)
    for client in session.scalars(select(Client).where(Client.area_id == area_id, Client.status == "active")):
        windows = rules.windows(client.referral_received_on, None)
        _counts(session, client, ACTIVE_DEMAND.get(client.name, {}), windows, coordinator, today)
        _check(session, client, (2, 3, 2, 2, 3, 2, 2), client.referral_received_on, "referral", coordinator)
    session.flush()
    _paid_mileage(session, dev, coordinator, journeys, today)


def _paid_mileage(session: Session, volunteer: User, coordinator: User, journeys: list, today: date) -> None:
    """Dev's claim for driving to pair South's past clients, paid: the
    journeys name their visits, so the dashboard can put a cost on each client."""
    claim = ExpenseClaim(volunteer_id=volunteer.id, title="Visits last year", status="draft",
                         created_by_id=volunteer.id, updated_by_id=volunteer.id)
    session.add(claim)
    stamp(session, claim)
    session.flush()
    for visit, day, name in journeys:
        item = ExpenseItem(volunteer_id=volunteer.id, claim_id=claim.id, item_type="journey", spent_on=day,
                           from_place="Home, Bishop Auckland", to_place=f"{name}'s home", miles_tenths=MILES_TENTHS,
                           vehicle="car_van", passengers=1, visit_id=visit.id,
                           created_by_id=volunteer.id, updated_by_id=volunteer.id)
        session.add(item)
        stamp(session, item)
    session.flush()
    expenses.work_out_amounts(session, {volunteer.id})
    last = max(day for _, day, _ in journeys)
    claim.status, claim.declaration_accepted = "submitted", True
    claim.submitted_at = _noon(last + timedelta(days=3)).isoformat()
    stamp(session, claim)
    session.flush()
    expenses.approve(session, claim, coordinator)
    expenses.mark_paid(session, claim, coordinator, date.today())  # the service's own today
