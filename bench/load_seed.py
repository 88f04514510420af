"""Seeding for the load test (``python -m bench load``): real accounts in real pairs.

One area, one coordinator, and ``pairs`` mentor pairs of two volunteers each
(every volunteer cleared by the compliance gate, so sync serves them), each
pair with two active clients, a few visits and a goal per client. One visit
per pair is the *shared* visit that both mentors of the pair edit during the
run (conflicts). The demo data (app/demo) is not used: it has only two pairs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.accounts.services import create_user
from app.areas.models import Area
from app.clients.models import Client, ClientAssignment
from app.fieldwork.models import Goal, Visit
from app.sync.changes import ensure_counter, stamp
from app.volunteers.models import ComplianceCheck, MentorPair, PairMembership

LONDON = ZoneInfo("Europe/London")
AREA = "Load Test Area"
VISITS_PER_CLIENT = 4


@dataclass
class Account:
    email: str
    pair: str
    client_ids: list[str]
    shared_visit_id: str

    def as_dict(self) -> dict:
        return {"email": self.email, "pair": self.pair, "client_ids": self.client_ids,
                "shared_visit_id": self.shared_visit_id}


def seed(session: Session, pairs: int, password: str, today: date | None = None) -> list[Account]:
    """Seed an empty, migrated database; returns the volunteers' accounts (2 per pair)."""
    today = today or datetime.now(LONDON).date()
    ensure_counter(session)
    area = Area(name=AREA)
    session.add(area)
    session.flush()
    coordinator = create_user(session, email="coordinator@load.test", name="Load Coordinator", role="coordinator",
                              password=password, area_name=AREA)
    accounts: list[Account] = []
    for p in range(pairs):
        pair = MentorPair(name=f"Pair {p:03d}", area=area)
        session.add(pair)
        members = []
        for m in range(2):
            volunteer = create_user(session, email=f"mentor{p:03d}{'ab'[m]}@load.test",
                                    name=f"Mentor {p:03d}{'AB'[m]}", role="volunteer",
                                    password=password, area_name=AREA)
            session.add(PairMembership(pair=pair, user=volunteer))
            _clear(session, volunteer.id, coordinator.id, today)
            members.append(volunteer)
        session.flush()
        client_ids, shared_visit = [], None
        for c in range(2):
            client = Client(
                area_id=area.id, status="active", name=f"Client {p:03d}-{c}", phone="07700 900000",
                address=f"{c + 1} Load Street", age_at_referral=60, consent_given=True,
                referred_by="Load test", referral_received_on=today - timedelta(days=30),
                main_issues="Load test client.", desired_outcome="None: synthetic data.",
                created_by_id=coordinator.id, updated_by_id=coordinator.id,
            )
            session.add(client)
            stamp(session, client)
            session.flush()
            session.add(ClientAssignment(client_id=client.id, pair_id=pair.id, assigned_by_id=coordinator.id))
            client_ids.append(str(client.id))
            for v in range(VISITS_PER_CLIENT):
                when = datetime.combine(today + timedelta(days=v + 1), time(10, 30), LONDON)
                visit = Visit(client_id=client.id, scheduled_start=when.isoformat(), scheduled_start_at=when,
                              duration_minutes=60, location="Client's home", status="planned",
                              notes="seeded", created_by_id=coordinator.id, updated_by_id=coordinator.id)
                session.add(visit)
                stamp(session, visit)
                shared_visit = shared_visit or visit
            goal = Goal(client_id=client.id, title="Get to the shops alone", status="active",
                        created_by_id=coordinator.id, updated_by_id=coordinator.id)
            session.add(goal)
            stamp(session, goal)
        session.flush()
        for volunteer in members:
            accounts.append(Account(volunteer.email, pair.name, client_ids, str(shared_visit.id)))
    session.flush()
    return accounts


def _clear(session: Session, user_id, recorded_by_id, today: date) -> None:
    """The four checks of the compliance gate, completed and in date."""
    long_ago = today - timedelta(days=100)
    session.add_all([
        ComplianceCheck(user_id=user_id, kind="dbs", completed_on=long_ago, expires_on=long_ago + timedelta(days=1000),
                        dbs_certificate_number=f"00{abs(hash(str(user_id))) % 10**10:010d}", dbs_level="enhanced",
                        recorded_by_id=recorded_by_id),
        ComplianceCheck(user_id=user_id, kind="police_vetting", completed_on=long_ago,
                        expires_on=long_ago + timedelta(days=1000), recorded_by_id=recorded_by_id),
        ComplianceCheck(user_id=user_id, kind="safeguarding_training", completed_on=long_ago,
                        expires_on=long_ago + timedelta(days=365), recorded_by_id=recorded_by_id),
        ComplianceCheck(user_id=user_id, kind="scheme_training", completed_on=long_ago, recorded_by_id=recorded_by_id),
    ])
