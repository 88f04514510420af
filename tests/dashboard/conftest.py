"""A scheme worked out by hand for the outcomes dashboard (tests/dashboard).

Area A ("Northtown"):

- Ann Able, closed (referred 10 Jan 2025, closed 30 Jun 2025): complete counts
  in every period: 12-7 months before 6, 6 months before 10 (a replaced count
  of 50 ignored), during 4, after 2: reduction 80.0%.
- Bob Baker, closed (1 Mar 2025 to 15 Aug 2025): B 20, A 13 (35.0%); only
  police calls (7) recorded 12-7 months before; nothing during.
- Cat Cole, closed (1 Feb 2025 to 1 Jul 2025): B 0, A 1: no percentage.
- Dan Dean, active (1 Oct 2025): B 8, no A (open case).
- Gus Gale, active (1 Nov 2025), no counts, no pair.
- Fay Fox, declined, with counts: never in the demand figures.
Across the scheme: B 30, A 16 over 3 clients: 100 x 14 / 30 = 46.7%; 2 of the
5 clients taken on lack a complete B or A.

Wellbeing (recorded through the service, so scored by the SWEMWBS table):
Ann 14 -> 15.32, 21 -> 19.25, 25 -> 22.35 (+7.03); Bob 22 -> 19.98, then
21 -> 19.25 (-0.73; a deleted check of 35 ignored); Cat one check (7 -> 7.00);
Dan 15 -> 15.84 twice (0). Means: first 51.14 / 3 = 17.05, latest
57.44 / 3 = 19.15, change 6.30 / 3 = 2.10; improved 1, same 1, lower 1.

Goals: Ann's achieved (15 Jan) and dropped (1 Feb), Bob's achieved (5 Mar) and
active (6 Mar), a deleted achieved one, Dan's active (5 Oct): 5 set,
2 achieved, 2 active, 1 dropped.

Visits completed: Ann 20 Jan (60 min), 20 Feb (45); Bob 10 Mar (no time),
10 Apr (90); a planned, a cancelled and a deleted completed one ignored: 4
completed, 195 minutes = 3.25 h -> 3.3, 1 without time, 2 clients.

Pairs: One (Dan now; Bob's assignment ended), Two (nobody now: Dan moved to
One on 20 Oct 2025), Old (ended);
Gus has no pair.

Mileage (claimed_pence as the service left it): approved claim: Ann's 20 Jan
visit 450p (10.0 mi), Ann's 20 Feb visit 300p (6.7 mi), a journey naming no
visit 200p (25 Jan); paid claim: Bob's 10 Apr visit 900p (20.0 mi) and a fare
of 500p; a submitted, a rejected and a draft claim's journeys ignored. Ann 2
journeys 16.7 mi £7.50, Bob 1 journey 20.0 mi £9.00; £16.50, mean £8.25;
1 unlinked journey £2.00.

Area B ("Southtown"): Zed Zulu, closed, B 100, A 0 (100.0%), two checks,
one goal, one completed visit, pair B; with area A the admin's headline is
B 130, A 16: 100 x 114 / 130 = 87.7% across 4 clients.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import DEMO_PASSWORD

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 20)


@dataclass
class Scheme:
    areas: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    pairs: dict = field(default_factory=dict)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def build(session) -> Scheme:
    from app.accounts.services import create_user
    from app.areas.models import Area
    from app.clients.models import Client, ClientAssignment
    from app.expenses.models import ExpenseClaim, ExpenseItem
    from app.fieldwork.models import Goal, Visit
    from app.outcomes import rules
    from app.outcomes.models import DemandCount
    from app.sync.changes import ensure_counter
    from app.volunteers.models import MentorPair
    from app.wellbeing import services as wellbeing

    ensure_counter(session)
    s = Scheme()
    for letter, name in (("A", "Northtown"), ("B", "Southtown")):
        area = Area(name=name)
        session.add(area)
        session.flush()
        s.areas[letter] = area
    for key, role, area in (("coordinator_a", "coordinator", "Northtown"), ("coordinator_b", "coordinator", "Southtown"),
                            ("admin", "admin", None), ("volunteer_a", "volunteer", "Northtown"),
                            ("volunteer_b", "volunteer", "Southtown")):
        s.users[key] = create_user(session, email=f"{key}@example.org", name=key.replace("_", " ").title(),
                                   role=role, password=DEMO_PASSWORD, area_name=area)
    coordinator = s.users["coordinator_a"]

    def client(key, name, letter, status, referred, closed=None):
        row = Client(area_id=s.areas[letter].id, status=status, name=name, referral_received_on=referred,
                     closed_at=at(closed) if closed else None, consent_given=True)
        session.add(row)
        session.flush()
        s.clients[key] = row
        return row

    ann = client("ann", "Ann Able", "A", "closed", date(2025, 1, 10), date(2025, 6, 30))
    bob = client("bob", "Bob Baker", "A", "closed", date(2025, 3, 1), date(2025, 8, 15))
    cat = client("cat", "Cat Cole", "A", "closed", date(2025, 2, 1), date(2025, 7, 1))
    dan = client("dan", "Dan Dean", "A", "active", date(2025, 10, 1))
    gus = client("gus", "Gus Gale", "A", "active", date(2025, 11, 1))
    fay = client("fay", "Fay Fox", "A", "declined", date(2025, 5, 1))
    zed = client("zed", "Zed Zulu", "B", "closed", date(2025, 1, 20), date(2025, 6, 1))

    def whole(row, period, figures):
        """One count per measure covering the whole period."""
        window = rules.windows(row.referral_received_on, row.closed_at.astimezone(LONDON).date()
                               if row.closed_at else None)[period]
        made = []
        for measure, count in zip(rules.MEASURES, figures):
            made.append(DemandCount(client_id=row.id, measure=measure, period=period, first_day=window.start,
                                    last_day=window.end, count=count, source="Extract", obtained_on=TODAY,
                                    recorded_by_id=coordinator.id))
        session.add_all(made)
        return made

    whole(ann, "before_12_to_7", (3, 1, 1, 1))
    ann_before = whole(ann, "before_6", (5, 2, 2, 1))
    whole(ann, "during", (2, 1, 0, 1))
    whole(ann, "after_6", (1, 1, 0, 0))
    session.flush()
    # A count of 50 replaced by the 5 above: the history, never the figures.
    old = ann_before[0]
    session.add(DemandCount(client_id=ann.id, measure="police_calls", period="before_6", first_day=old.first_day,
                            last_day=old.last_day, count=50, source="Wrong extract", obtained_on=TODAY,
                            recorded_by_id=coordinator.id, replaced_at=at(TODAY), replaced_by_id=coordinator.id,
                            replaced_reason="Typed for the wrong client."))
    whole(bob, "before_6", (10, 5, 3, 2))
    whole(bob, "after_6", (5, 3, 2, 3))
    bob_early = rules.windows(bob.referral_received_on, None)["before_12_to_7"]
    session.add(DemandCount(client_id=bob.id, measure="police_calls", period="before_12_to_7",
                            first_day=bob_early.start, last_day=bob_early.end, count=7, source="Extract",
                            obtained_on=TODAY, recorded_by_id=coordinator.id))
    whole(cat, "before_6", (0, 0, 0, 0))
    whole(cat, "after_6", (1, 0, 0, 0))
    # Dan: before in two halves for each measure (as good as one), 8 in all.
    dan_before = rules.windows(dan.referral_received_on, None)["before_6"]
    middle = dan_before.start + timedelta(days=60)
    for measure in rules.MEASURES:
        session.add_all([
            DemandCount(client_id=dan.id, measure=measure, period="before_6", first_day=dan_before.start,
                        last_day=middle, count=1, source="Extract", obtained_on=TODAY, recorded_by_id=coordinator.id),
            DemandCount(client_id=dan.id, measure=measure, period="before_6", first_day=middle + timedelta(days=1),
                        last_day=dan_before.end, count=1, source="Extract", obtained_on=TODAY,
                        recorded_by_id=coordinator.id)])
    whole(fay, "before_6", (9, 9, 9, 9))
    whole(zed, "before_6", (40, 30, 20, 10))
    whole(zed, "after_6", (0, 0, 0, 0))
    session.flush()

    def check(row, on, answers, occasion="review"):
        return wellbeing.record(session, coordinator, row, {
            "recorded_on": on.isoformat(), "occasion": occasion,
            **{f"q{n}": a for n, a in enumerate(answers, start=1)}}, TODAY)

    check(ann, date(2025, 1, 10), (2,) * 7, "referral")
    check(ann, date(2025, 4, 10), (3,) * 7)
    check(ann, date(2025, 6, 30), (4, 4, 4, 4, 3, 3, 3), "closure")
    check(bob, date(2025, 3, 1), (3, 3, 3, 3, 3, 3, 4), "referral")
    check(bob, date(2025, 8, 15), (3,) * 7, "closure")
    check(bob, date(2025, 9, 1), (5,) * 7).deleted_at = at(date(2025, 9, 2))
    check(cat, date(2025, 2, 1), (1,) * 7, "referral")
    check(dan, date(2025, 10, 1), (2, 2, 2, 2, 2, 2, 3), "referral")
    check(dan, date(2025, 11, 1), (3, 2, 2, 2, 2, 2, 2))
    check(zed, date(2025, 1, 20), (2,) * 7, "referral")
    check(zed, date(2025, 6, 1), (5,) * 7, "closure")

    def goal(row, title, status, created, deleted=False):
        session.add(Goal(client_id=row.id, title=title, status=status, created_at=created,
                         deleted_at=at(TODAY) if deleted else None))

    goal(ann, "Lunch club", "achieved", at(date(2025, 1, 15)))
    goal(ann, "Walk to the shop", "dropped", at(date(2025, 2, 1), 0, 30))
    goal(bob, "Door chain", "achieved", at(date(2025, 3, 5)))
    goal(bob, "See the GP", "active", at(date(2025, 3, 6)))
    goal(bob, "Typed twice", "achieved", at(date(2025, 3, 6)), deleted=True)
    goal(dan, "Bus to town", "active", at(date(2025, 10, 5)))
    goal(zed, "Knitting group", "achieved", at(date(2025, 2, 1)))

    def visit(row, day, status, minutes=None, deleted=False):
        when = at(day, 10)
        made = Visit(client_id=row.id, scheduled_start=when.isoformat(), scheduled_start_at=when, status=status,
                     actual_minutes=minutes, deleted_at=at(TODAY) if deleted else None)
        session.add(made)
        session.flush()
        return made

    ann_jan = visit(ann, date(2025, 1, 20), "completed", 60)
    ann_feb = visit(ann, date(2025, 2, 20), "completed", 45)
    visit(ann, date(2025, 3, 20), "planned")
    visit(ann, date(2025, 3, 21), "cancelled", 30)
    bob_mar = visit(bob, date(2025, 3, 10), "completed")
    bob_apr = visit(bob, date(2025, 4, 10), "completed", 90)
    visit(bob, date(2025, 4, 11), "completed", 500, deleted=True)
    zed_visit = visit(zed, date(2025, 2, 3), "completed", 120)

    for key, letter, active in (("one", "A", True), ("two", "A", True), ("old", "A", False), ("b", "B", True)):
        pair = MentorPair(name=f"Pair {key.title()}", area_id=s.areas[letter].id, active=active)
        session.add(pair)
        session.flush()
        s.pairs[key] = pair
    session.add_all([
        ClientAssignment(client_id=dan.id, pair_id=s.pairs["one"].id),
        ClientAssignment(client_id=dan.id, pair_id=s.pairs["two"].id, ended_at=at(date(2025, 10, 20))),
        ClientAssignment(client_id=bob.id, pair_id=s.pairs["one"].id, ended_at=at(date(2025, 8, 15))),
        ClientAssignment(client_id=ann.id, pair_id=s.pairs["old"].id, ended_at=at(date(2025, 6, 30))),
    ])
    zed_now = client("zed2", "Zoe Zane", "B", "active", None)
    session.add(ClientAssignment(client_id=zed_now.id, pair_id=s.pairs["b"].id))

    def claim(volunteer, status, items):
        made = ExpenseClaim(volunteer_id=volunteer.id, status=status, title=status)
        session.add(made)
        session.flush()
        for spent_on, pence, tenths, linked, kind in items:
            session.add(ExpenseItem(volunteer_id=volunteer.id, claim_id=made.id, item_type=kind, spent_on=spent_on,
                                    miles_tenths=tenths if kind == "journey" else None,
                                    vehicle="car_van" if kind == "journey" else None,
                                    category="fares" if kind == "cost" else None,
                                    amount_pence=pence if kind == "cost" else None,
                                    visit_id=linked.id if linked else None, claimed_pence=pence))
        return made

    va, vb = s.users["volunteer_a"], s.users["volunteer_b"]
    claim(va, "approved", [(date(2025, 1, 20), 450, 100, ann_jan, "journey"),
                           (date(2025, 2, 20), 300, 67, ann_feb, "journey"),
                           (date(2025, 1, 25), 200, 80, None, "journey")])
    claim(va, "paid", [(date(2025, 4, 10), 900, 200, bob_apr, "journey"), (date(2025, 4, 10), 500, None, None, "cost")])
    claim(va, "submitted", [(date(2025, 3, 10), 111, 30, bob_mar, "journey")])
    claim(va, "rejected", [(date(2025, 3, 10), 222, 30, bob_mar, "journey")])
    claim(va, "draft", [(date(2025, 3, 10), 333, 30, bob_mar, "journey")])
    claim(vb, "paid", [(date(2025, 2, 3), 1000, 220, zed_visit, "journey")])
    session.flush()
    del gus
    return s


@pytest.fixture
def scheme(session) -> Scheme:
    made = build(session)
    session.commit()
    return made


@pytest.fixture
def office(client, scheme):
    """Sign in to the office as one of the scheme's people."""
    import re

    def sign_in(key):
        client.get("/sign-out")
        html = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        answer = client.post("/sign-in", data={"email": f"{key}@example.org", "password": DEMO_PASSWORD,
                                               "csrf_token": token})
        assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:500]
        return client

    return sign_in
