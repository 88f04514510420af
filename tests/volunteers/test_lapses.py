"""The compliance gate: a pair with a member not cleared today gets no clients
(app/scope.py), and the sweep (app/volunteers/lapses.py) tells the phones
once, both ways, with fixed days."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts.services import find_by_email
from app.clients.models import Client
from app.scope import clients_in_scope, may_access_client, uncleared_pair_ids
from app.sync.models import ScopeEvent
from app.volunteers import compliance
from app.volunteers.lapses import PairBlock, blocked_pairs, recheck_pair_clearance, sweep
from app.volunteers.models import ComplianceCheck, MentorPair, PairMembership
from app.volunteers.services import compliance_checks

DAY = date(2027, 3, 10)


def user(session, email):
    return find_by_email(session, email)


def pair(session, name):
    return session.scalar(select(MentorPair).where(MentorPair.name == name))


def clear_everyone_until(session, last_day):
    """Every demo volunteer's checks: all valid on DAY, the DBS check until ``last_day``."""
    session.query(ComplianceCheck).delete()
    for volunteer in ("amira", "ben", "chloe", "dev"):
        person = user(session, f"{volunteer}@demo.test")
        for kind in compliance.REQUIRED:
            session.add(ComplianceCheck(user_id=person.id, kind=kind, completed_on=DAY - timedelta(days=100),
                                        expires_on=last_day if (kind == "dbs" and volunteer == "ben") else None))
    session.flush()


def scope_on(session, email, day):
    from app.scope import client_scope
    return set(session.scalars(client_scope(user(session, email), day)))


@pytest.fixture
def ben_dbs_until(session, demo):
    """Ben's DBS check (pair North) lasts until DAY; everything else never lapses."""
    clear_everyone_until(session, DAY)
    return DAY


def test_a_pair_with_a_lapsed_member_sees_no_clients(session, ben_dbs_until):
    assert len(scope_on(session, "amira@demo.test", DAY)) == 2  # the last day it is valid
    assert scope_on(session, "amira@demo.test", DAY + timedelta(days=1)) == set()  # both mentors lose them
    assert scope_on(session, "ben@demo.test", DAY + timedelta(days=1)) == set()
    assert len(scope_on(session, "chloe@demo.test", DAY + timedelta(days=1))) == 2  # the other pair is untouched
    assert len(scope_on(session, "coordinator@demo.test", DAY + timedelta(days=1))) >= 4  # the office still sees them


def test_a_check_not_yet_completed_does_not_clear(session, ben_dbs_until):
    ben = user(session, "ben@demo.test")
    session.add(ComplianceCheck(user_id=ben.id, kind="dbs", completed_on=DAY + timedelta(days=5)))
    session.flush()
    assert scope_on(session, "amira@demo.test", DAY + timedelta(days=1)) == set()
    assert len(scope_on(session, "amira@demo.test", DAY + timedelta(days=5))) == 2


def test_the_lapsed_member_leaving_frees_the_partner(session, ben_dbs_until):
    ben = user(session, "ben@demo.test")
    membership = session.scalar(select(PairMembership).where(PairMembership.user_id == ben.id))
    membership.left_at = membership.joined_at
    session.flush()
    assert len(scope_on(session, "amira@demo.test", DAY + timedelta(days=1))) == 2


def test_scope_today_uses_the_real_date(session, demo):
    """The demo's checks are valid today: nothing is hidden."""
    assert len(clients_in_scope(session, user(session, "amira@demo.test"))) == 2
    margaret = session.scalar(select(Client).where(Client.name == "Margaret Hill"))
    assert may_access_client(session, user(session, "ben@demo.test"), margaret.id)


@pytest.mark.parametrize("offset", [-101, -100, 0, 1, 30])
def test_the_database_rule_agrees_with_the_pure_rule(session, ben_dbs_until, offset):
    day = DAY + timedelta(days=offset)
    in_sql = set(session.scalars(uncleared_pair_ids(day)))
    members = session.execute(select(PairMembership.pair_id, PairMembership.user_id)
                              .where(PairMembership.left_at.is_(None))).all()
    checks = compliance_checks(session, {u for _, u in members})
    in_python = {p for p, u in members if not compliance.is_cleared(checks[u], day)}
    assert in_sql == in_python


def events(session, pair_id):
    return session.scalars(select(ScopeEvent.owner_id).where(ScopeEvent.audience_kind == "pair",
                                                             ScopeEvent.audience_id == pair_id)).all()


def test_sweep_blocks_once_and_tells_the_pairs_phones(session, ben_dbs_until):
    north = pair(session, "North")
    assert sweep(session, DAY) == {"blocked": 0, "unblocked": 0}
    assert session.scalars(select(PairBlock)).all() == []
    lapsed_day = DAY + timedelta(days=1)
    assert sweep(session, lapsed_day) == {"blocked": 1, "unblocked": 0}
    block = session.get(PairBlock, north.id)
    assert block.reason == "Ben Walker: no valid DBS check."
    clients = {c for c, in session.execute(select(Client.id).where(Client.name.in_(["Margaret Hill", "George Turner"])))}
    assert set(events(session, north.id)) == clients
    assert sweep(session, lapsed_day) == {"blocked": 0, "unblocked": 0}  # idempotent: nothing written again
    assert len(events(session, north.id)) == 2
    listed = blocked_pairs(session, user(session, "coordinator@demo.test"), lapsed_day)
    assert [(b["pair"].name, b["members"]) for b in listed] == [("North", [
        {"name": "Ben Walker", "checks": ["DBS check"], "said": "Ben Walker’s DBS check is out of date or missing"}])]


def test_sweep_unblocks_when_the_check_is_renewed_and_records_come_back(session, ben_dbs_until):
    north = pair(session, "North")
    lapsed_day = DAY + timedelta(days=1)
    sweep(session, lapsed_day)
    margaret = session.scalar(select(Client).where(Client.name == "Margaret Hill"))
    seq_before = margaret.seq
    session.add(ComplianceCheck(user_id=user(session, "ben@demo.test").id, kind="dbs", completed_on=lapsed_day,
                                expires_on=lapsed_day + timedelta(days=3 * 365)))
    session.flush()
    assert sweep(session, lapsed_day) == {"blocked": 0, "unblocked": 1}
    assert session.get(PairBlock, north.id) is None
    session.refresh(margaret)
    assert margaret.seq > seq_before  # comes down again at the next pull
    assert sweep(session, lapsed_day) == {"blocked": 0, "unblocked": 0}


def test_recheck_pair_clearance_unblocks_at_once(session, ben_dbs_until):
    north = pair(session, "North")
    lapsed_day = DAY + timedelta(days=1)
    assert recheck_pair_clearance(session, north, lapsed_day) is True
    assert recheck_pair_clearance(session, north, lapsed_day) is True
    assert len(events(session, north.id)) == 2
    session.add(ComplianceCheck(user_id=user(session, "ben@demo.test").id, kind="dbs", completed_on=lapsed_day))
    session.flush()
    assert recheck_pair_clearance(session, north, lapsed_day) is False
    assert session.get(PairBlock, north.id) is None


def test_an_ended_pair_is_not_blocked_and_loses_its_block(session, ben_dbs_until):
    north = pair(session, "North")
    lapsed_day = DAY + timedelta(days=1)
    sweep(session, lapsed_day)
    north.active = False
    session.flush()
    assert sweep(session, lapsed_day) == {"blocked": 0, "unblocked": 1}
    assert session.scalars(select(PairBlock)).all() == []


def test_the_office_home_lists_blocked_pairs_with_the_reason_to_its_own_area_only(app, session, ben_dbs_until, monkeypatch):
    from app import scope as scope_module
    from app.accounts.services import create_user
    from tests.conftest import DEMO_PASSWORD
    from tests.safeguarding.conftest import Office

    create_user(session, email="darlington@demo.test", name="Dana Darlington", role="coordinator",
                password=DEMO_PASSWORD, area_name="Darlington")
    session.commit()
    monkeypatch.setattr(scope_module, "today", lambda: DAY)
    coordinator = Office(app.test_client()).sign_in("coordinator@demo.test")
    assert "cannot see client details" not in coordinator.get("/office/").get_data(as_text=True)

    monkeypatch.setattr(scope_module, "today", lambda: DAY + timedelta(days=1))
    sweep(session)
    session.commit()
    page = coordinator.get("/office/").get_data(as_text=True)
    assert "1 pair cannot see client details" in page
    assert "Pair North</a>" in page and "Ben Walker’s DBS check is out of date or missing." in page
    assert "None" not in page.split('id="blocked-pairs"')[1].split("</section>")[0]
    assert coordinator.get(f"/office/pairs/{pair(session, 'North').id}").status_code == 200  # the link works
    other = Office(app.test_client()).sign_in("darlington@demo.test").get("/office/").get_data(as_text=True)
    assert "cannot see client details" not in other


def test_reminders_send_due_runs_the_sweep(runner, session, demo):
    from app.scope import today

    ben = user(session, "ben@demo.test")
    dbs = session.scalar(select(ComplianceCheck).where(ComplianceCheck.user_id == ben.id, ComplianceCheck.kind == "dbs"))
    dbs.expires_on = today() - timedelta(days=1)
    session.commit()
    result = runner.invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0 and "1 pair blocked" in result.output, result.output
    again = runner.invoke(args=["reminders", "send-due"])
    assert "0 pairs blocked" in again.output, again.output
    session.rollback()
    assert session.get(PairBlock, pair(session, "North").id) is not None
