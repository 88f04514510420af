"""Demo data (docs/domain.md, "Demo data"): one coordinator, pairs North and South,
two active clients each with a planned visit this week and an active goal, and
expense claims in each state (draft, submitted, approved, paid, rejected).
`flask seed-demo` adds referrals waiting and the scheme's past cases with their
outcomes (app/demo/outcomes.py), for the outcomes dashboard.

All people here are made up.
"""
from __future__ import annotations

import hashlib
import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.services import create_user
from app.areas.models import Area
from app.clients.models import Client, ClientAssignment
from app.demo.outcomes import seed_outcomes
from app.expenses import services as expenses
from app.expenses.models import ExpenseClaim, ExpenseItem
from app.fieldwork.models import Goal, Visit
from app.sync.changes import ensure_counter, stamp
from app.volunteers.models import ComplianceCheck, MentorPair, PairMembership

LONDON = ZoneInfo("Europe/London")
COORDINATOR = ("coordinator@demo.test", "Carol Coordinator")
PAIRS = {
    "North": [("amira@demo.test", "Amira Khan"), ("ben@demo.test", "Ben Walker")],
    "South": [("chloe@demo.test", "Chloe Evans"), ("dev@demo.test", "Dev Patel")],
}
CLIENTS = {
    "North": [
        ("Margaret Hill", "Maggie", "Repeated calls about noise from the flat above; afraid to go out.",
         "To feel safe at home and get to the shops on her own.", "Walk to the corner shop with the pair, then alone."),
        ("George Turner", None, "Victim of a burglary, isolated since his wife died; calls 101 most nights.",
         "To sleep through the night and join the community lunch club.", "Visit the lunch club at the church hall."),
    ],
    "South": [
        ("Patricia Lowe", "Pat", "Long-running dispute with a neighbour over parking; many ASB reports.",
         "To settle the dispute and stop feeling watched.", "Try mediation through the housing officer."),
        ("Daniel Reed", "Danny", "Anxiety after an assault; calls 999 when panicking.",
         "To manage panic without calling the police.", "Learn two breathing techniques and use them daily."),
    ],
}


class SeedRefused(RuntimeError):
    pass


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is None


def seed_demo(session: Session, password: str, *, today: date | None = None, referrals: bool = False,
              outcomes: bool = False) -> None:
    """``referrals``: referrals waiting too; ``outcomes``: the scheme's past
    cases and the outcomes recorded for them (app/demo/outcomes.py)."""
    if not database_is_empty(session):
        raise SeedRefused("The database already has data; demo data goes only into an empty database.")
    today = today or datetime.now(LONDON).date()
    ensure_counter(session)
    durham = Area(name="County Durham")
    session.add_all([durham, Area(name="Darlington")])
    session.flush()

    coordinator = create_user(session, email=COORDINATOR[0], name=COORDINATOR[1], role="coordinator",
                              password=password, area_name=durham.name)
    for pair_index, (pair_name, members) in enumerate(PAIRS.items()):
        pair = MentorPair(name=pair_name, area=durham)
        session.add(pair)
        for email, name in members:
            volunteer = create_user(session, email=email, name=name, role="volunteer",
                                    password=password, area_name=durham.name)
            session.add(PairMembership(pair=pair, user=volunteer))
            _add_compliance(session, volunteer, coordinator, today)
        session.flush()
        for client_index, (name, preferred, issues, outcome, goal_title) in enumerate(CLIENTS[pair_name]):
            client = Client(
                area_id=durham.id, status="active", name=name, preferred_name=preferred,
                phone=f"07700 900{100 + pair_index * 10 + client_index}",
                address=f"{12 + client_index} Example Street, Durham DH1 {pair_index + 1}AA",
                age_at_referral=58 + 7 * client_index, consent_given=True, high_impact_user=True,
                referred_by="Durham Constabulary neighbourhood team",
                referral_received_on=today - timedelta(days=40 + client_index),
                main_issues=issues, desired_outcome=outcome,
                risks="Lone working: always visit in pairs." if client_index else "Dog in the house; ask for it to be shut away.",
                created_by_id=coordinator.id, updated_by_id=coordinator.id,
            )
            session.add(client)
            stamp(session, client)
            session.flush()
            session.add(ClientAssignment(client_id=client.id, pair_id=pair.id, assigned_by_id=coordinator.id))
            when = datetime.combine(today + timedelta(days=1 + client_index * 2 + pair_index), time(10 + client_index, 30), LONDON)
            visit = Visit(
                client_id=client.id, scheduled_start=when.isoformat(), scheduled_start_at=when,
                duration_minutes=60, location="Client's home", status="planned",
                created_by_id=coordinator.id, updated_by_id=coordinator.id,
            )
            goal = Goal(
                client_id=client.id, title=goal_title,
                reality="Has not managed this for over a year.",
                options="Go with the pair first; choose a quiet time of day.",
                will="Wants to try before the next visit.", status="active",
                target_date=today + timedelta(days=60),
                created_by_id=coordinator.id, updated_by_id=coordinator.id,
            )
            session.add_all([visit, goal])
            stamp(session, visit)
            stamp(session, goal)
    session.flush()
    _add_expenses(session, coordinator, today)
    if referrals:
        _add_referrals(session, coordinator, durham, today)
    if outcomes:
        seed_outcomes(session, coordinator, durham.id, today)


def _add_compliance(session: Session, volunteer: User, coordinator: User, today: date) -> None:
    session.add_all([
        ComplianceCheck(user_id=volunteer.id, kind="dbs", completed_on=today - timedelta(days=200),
                        expires_on=today - timedelta(days=200) + timedelta(days=3 * 365),
                        dbs_certificate_number=f"0012{zlib.crc32(volunteer.email.encode()) % 10**8:08d}",
                        dbs_level="enhanced", recorded_by_id=coordinator.id),
        ComplianceCheck(user_id=volunteer.id, kind="police_vetting", completed_on=today - timedelta(days=190),
                        expires_on=today - timedelta(days=190) + timedelta(days=3 * 365), recorded_by_id=coordinator.id),
        ComplianceCheck(user_id=volunteer.id, kind="safeguarding_training", completed_on=today - timedelta(days=180),
                        expires_on=today - timedelta(days=180) + timedelta(days=365), recorded_by_id=coordinator.id),
        ComplianceCheck(user_id=volunteer.id, kind="scheme_training", completed_on=today - timedelta(days=170),
                        recorded_by_id=coordinator.id),
    ])


# The sha256 of a parking receipt the phone has photographed but not sent yet
# (the one receipt of the demo: the office shows "Receipt waiting").
WAITING_RECEIPT = hashlib.sha256(b"Demo: a parking receipt still on Chloe's phone").hexdigest()


def _add_expenses(session: Session, coordinator: User, today: date) -> None:
    """A claim in each state, made as the phones and the office make them:
    the rows a push would write, amounts worked out by the real service,
    then the office's decisions through the real services. All are pair
    South's (Chloe Evans, Dev Patel): pair North starts with no expenses, so
    its tax year starts at 0 miles for anyone trying the field app."""
    people = {u.email: u for u in session.scalars(select(User).where(User.role == "volunteer"))}
    chloe, dev = people["chloe@demo.test"], people["dev@demo.test"]

    def sent_at(days_ago: int, hour: int = 19) -> str:
        return datetime.combine(today - timedelta(days=days_ago), time(hour, 0), LONDON).isoformat()

    def claim(volunteer: User, title: str, items: list[dict], submitted_days_ago: int | None) -> ExpenseClaim:
        record = ExpenseClaim(volunteer_id=volunteer.id, title=title, status="draft",
                              created_by_id=volunteer.id, updated_by_id=volunteer.id)
        session.add(record)
        stamp(session, record)
        session.flush()
        for fields in items:
            days_ago = fields.pop("days_ago")
            item = ExpenseItem(volunteer_id=volunteer.id, claim_id=record.id, spent_on=today - timedelta(days=days_ago),
                               created_by_id=volunteer.id, updated_by_id=volunteer.id, **fields)
            session.add(item)
            stamp(session, item)
        session.flush()
        # As on the phone: the items go into a draft and are worked out; then it is sent.
        expenses.work_out_amounts(session, {volunteer.id})
        if submitted_days_ago is not None:
            record.status, record.declaration_accepted = "submitted", True
            record.submitted_at = sent_at(submitted_days_ago)
            stamp(session, record)
            session.flush()
        return record

    def journey(days_ago, from_place, to_place, miles_tenths, vehicle="car_van", passengers=0):
        return {"item_type": "journey", "days_ago": days_ago, "from_place": from_place, "to_place": to_place,
                "miles_tenths": miles_tenths, "vehicle": vehicle, "passengers": passengers}

    def cost(days_ago, category, amount_pence, description, receipt_sha256=None):
        return {"item_type": "cost", "days_ago": days_ago, "category": category, "amount_pence": amount_pence,
                "description": description, "receipt_sha256": receipt_sha256}

    paid = claim(dev, "Visits in the autumn", [
        journey(40, "Home, Bishop Auckland", "Daniel Reed's home", 84),
        journey(33, "Home, Bishop Auckland", "Daniel Reed's home", 84, passengers=1),
    ], submitted_days_ago=30)
    approved = claim(dev, "Mediation meeting", [
        journey(12, "Home, Bishop Auckland", "Housing office, Durham", 156, passengers=1),
        cost(12, "fares", 420, "Bus back to the office after the car went for repair"),
    ], submitted_days_ago=10)
    submitted = claim(chloe, "Visits this month", [
        journey(6, "Home, Spennymoor", "Patricia Lowe's home", 123),
        cost(6, "parking", 350, "Pay and display by the flats", receipt_sha256=WAITING_RECEIPT),
        cost(4 * 31, "fares", 280, "Bus to the training day (forgot to claim it then)"),
    ], submitted_days_ago=2)
    claim(chloe, "Next month", [journey(1, "Home, Spennymoor", "Community lunch club", 42, vehicle="bicycle")],
          submitted_days_ago=None)
    rejected = claim(chloe, "Lunch club", [
        cost(9, "refreshments", 640, "Lunch for me and Dev at the community lunch club"),
    ], submitted_days_ago=8)
    del submitted  # waits in the queue for the coordinator
    expenses.approve(session, paid, coordinator)
    expenses.mark_paid(session, paid, coordinator, date.today())  # the service's own today
    expenses.approve(session, approved, coordinator)
    expenses.reject(session, rejected, coordinator,
                    "Refreshments are paid only when you buy them for a client during a visit. "
                    "Lunch for the two of you is not covered.")


# Referrals waiting in County Durham (docs/domain.md, "Referrals"): name, age
# on the day received, days ago received, facts, and the decision if any
# (outcome, days ago, reason, review date in days from today).
REFERRALS = [
    ("Irene Walsh", 74, 3, dict(high_impact_user=True), None),
    ("Jordan Price", 17, 9, dict(anxiety=True), None),
    ("Kevin Moss", 45, 20, dict(social_isolation=True, anxiety=True), None),
    ("Sandra Bell", 52, 30, dict(high_impact_user=True),
     ("more_information", 12, "Asked the referrer whether she has a support worker already.", -2)),
    ("Alan Hughes", 66, 35, dict(),
     ("declined", 30, "Already supported weekly by Age UK's befriending service; referrer agreed.", None)),
]


def _add_referrals(session: Session, coordinator: User, area: Area, today: date) -> None:
    from app.referrals.models import ReferralDecision, ReferralFacts

    for index, (name, age, days_ago, facts, decision) in enumerate(REFERRALS):
        received = today - timedelta(days=days_ago)
        born = date(received.year - age - 1, received.month, 1) + timedelta(days=40 + index)
        client = Client(
            area_id=area.id, status="referred", name=name, phone=f"07700 900{200 + index}",
            address=f"{3 + index} Demo Road, Durham DH1 3ZZ", date_of_birth=born,
            age_at_referral=received.year - born.year - ((received.month, received.day) < (born.month, born.day)),
            consent_given=True, high_impact_user=facts.get("high_impact_user", False),
            referred_by=("Durham Constabulary neighbourhood team" if index % 2 else "Adult social care, Durham"),
            referrer_contact="duty.officer@example.org", referral_received_on=received,
            main_issues="Calls the police often; lives alone and rarely goes out.",
            desired_outcome="To feel less alone and get out of the house.",
            created_by_id=coordinator.id, updated_by_id=coordinator.id,
        )
        session.add(client)
        stamp(session, client)
        session.flush()
        session.add(ReferralFacts(client_id=client.id, social_isolation=facts.get("social_isolation", False),
                                  anxiety=facts.get("anxiety", False), recorded_by_id=coordinator.id))
        if decision:
            outcome, decided_days_ago, reason, review_in = decision
            at = datetime.combine(today - timedelta(days=decided_days_ago), time(11, 0), LONDON)
            session.add(ReferralDecision(
                client_id=client.id, outcome=outcome, reason=reason, will_to_change=outcome != "declined",
                review_on=today + timedelta(days=review_in) if review_in is not None else None,
                by_id=coordinator.id, created_at=at))
            if outcome == "declined":
                client.status, client.decision_reason, client.decided_at = "declined", reason, at
                stamp(session, client)
    session.flush()
