"""Overdue check-outs in the office: the schedule and the office home page
flag a visit checked in and not checked out past its expected end plus
OVERDUE_GRACE_MINUTES (the grace the alerts use), and the coordinators' alert
opens a page that shows the visit."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app.fieldwork.models import Visit
from app.reminders.overdue import OVERDUE_OFFICE, alert_payload
from tests.schedule.test_schedule import text_of


@pytest.fixture
def margaret_overdue_by(session, clients_by_name):
    """Margaret Hill's visit, checked in and not checked out, whose expected
    end was ``minutes`` ago."""
    margaret = clients_by_name["Margaret Hill"]

    def make(minutes):
        start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=60 + minutes)
        visit_id = session.scalar(select(Visit.id).where(Visit.client_id == margaret.id))
        session.execute(update(Visit).where(Visit.id == visit_id).values(
            scheduled_start_at=start, scheduled_start=start.isoformat(), duration_minutes=60,
            checked_in_at=start.isoformat(), checked_out_at=None, status="planned"))
        session.commit()
        return visit_id

    return make


def test_the_schedule_uses_the_configured_grace(app, office, margaret_overdue_by):
    margaret_overdue_by(20)
    text = text_of(office().get("/office/schedule/").get_data(as_text=True))
    assert "not checked out" not in text.lower()  # 20 minutes over, the default grace is 30
    app.config["OVERDUE_GRACE_MINUTES"] = 10
    text = text_of(office().get("/office/schedule/").get_data(as_text=True))
    assert "1 visit not checked out" in text and "past the expected end plus 10 minutes" in text
    assert text.count("Not checked out") == 1


def test_the_office_home_page_lists_overdue_visits_with_a_count(app, office, margaret_overdue_by, session,
                                                                clients_by_name, other_area_coordinator):
    home = text_of(office().get("/office/").get_data(as_text=True))
    assert "not checked out" not in home
    visit_id = margaret_overdue_by(45)
    html = office().get("/office/").get_data(as_text=True)
    home = text_of(html)
    assert "1 visit not checked out" in home and "past the expected end plus 30 minutes" in home
    assert "Visit to Margaret Hill" in home and "pair North (Amira Khan and Ben Walker)" in home
    assert f'href="/office/schedule/?client_id={clients_by_name["Margaret Hill"].id}"' in html
    # Another area's coordinator does not see it.
    assert "not checked out" not in text_of(office(other_area_coordinator).get("/office/").get_data(as_text=True))
    # The configured grace: 45 minutes over is not overdue with a grace of an hour.
    app.config["OVERDUE_GRACE_MINUTES"] = 60
    assert "not checked out" not in text_of(office().get("/office/").get_data(as_text=True))
    app.config["OVERDUE_GRACE_MINUTES"] = 30
    # Checked out: gone from the home page.
    session.execute(update(Visit).where(Visit.id == visit_id).values(
        checked_out_at=datetime.now(timezone.utc).isoformat(timespec="seconds")))
    session.commit()
    assert "not checked out" not in text_of(office().get("/office/").get_data(as_text=True))


def test_the_coordinators_alert_opens_a_page_that_shows_the_overdue_visit(office, margaret_overdue_by,
                                                                           clients_by_name):
    visit_id = margaret_overdue_by(61)  # past grace and escalation: the office is alerted
    url = alert_payload(OVERDUE_OFFICE, visit_id, clients_by_name["Margaret Hill"].id)["url"]
    response = office().get(url)
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "1 visit not checked out" in text and "Not checked out" in text and "Margaret Hill" in text
