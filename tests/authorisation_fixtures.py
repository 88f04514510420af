"""The world the authorisation matrix (tests/test_authorisation_matrix.py)
runs in: two areas, A and B, each with a coordinator, a pair of two cleared
mentors, two spare cleared volunteers, and clients with a record of every
kind mentors and the office keep; plus an admin.

Everything is made the way the scheme makes it: accounts and checks through
the services, referrals, decisions, assignments, planned visits and checks
through the office's own forms, what mentors record through the real sync
push, receipts through the real upload. The world is built once; each test
starts from a copy of its database (restore()), signed in as one role with
the cookies that role got at its own sign-in (World.cookies).

Every piece of an area's data carries the area's marker (MARKA or MARKB) and
every expense of a volunteer also that volunteer's marker (EXPA1, ...), so a
test can say "nothing of area A is in this answer" by looking for the marker.
The admin's name carries no marker: the sign-in routes are called with the
admin's credentials, by every role.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tests.sync.conftest import mutation

LONDON = ZoneInfo("Europe/London")
PASSWORD = DEMO_PASSWORD
AREAS = ("A", "B")
ROLES = ("anonymous", "mentor_a1", "mentor_a2", "mentor_b1", "mentor_b2", "coordinator_a", "coordinator_b", "admin")
MENTORS = ("mentor_a1", "mentor_a2", "mentor_b1", "mentor_b2")
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def marker(area: str) -> str:
    return f"MARK{area}"


def expense_marker(area: str, number: int) -> str:
    return f"EXP{area}{number}"


def receipt_bytes(area: str) -> bytes:
    return JPEG_HEAD + f"receipt of {marker(area)} {expense_marker(area, 1)} ".encode() * 20 + b"\xff\xd9"


def forbidden_markers(role: str) -> list[str]:
    """What must never appear in any answer to ``role``: another area's data,
    and another volunteer's expenses (the other mentor of a pair included)."""
    everything = [marker(a) for a in AREAS] + [expense_marker(a, n) for a in AREAS for n in (1, 2)]
    if role == "anonymous":
        return everything
    if role == "admin":
        return []
    own_area = role[-2].upper() if role.startswith("mentor") else role[-1].upper()
    other = [a for a in AREAS if a != own_area]
    found = [marker(a) for a in other] + [expense_marker(a, n) for a in other for n in (1, 2)]
    if role.startswith("mentor"):
        number = int(role[-1])
        found.append(expense_marker(own_area, 3 - number))
    return found


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@dataclass
class AreaWorld:
    letter: str
    area_id: uuid.UUID = None
    coordinator_id: uuid.UUID = None
    mentor_ids: list = field(default_factory=list)      # [mentor 1, mentor 2], the pair
    spare_ids: list = field(default_factory=list)       # two more cleared volunteers, with no clients
    pair_id: uuid.UUID = None
    ended_pair_id: uuid.UUID = None                     # the spares' pair, ended (to restart)
    solo_pair_id: uuid.UUID = None                      # active, spare 1 alone, no clients (to add to, end)
    blocked_pair_id: uuid.UUID = None                   # spare 2 and a lapsed volunteer: blocked by the gate
    client_id: uuid.UUID = None                         # active, with the pair, with records of every kind
    unassigned_client_id: uuid.UUID = None              # accepted, with no pair yet
    referral_id: uuid.UUID = None                       # a referral waiting for a decision
    records: dict = field(default_factory=dict)         # kind -> id (of the client's records, and mentor 1's expenses)
    submitted_claim_id: uuid.UUID = None                # mentor 1's, waiting for the office
    approved_claim_id: uuid.UUID = None                 # mentor 1's, approved
    draft_claim_id: uuid.UUID = None                    # mentor 2's own draft
    acknowledged_concern_id: uuid.UUID = None           # another concern, acknowledged by the office
    receipt_sha256: str = ""                            # uploaded by mentor 1
    planned_visit_id: uuid.UUID = None                  # planned by the coordinator in the office
    sign_in_id: uuid.UUID = None                        # mentor 1's phone's sign-in
    demand_count_id: uuid.UUID = None                   # a demand count of the client, recorded in the office


@dataclass
class World:
    areas: dict
    admin_id: uuid.UUID = None
    emails: dict = field(default_factory=dict)          # role -> email (and "admin", "spare_a1", ...)
    cookies: dict = field(default_factory=dict)         # role -> {cookie name: value}
    first_time: tuple = ("", "")                        # (email, first-time password) of a new volunteer

    @property
    def a(self) -> AreaWorld:
        return self.areas["A"]

    @property
    def b(self) -> AreaWorld:
        return self.areas["B"]


# -- building -----------------------------------------------------------------
def _user(session, role, email, name, area_name=None):
    from app.accounts.services import create_user

    return create_user(session, email=email, name=name, role=role, password=PASSWORD, area_name=area_name)


def _clear(session, user, today):
    from app.volunteers.models import ComplianceCheck

    for kind in ("dbs", "police_vetting", "safeguarding_training", "scheme_training"):
        session.add(ComplianceCheck(user_id=user.id, kind=kind, completed_on=today - timedelta(days=30),
                                    expires_on=today + timedelta(days=700) if kind != "scheme_training" else None))


class _Browser:
    """A signed-in test client used while building (office forms with the token, API with the header)."""

    def __init__(self, app):
        self.client = app.test_client()
        self.csrf = None

    def office_sign_in(self, email):
        token = form_token(self.client.get("/sign-in").get_data(as_text=True))
        r = self.client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 302, r.get_data(as_text=True)
        self.csrf = form_token(self.client.get("/sign-in").get_data(as_text=True))
        return self

    def api_sign_in(self, email):
        r = self.client.post("/api/session", json={"email": email, "password": PASSWORD, "app": "field"})
        assert r.status_code == 200, r.get_data(as_text=True)
        self.csrf = r.get_json()["csrf_token"]
        return self

    def form(self, url, data, expect=303):
        r = self.client.post(url, data={**data, "csrf_token": self.csrf})
        assert r.status_code == expect, (url, r.status_code, r.get_data(as_text=True)[:3000])
        return r

    def push(self, *mutations):
        r = self.client.post("/api/sync/push", headers={"X-CSRF-Token": self.csrf},
                             json={"device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": list(mutations)})
        assert r.status_code == 200, r.get_data(as_text=True)
        results = r.get_json()["results"]
        assert all(x["status"] == "applied" for x in results), results
        return results

    def cookies(self) -> dict:
        jar = {}
        for name in ("session", "remember_token"):
            cookie = self.client.get_cookie(name)
            if cookie is not None:
                jar[name] = cookie.value
        return jar


def _id_from(location: str) -> uuid.UUID:
    return uuid.UUID(re.search(r"/([0-9a-f-]{36})(?:$|[/?#])", location).group(1))


def build_world(app) -> World:
    from app.accounts.models import User
    from app.areas.models import Area
    from app.db import db
    from app.days import today as uk_today
    from app.sync.changes import ensure_counter
    from app.volunteers import lapses
    from app.volunteers import services as volunteers
    from app.volunteers.models import ComplianceCheck, MentorPair, PairMembership

    today = uk_today()
    world = World(areas={letter: AreaWorld(letter) for letter in AREAS})
    with app.app_context():
        s = db.session
        ensure_counter(s)
        for letter in AREAS:
            s.add(Area(name=f"Area {letter}"))
        s.flush()
        admin = _user(s, "admin", "admin@example.test", "Ada Admin")
        world.admin_id = admin.id
        world.emails["admin"] = admin.email
        for letter in AREAS:
            aw, m, low = world.areas[letter], marker(letter), letter.lower()
            area_name = f"Area {letter}"
            aw.area_id = s.scalar(select(Area.id).where(Area.name == area_name))
            coordinator = _user(s, "coordinator", f"coordinator.{m.lower()}@example.test",
                                f"Cora {m} Coordinator", area_name)
            aw.coordinator_id = coordinator.id
            world.emails[f"coordinator_{low}"] = coordinator.email
            mentors = []
            for number in (1, 2):
                mentor = _user(s, "volunteer", f"mentor{number}.{m.lower()}@example.test",
                               f"Mentor{number} {m} Volunteer", area_name)
                _clear(s, mentor, today)
                mentors.append(mentor)
                world.emails[f"mentor_{low}{number}"] = mentor.email
            spares = []
            for number in (1, 2):
                spare = _user(s, "volunteer", f"spare{number}.{m.lower()}@example.test", f"Spare{number} {m}",
                              area_name)
                _clear(s, spare, today)
                spares.append(spare)
                world.emails[f"spare_{low}{number}"] = spare.email
            s.flush()
            aw.mentor_ids = [u.id for u in mentors]
            aw.spare_ids = [u.id for u in spares]
            aw.pair_id = volunteers.create_pair(s, f"Pair {m}", aw.area_id, mentors, today).id
            ended = volunteers.create_pair(s, f"Spares {m}", aw.area_id, spares, today)
            volunteers.end_pair(s, ended)
            aw.ended_pair_id = ended.id
            solo = volunteers.create_pair(s, f"Solo {m}", aw.area_id, spares, today)
            volunteers.remove_member(s, solo, spares[1].id)
            aw.solo_pair_id = solo.id
            # For the office's warnings and the compliance gate: a volunteer whose
            # DBS check runs out in 20 days and whose police vetting ran out
            # yesterday, in a pair the gate blocks (made as if before it ran out).
            lapsed = _user(s, "volunteer", f"lapsed.{m.lower()}@example.test", f"Lapsed {m}", area_name)
            _clear(s, lapsed, today)
            s.flush()
            for check in s.scalars(select(ComplianceCheck).where(ComplianceCheck.user_id == lapsed.id)):
                if check.kind == "dbs":
                    check.expires_on = today + timedelta(days=20)
                if check.kind == "police_vetting":
                    check.expires_on = today - timedelta(days=1)
            blocked = MentorPair(name=f"Blocked {m}", area_id=aw.area_id, active=True)
            s.add(blocked)
            s.flush()
            s.add_all([PairMembership(pair_id=blocked.id, user_id=spares[1].id),
                       PairMembership(pair_id=blocked.id, user_id=lapsed.id)])
            aw.blocked_pair_id = blocked.id
        s.flush()
        lapses.sweep(s, today)
        new_volunteer = _user(s, "volunteer", "first.time@example.test", "First Timer", "Area A")
        from app.accounts.services import reset_first_password

        world.first_time = (new_volunteer.email, reset_first_password(s, new_volunteer))
        s.commit()

    for letter in AREAS:
        _build_area(app, world, letter, today)

    # The roles' own sign-ins, made last (no flashed messages waiting in them).
    for role in ROLES[1:]:
        browser = _Browser(app)
        if role.startswith("mentor"):
            browser.api_sign_in(world.emails[role])
        else:
            browser.office_sign_in(world.emails[role])
        world.cookies[role] = browser.cookies()
    try:
        from app.accounts import sign_ins  # mentor 1's phone's sign-in, for the office's "sign out that phone"
    except ImportError:  # a checkout from before sign-ins were kept
        return world
    with app.app_context():
        for letter in AREAS:
            aw = world.areas[letter]
            mentor = db.session.get(User, aw.mentor_ids[0])
            aw.sign_in_id = sign_ins.open_sign_ins(db.session, mentor)[0].id
    return world


def _build_area(app, world: World, letter: str, today: date) -> None:
    aw, m, low = world.areas[letter], marker(letter), letter.lower()
    office = _Browser(app).office_sign_in(world.emails[f"coordinator_{low}"])

    def referral(name, born):
        r = office.form("/office/referrals/new", {
            "area_id": str(aw.area_id), "name": name, "preferred_name": "", "phone": "07700 900456",
            "address": f"3 Test Road {m}", "date_of_birth": born,
            "received_on": (today - timedelta(days=2)).isoformat(),
            "referred_by": f"Police {m}", "referrer_contact": "", "main_issues": f"Lonely {m}.",
            "desired_outcome": f"Walk {m}.", "risks": "", "other_information": "", "consent_given": "yes",
            "social_isolation": "yes"})
        return _id_from(r.headers["Location"])

    def accept(client_id):
        office.form(f"/office/referrals/{client_id}/decision",
                    {"outcome": "accepted", "reason": f"Good fit {m}.", "will_to_change": "yes"})

    aw.client_id = referral(f"Cliff {m} Client", "1950-03-01")
    accept(aw.client_id)
    office.form(f"/office/clients/{aw.client_id}/assign", {"pair_id": str(aw.pair_id), "reason": ""})
    aw.unassigned_client_id = referral(f"Una {m} Unassigned", "1955-04-02")
    accept(aw.unassigned_client_id)
    aw.referral_id = referral(f"Rita {m} Referral", "1960-05-03")

    # What the pair's first mentor records on the phone: one of every kind.
    phone = _Browser(app).api_sign_in(world.emails[f"mentor_{low}1"])
    client = str(aw.client_id)
    ids = {k: uuid.uuid4() for k in ("visit", "goal", "progress", "problem", "concern", "seen_concern", "expense_claim",
                                      "expense_item", "cost_item", "approved_claim", "approved_item", "wellbeing")}
    start = datetime.combine(today + timedelta(days=3), datetime.min.time().replace(hour=10), LONDON).isoformat()
    receipt = receipt_bytes(letter)
    aw.receipt_sha256 = hashlib.sha256(receipt).hexdigest()
    r = phone.client.put(f"/api/receipts/{aw.receipt_sha256}", data=receipt,
                         headers={"Content-Type": "image/jpeg", "X-CSRF-Token": phone.csrf})
    assert r.status_code == 201, r.get_data(as_text=True)
    spent = (today - timedelta(days=3)).isoformat()
    sent_at = datetime.now(LONDON).isoformat()
    e1 = expense_marker(letter, 1)
    phone.push(
        mutation("visit", ids["visit"], "create", {"client_id": client, "scheduled_start": start, "status": "planned",
                                                   "notes": f"Visit notes {m}", "location": f"Home {m}"}),
        mutation("goal", ids["goal"], "create", {"client_id": client, "title": f"Goal {m}"}),
        mutation("progress", ids["progress"], "create", {"goal_id": str(ids["goal"]), "score": 4,
                                                         "note": f"Progress {m}"}),
        mutation("problem", ids["problem"], "create", {"client_id": client, "scanning": f"Problem {m}"}),
        mutation("concern", ids["concern"], "create", {"client_id": client, "category": "home_conditions",
                                                       "details": f"Concern {m}", "urgency": "normal",
                                                       "visit_id": str(ids["visit"])}),
        mutation("concern", ids["seen_concern"], "create", {"client_id": client, "category": "health_or_wellbeing",
                                                            "details": f"Earlier concern {m}", "urgency": "normal"}),
        mutation("wellbeing", ids["wellbeing"], "create", {"client_id": client, "recorded_on": spent,
                                                           "occasion": "referral", **{f"q{n}": 3 for n in range(1, 8)}}),
        mutation("expense_claim", ids["expense_claim"], "create", {"title": f"Claim {e1} {m}"}),
        mutation("expense_item", ids["expense_item"], "create", {
            "claim_id": str(ids["expense_claim"]), "item_type": "journey", "spent_on": spent,
            "from_place": f"Home {e1} {m}", "to_place": f"Client {e1} {m}", "miles_tenths": 52, "vehicle": "car_van"}),
        mutation("expense_item", ids["cost_item"], "create", {
            "claim_id": str(ids["expense_claim"]), "item_type": "cost", "spent_on": spent, "category": "parking",
            "amount_pence": 250, "description": f"Parking {e1} {m}", "receipt_sha256": aw.receipt_sha256}),
        mutation("expense_claim", ids["expense_claim"], "update", {
            "status": "submitted", "declaration_accepted": True, "submitted_at": sent_at}, base_rev=1),
        mutation("expense_claim", ids["approved_claim"], "create", {"title": f"Earlier {e1} {m}"}),
        mutation("expense_item", ids["approved_item"], "create", {
            "claim_id": str(ids["approved_claim"]), "item_type": "cost", "spent_on": spent, "category": "fares",
            "amount_pence": 320, "description": f"Bus {e1} {m}"}),
        mutation("expense_claim", ids["approved_claim"], "update", {
            "status": "submitted", "declaration_accepted": True, "submitted_at": sent_at}, base_rev=1),
    )
    aw.records = {"visit": ids["visit"], "goal": ids["goal"], "progress": ids["progress"],
                  "problem": ids["problem"], "concern": ids["concern"], "expense_claim": ids["expense_claim"],
                  "expense_item": ids["expense_item"], "wellbeing": ids["wellbeing"]}
    aw.submitted_claim_id = ids["expense_claim"]
    aw.approved_claim_id = ids["approved_claim"]
    office.form(f"/office/expenses/{aw.approved_claim_id}/approve", {})
    aw.acknowledged_concern_id = ids["seen_concern"]
    office.form(f"/office/safeguarding/{aw.acknowledged_concern_id}/acknowledge", {})

    # The pair's second mentor's own draft claim.
    partner = _Browser(app).api_sign_in(world.emails[f"mentor_{low}2"])
    aw.draft_claim_id = uuid.uuid4()
    e2 = expense_marker(letter, 2)
    partner.push(
        mutation("expense_claim", aw.draft_claim_id, "create", {"title": f"Draft {e2} {m}"}),
        mutation("expense_item", uuid.uuid4(), "create", {
            "claim_id": str(aw.draft_claim_id), "item_type": "cost", "spent_on": spent, "category": "fares",
            "amount_pence": 180, "description": f"Bus {e2} {m}"}))

    # The office's own records: a planned visit (the schedule) and a check.
    day = (datetime.now(LONDON) + timedelta(days=10)).date()
    r = office.form("/office/schedule/visits", {"client_id": client, "day": day.strftime("%d/%m/%Y"),
                                                "time": "14:30", "length": "45", "location": f"Centre {m}"})
    from app.db import db
    from app.fieldwork.models import Visit

    with app.app_context():
        aw.planned_visit_id = db.session.scalar(select(Visit.id).where(Visit.location == f"Centre {m}"))
    office.form(f"/office/clients/{client}/demand", {
        "measure": "police_calls", "period": "before_6", "first_day": "", "last_day": "", "count": "3",
        "source": f"Niche extract {m}", "obtained_on": (today - timedelta(days=1)).isoformat()})
    from app.outcomes.models import DemandCount

    with app.app_context():
        aw.demand_count_id = db.session.scalar(select(DemandCount.id).where(DemandCount.client_id == aw.client_id))
    office.form(f"/office/volunteers/{aw.mentor_ids[0]}/checks", {
        "kind": "dbs", "completed_on": (today - timedelta(days=1)).isoformat(),
        "expires_on": (today + timedelta(days=1000)).isoformat(), "dbs_certificate_number": "0098 7654 3210",
        "dbs_level": "enhanced"})


# -- the database as built, restored before each test ---------------------------
def _siblings(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def snapshot(app, path: Path, to: Path) -> None:
    app.extensions["database"]["engine"].dispose()  # the last connection closing checkpoints the WAL
    shutil.copyfile(path, to)
    for sibling in _siblings(path):
        if sibling.exists():
            shutil.copyfile(sibling, to.with_name(to.name + sibling.name[len(path.name):]))


def restore(app, path: Path, saved: Path) -> None:
    app.extensions["database"]["engine"].dispose()
    for sibling in _siblings(path):
        sibling.unlink(missing_ok=True)
    shutil.copyfile(saved, path)
    for sibling in _siblings(saved):
        if sibling.exists():
            shutil.copyfile(sibling, path.with_name(path.name + sibling.name[len(saved.name):]))
