"""The schedule: visits by pair and client, who attended, planned against actual, overdue check-outs; planning a visit."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from app.fieldwork.models import Visit

LONDON = ZoneInfo("Europe/London")


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_schedule_lists_visits_with_pair_members_and_filters(office, clients_by_name, pairs_by_name):
    text = text_of(office().get("/office/schedule/").get_data(as_text=True))
    assert "Margaret Hill" in text and "Patricia Lowe" in text
    assert "North: Amira Khan and Ben Walker" in text
    north = office().get(f"/office/schedule/?pair_id={pairs_by_name['North'].id}").get_data(as_text=True)
    assert "Margaret Hill</a>" in north and "Patricia Lowe</a>" not in north
    one = office().get(f"/office/schedule/?client_id={clients_by_name['Daniel Reed'].id}").get_data(as_text=True)
    assert "Daniel Reed</a>" in one and "Margaret Hill (pair North)" in one  # the plan form still lists everyone
    assert "Margaret Hill</a>" not in one


def test_overdue_check_out_done_cancelled_and_no_show(office, clients_by_name, session):
    now = datetime.now(timezone.utc)
    visits = {c: session.scalar(select(Visit).where(Visit.client_id == clients_by_name[c].id))
              for c in ("Margaret Hill", "George Turner", "Patricia Lowe", "Daniel Reed")}
    start = now - timedelta(hours=2)
    iso = lambda t: t.isoformat(timespec="seconds")  # noqa: E731
    session.execute(update(Visit).where(Visit.id == visits["Margaret Hill"].id).values(
        scheduled_start_at=start, scheduled_start=iso(start), duration_minutes=60, checked_in_at=iso(start)))
    session.execute(update(Visit).where(Visit.id == visits["George Turner"].id).values(
        scheduled_start_at=start, scheduled_start=iso(start), duration_minutes=60, actual_minutes=75,
        status="completed", checked_in_at=iso(start), checked_out_at=iso(start + timedelta(minutes=75))))
    session.execute(update(Visit).where(Visit.id == visits["Patricia Lowe"].id).values(status="cancelled"))
    session.execute(update(Visit).where(Visit.id == visits["Daniel Reed"].id).values(status="no_show"))
    session.commit()
    text = text_of(office().get("/office/schedule/").get_data(as_text=True))
    assert "1 visit not checked out" in text
    assert text.count("Not checked out") == 1
    assert "60 min, 75 min" in text and "Done" in text and "Cancelled" in text and "No-show" in text
    assert "1 cancelled, 1 no-show" in text


def test_plan_a_visit_reaches_the_pairs_phones(office, clients_by_name, phone, session):
    margaret = clients_by_name["Margaret Hill"]
    amira, chloe = phone("amira@demo.test"), phone("chloe@demo.test")
    amira.pull_all(), chloe.pull_all()
    day = (datetime.now(LONDON) + timedelta(days=10)).date()
    coordinator = office()
    response = coordinator.post_form("/office/schedule/", "/office/schedule/visits", {
        "client_id": str(margaret.id), "day": day.strftime("%d/%m/%Y"), "time": "14:30", "length": "45",
        "location": "Community centre"})
    assert response.status_code == 303
    page = text_of(coordinator.get(response.headers["Location"]).get_data(as_text=True))
    assert f"Visit planned for {day.strftime('%a %d %b %Y')}, 14:30" in page
    changes, _, _ = amira.pull_all()
    planned = [c for c in changes if c["kind"] == "visit" and (c["data"] or {}).get("location") == "Community centre"]
    assert len(planned) == 1
    changes, _, _ = chloe.pull_all()
    assert not [c for c in changes if c["kind"] == "visit"]
    session.rollback()
    visit = session.scalar(select(Visit).where(Visit.location == "Community centre"))
    assert visit.seq > 0 and visit.rev == 1 and visit.duration_minutes == 45
    assert visit.scheduled_start_at.astimezone(LONDON).strftime("%H:%M") == "14:30"


def test_planning_refuses_bad_input_and_keeps_it(office, clients_by_name, session):
    margaret = clients_by_name["Margaret Hill"]
    count = len(list(session.scalars(select(Visit.id))))
    response = office().post_form("/office/schedule/", "/office/schedule/visits", {
        "client_id": str(margaret.id), "day": "30/02/2026", "time": "25:00", "length": "0", "location": "Home"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#day">' in html and '<a href="#time">' in html and '<a href="#length">' in html
    assert 'value="Home"' in html
    response = office().post_form("/office/schedule/", "/office/schedule/visits", {
        "client_id": str(margaret.id), "day": "2020-01-01", "time": "10:00", "length": "60", "location": ""})
    assert response.status_code == 409 and "The visit must start in the future." in response.get_data(as_text=True)
    session.rollback()
    assert len(list(session.scalars(select(Visit.id)))) == count


def test_another_areas_coordinator_sees_nothing_and_cannot_plan(office, other_area_coordinator, clients_by_name,
                                                                 session):
    stranger = office(other_area_coordinator)
    text = text_of(stranger.get("/office/schedule/").get_data(as_text=True))
    assert "Margaret Hill" not in text
    count = len(list(session.scalars(select(Visit.id))))
    day = (datetime.now(LONDON) + timedelta(days=3)).date().isoformat()
    response = stranger.post_form("/office/schedule/", "/office/schedule/visits", {
        "client_id": str(clients_by_name["Margaret Hill"].id), "day": day, "time": "10:00", "length": "60"})
    assert response.status_code == 400
    session.rollback()
    assert len(list(session.scalars(select(Visit.id)))) == count


def test_a_visit_shows_the_mentors_of_its_pair_at_the_time(office, clients_by_name, pairs_by_name, volunteer,
                                                           session):
    from app.clients.models import ClientAssignment
    from app.volunteers.models import PairMembership

    north = pairs_by_name["North"]
    margaret, george = clients_by_name["Margaret Hill"], clients_by_name["George Turner"]
    now = datetime.now(timezone.utc)
    session.execute(update(PairMembership).where(PairMembership.pair_id == north.id)
                    .values(joined_at=now - timedelta(days=10)))
    session.execute(update(ClientAssignment).where(ClientAssignment.pair_id == north.id)
                    .values(started_at=now - timedelta(days=10)))
    past = now - timedelta(days=2)
    session.execute(update(Visit).where(Visit.client_id == margaret.id).values(
        scheduled_start_at=past, scheduled_start=past.isoformat(timespec="seconds")))
    session.commit()
    eve = volunteer("eve@demo.test", "Eve Adams")
    coordinator = office()
    page = f"/office/pairs/{north.id}"
    ben = re.findall(r'/members/([0-9a-f-]+)/remove', coordinator.get(page).get_data(as_text=True))[1]
    assert coordinator.post_form(page, f"{page}/members/{ben}/remove").status_code == 303
    assert coordinator.post_form(page, f"{page}/members", {"volunteer_id": str(eve)}).status_code == 303
    html = coordinator.get("/office/schedule/").get_data(as_text=True)
    rows = {name: text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
            for name in ("Margaret Hill", "George Turner") if f"{name}</a>" in row}
    assert "North: Amira Khan and Ben Walker" in rows["Margaret Hill"]
    assert "North: Amira Khan and Eve Adams" in rows["George Turner"]


def test_filter_dates_are_typed_the_uk_way(office):
    text = text_of(office().get("/office/schedule/?from=01/12/2026&to=31/12/2026").get_data(as_text=True))
    assert "Visits from 01/12/2026 to 31/12/2026" in text
    html = office().get("/office/schedule/?from=31/02/2026").get_data(as_text=True)
    assert '<a href="#from">Enter the first day as a real date, for example 27/11/2026</a>' in html
