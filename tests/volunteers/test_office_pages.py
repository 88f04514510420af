"""The office's volunteer pages: the list, a volunteer's record, recording a
check (a history, never overwritten), the home page's warnings on fixed days,
creating an account and giving a new first-time password; each only within
the coordinator's area."""
import logging
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.services import create_user
from app.volunteers.models import ComplianceCheck
from tests.conftest import DEMO_PASSWORD
from tests.safeguarding.conftest import Office, office, other_area_coordinator  # noqa: F401

TODAY = date(2027, 3, 1)
KINDS = ("dbs", "police_vetting", "safeguarding_training", "scheme_training")


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&").replace(" ’s", "’s")


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr("app.scope.today", lambda: TODAY)
    return TODAY


@pytest.fixture
def volunteer(app, demo):
    """volunteer(email, name, area, expiries={kind: days from TODAY or None}, kinds=all) -> id"""
    from app.db import db

    def make(email, name, area="County Durham", expiries=None, kinds=KINDS):
        with app.app_context():
            user = create_user(db.session, email=email, name=name, role="volunteer", password=DEMO_PASSWORD,
                               area_name=area)
            for kind in kinds:
                days = (expiries or {}).get(kind)
                db.session.add(ComplianceCheck(
                    user_id=user.id, kind=kind, completed_on=TODAY - timedelta(days=100),
                    expires_on=TODAY + timedelta(days=days) if days is not None else None,
                    dbs_certificate_number="001234567890" if kind == "dbs" else None,
                    dbs_level="enhanced" if kind == "dbs" else None))
            db.session.commit()
            return user.id

    return make


def check_count(session, user_id):
    session.rollback()
    return session.scalar(select(func.count()).select_from(ComplianceCheck).where(ComplianceCheck.user_id == user_id))


def test_list_shows_clearance_and_pairs_of_the_area_only(office, other_area_coordinator, volunteer, fixed_today):
    volunteer("eve@demo.test", "Eve Adams", kinds=KINDS[:2])
    volunteer("dora@demo.test", "Dora Darlington", area="Darlington")
    text = text_of(office().get("/office/volunteers/").get_data(as_text=True))
    assert "Eve Adams Not cleared needs Safeguarding training, Scheme training Not in a pair" in text
    assert "Amira Khan" in text and "North" in text
    assert "Dora Darlington" not in text
    other = text_of(office(other_area_coordinator).get("/office/volunteers/").get_data(as_text=True))
    assert "Dora Darlington Cleared Not in a pair" in other and "Eve Adams" not in other and "Amira" not in other
    admin = text_of(office("admin@demo.test").get("/office/volunteers/").get_data(as_text=True))
    assert "Dora Darlington" in admin and "Eve Adams" in admin
    assert "None" not in text and "null" not in text


def test_record_page_and_other_areas_404(office, other_area_coordinator, volunteer, fixed_today):
    eve = volunteer("eve@demo.test", "Eve Adams", expiries={"dbs": 30})
    page = text_of(office().get(f"/office/volunteers/{eve}").get_data(as_text=True))
    assert "eve@demo.test" in page and "County Durham" in page and "Cleared" in page
    assert "DBS check expires on 31 Mar 2027: in 30 days (the 30-day warning)" in page
    assert "Certificate 001234567890, Enhanced" in page
    assert "None" not in page
    other = office(other_area_coordinator)
    assert other.get(f"/office/volunteers/{eve}").status_code == 404
    response = other.client.post(f"/office/volunteers/{eve}/checks",
                                 data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', other.get(
                                     "/office/volunteers/").get_data(as_text=True)).group(1),
                                       "kind": "scheme_training", "completed_on": "2027-02-01"})
    assert response.status_code == 404


def test_volunteers_cannot_reach_the_office(app, demo, api):
    phone = api("amira@demo.test")
    response = phone.get("/office/volunteers/")
    assert response.status_code == 403 and "The office is for coordinators" in response.get_data(as_text=True)


def test_recording_a_check_keeps_the_history(office, volunteer, session, fixed_today):
    eve = volunteer("eve@demo.test", "Eve Adams", expiries={"dbs": 20})
    coordinator = office()
    url = f"/office/volunteers/{eve}"
    response = coordinator.post_form(url, f"{url}/checks", {
        "kind": "dbs", "completed_on": "2027-02-20", "expires_on": "2030-02-19",
        "dbs_certificate_number": "0098 7654 3210", "dbs_level": "enhanced_barred"})
    assert response.status_code == 303
    page = text_of(coordinator.get(response.headers["Location"]).get_data(as_text=True))
    assert "DBS check recorded for Eve Adams: completed 20 Feb 2027, valid until 19 Feb 2030." in page
    assert "Certificate 009876543210, Enhanced with barred lists" in page
    assert "Superseded" in page and "In force" in page and "by Carol Coordinator" in page
    assert check_count(session, eve) == 5
    rows = session.scalars(select(ComplianceCheck).where(ComplianceCheck.user_id == eve, ComplianceCheck.kind == "dbs"))
    assert sorted(r.dbs_certificate_number for r in rows) == ["001234567890", "009876543210"]


@pytest.mark.parametrize("fields, field, message", [
    ({"kind": "", "completed_on": "2027-02-01"}, "kind", "Choose which check this is"),
    ({"kind": "police_vetting", "completed_on": ""}, "completed_on", "Enter the date the check was completed"),
    ({"kind": "police_vetting", "completed_on": "2027-02-30"}, "completed_on", "as a real date"),
    ({"kind": "police_vetting", "completed_on": "2027-03-02"}, "completed_on", "cannot be in the future"),
    ({"kind": "police_vetting", "completed_on": "2027-02-01", "expires_on": "2027-02-01"}, "expires_on",
     "must be after the completion date"),
    ({"kind": "dbs", "completed_on": "2027-02-01"}, "dbs_certificate_number", "Enter the DBS certificate number"),
    ({"kind": "dbs", "completed_on": "2027-02-01", "dbs_certificate_number": "12345678901", "dbs_level": "basic"},
     "dbs_certificate_number", "must be 12 digits"),
    ({"kind": "dbs", "completed_on": "2027-02-01", "dbs_certificate_number": "12345678901X", "dbs_level": "basic"},
     "dbs_certificate_number", "must be 12 digits"),
    ({"kind": "dbs", "completed_on": "2027-02-01", "dbs_certificate_number": "123456789012"}, "dbs_level",
     "Choose the level"),
    ({"kind": "scheme_training", "completed_on": "2027-02-01", "dbs_certificate_number": "123456789012"},
     "dbs_certificate_number", "Only a DBS check has a certificate number"),
    ({"kind": "scheme_training", "completed_on": "2027-02-01", "dbs_level": "basic"}, "dbs_level",
     "Only a DBS check has a level"),
])
def test_a_bad_check_is_refused_says_why_and_keeps_the_form(office, volunteer, session, fixed_today,
                                                            fields, field, message):
    eve = volunteer("eve@demo.test", "Eve Adams")
    url = f"/office/volunteers/{eve}"
    response = office().post_form(url, f"{url}/checks", fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<li><a href="#{field}">' in html and message in text_of(html)
    if fields.get("completed_on"):
        assert f'value="{fields["completed_on"]}"' in html
    assert check_count(session, eve) == 4


def test_home_page_warns_at_60_30_and_7_days_on_a_fixed_day(office, other_area_coordinator, volunteer, fixed_today):
    for days, name in ((61, "Sixty One"), (60, "Sixty"), (30, "Thirty"), (7, "Seven"), (0, "Zero")):
        volunteer(f"v{days}@demo.test", f"Vol {name}", expiries={"safeguarding_training": days})
    volunteer("gap@demo.test", "Vol Gap", kinds=KINDS[1:])
    volunteer("dora@demo.test", "Dora Darlington", area="Darlington", expiries={"dbs": 7})
    text = text_of(office().get("/office/").get_data(as_text=True))
    assert "Vol Sixty One" not in text
    assert "Within 60 days: Vol Sixty’s safeguarding training expires on 30 Apr 2027 (in 60 days)." in text
    assert "Within 30 days: Vol Thirty’s safeguarding training expires on 31 Mar 2027 (in 30 days)." in text
    assert "Within 7 days: Vol Seven’s safeguarding training expires on 8 Mar 2027 (in 7 days)." in text
    assert "Within 7 days: Vol Zero’s safeguarding training expires on 1 Mar 2027 (today is its last day)." in text
    assert "Vol Gap needs DBS check." in text
    assert text.index("Vol Zero") < text.index("Vol Seven") < text.index("Vol Thirty") < text.index("Vol Sixty’s")
    assert "Dora" not in text
    other = text_of(office(other_area_coordinator).get("/office/").get_data(as_text=True))
    assert "Within 7 days: Dora Darlington’s DBS check expires on 8 Mar 2027" in other and "Vol Seven" not in other


def test_the_day_after_expiry_the_volunteer_is_not_cleared(office, volunteer, monkeypatch):
    volunteer("zed@demo.test", "Vol Zed", expiries={"dbs": 0})
    monkeypatch.setattr("app.scope.today", lambda: TODAY + timedelta(days=1))
    text = text_of(office().get("/office/").get_data(as_text=True))
    assert "Vol Zed needs DBS check." in text and "Vol Zed’s" not in text


def first_password_of(html):
    return re.search(r'<code>([a-z0-9-]+)</code>', html).group(1)


def test_create_a_volunteer_shows_the_first_password_once(office, session, caplog, fixed_today):
    caplog.set_level(logging.DEBUG)
    coordinator = office()
    response = coordinator.post_form("/office/volunteers/new", "/office/volunteers/new",
                                     {"name": " Fay Brown ", "email": "Fay@Example.org",
                                      "area_id": "ignored-for-a-coordinator"})
    # A coordinator's area is the hidden field's: a wrong one is refused and the form kept.
    assert response.status_code == 400 and 'value="Fay@Example.org"' in response.get_data(as_text=True)
    page = coordinator.get("/office/volunteers/new").get_data(as_text=True)
    area_id = re.search(r'name="area_id" value="([^"]+)"', page).group(1)
    response = coordinator.post_form("/office/volunteers/new", "/office/volunteers/new",
                                     {"name": " Fay Brown ", "email": "Fay@Example.org", "area_id": area_id})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    password = first_password_of(html)
    assert re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}", password)
    assert "Fay Brown’s account is created (fay@example.org, County Durham)" in text_of(html)
    user = session.scalar(select(User).where(User.email == "fay@example.org"))
    assert user.role == "volunteer" and user.must_change_password and password not in user.password_hash
    # Never again: not on the record, the list, or in any log line.
    assert password not in coordinator.get(f"/office/volunteers/{user.id}").get_data(as_text=True)
    assert password not in coordinator.get("/office/volunteers/").get_data(as_text=True)
    assert password not in caplog.text
    assert "Has a first-time password" in text_of(coordinator.get(f"/office/volunteers/{user.id}").get_data(as_text=True))


def test_create_refuses_a_duplicate_email_and_an_empty_name(office, session):
    coordinator = office()
    page = coordinator.get("/office/volunteers/new").get_data(as_text=True)
    area_id = re.search(r'name="area_id" value="([^"]+)"', page).group(1)
    response = coordinator.post_form("/office/volunteers/new", "/office/volunteers/new",
                                     {"name": "", "email": "amira@demo.test", "area_id": area_id})
    text = text_of(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "An account with this email already exists" in text and "Enter the person's name" in text
    assert session.scalar(select(func.count()).select_from(User).where(User.email == "amira@demo.test")) == 1


def test_admin_chooses_the_area(office, other_area_coordinator, session):
    admin = office("admin@demo.test")
    page = admin.get("/office/volunteers/new").get_data(as_text=True)
    assert "Darlington" in page and "County Durham" in page
    response = admin.post_form("/office/volunteers/new", "/office/volunteers/new",
                               {"name": "Gus Green", "email": "gus@example.org", "area_id": ""})
    assert response.status_code == 400 and "Choose the volunteer's area" in text_of(response.get_data(as_text=True))
    darlington = re.search(r'<option value="([^"]+)"[^>]*>Darlington</option>', page).group(1)
    response = admin.post_form("/office/volunteers/new", "/office/volunteers/new",
                               {"name": "Gus Green", "email": "gus@example.org", "area_id": darlington})
    assert response.status_code == 200
    assert session.scalar(select(User).where(User.email == "gus@example.org")).area.name == "Darlington"


def test_reset_gives_a_new_first_password_within_the_area_only(office, other_area_coordinator, session, caplog):
    caplog.set_level(logging.DEBUG)
    amira = session.scalar(select(User).where(User.email == "amira@demo.test"))
    url = f"/office/volunteers/{amira.id}"
    other = office(other_area_coordinator)
    assert other.post_form("/office/volunteers/", f"{url}/first-password").status_code == 404
    session.rollback()
    assert not session.get(User, amira.id).must_change_password
    response = office().post_form(url, f"{url}/first-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = first_password_of(response.get_data(as_text=True))
    assert "Amira Khan has a new first-time password" in text_of(response.get_data(as_text=True))
    session.rollback()
    assert session.get(User, amira.id).must_change_password
    assert password not in caplog.text
