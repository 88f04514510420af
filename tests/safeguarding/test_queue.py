"""The safeguarding queue in the office: what it shows, in what order, to whom."""
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from app.fieldwork.models import Concern


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def set_created_at(session, concern_id, when):
    session.rollback()  # a fresh transaction: the API wrote since this session last read
    session.execute(update(Concern).where(Concern.id == concern_id).values(created_at=when))
    session.commit()


def test_queue_lists_open_concerns_urgent_first_then_oldest(office, raise_concern, clients_by_name, session):
    margaret, george = clients_by_name["Margaret Hill"], clients_by_name["George Turner"]
    old_normal = raise_concern("amira@demo.test", margaret, details="Old normal concern.")
    new_urgent = raise_concern("ben@demo.test", george, details="New urgent concern.", urgency="urgent",
                               category="self_harm_or_suicide")
    old_urgent = raise_concern("amira@demo.test", george, details="Old urgent concern.", urgency="urgent")
    closed_urgent = raise_concern("amira@demo.test", margaret, details="Closed urgent concern.", urgency="urgent")
    base = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    for i, cid in enumerate([old_normal, closed_urgent, old_urgent, new_urgent]):
        set_created_at(session, cid, base + timedelta(hours=i))
    coordinator = office()
    page = f"/office/safeguarding/{closed_urgent}"
    assert coordinator.post_form(page, f"{page}/acknowledge").status_code == 303
    assert coordinator.post_form(page, f"{page}/outcome", {"text": "Heating fixed."}).status_code == 303

    response = coordinator.get("/office/safeguarding/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    order = [html.index(d) for d in ("Old urgent concern.", "New urgent concern.", "Old normal concern.",
                                     "Closed urgent concern.")]
    assert order == sorted(order)
    text = text_of(html)
    # Client, category in words, urgency, who raised it, when (UK time), the details.
    assert "Self-harm or suicide, George Turner" in text and "Urgent" in text
    assert "Ben Walker" in text and "Amira Khan" in text
    assert "Fri 20 Nov 2026, 12:00" in text  # new_urgent, 12:00 UTC is 12:00 GMT
    assert "Open concerns (3, 2 urgent)" in text and "Closed concerns (1)" in text
    # No inline script (the CSP forbids it); the only script is the office's
    # alerts file, which opens a concern when its alert is clicked.
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/static/office/alerts.js">']


def test_queue_shows_the_linked_visit_in_uk_time(office, raise_concern, clients_by_name, session):
    from sqlalchemy import select

    from app.fieldwork.models import Visit
    from app.office.views import local_time

    margaret = clients_by_name["Margaret Hill"]
    raise_concern("amira@demo.test", margaret, visit=True)
    visit_at = session.scalar(select(Visit.scheduled_start_at).where(Visit.client_id == margaret.id))
    text = text_of(office().get("/office/safeguarding/").get_data(as_text=True))
    assert f"Visit of {local_time(visit_at)}" in text


def test_coordinator_sees_only_their_area_and_admin_sees_all(office, raise_concern, clients_by_name,
                                                              other_area_coordinator, session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"], details="Durham concern.")
    assert "Durham concern." not in office(other_area_coordinator).get("/office/safeguarding/").get_data(as_text=True)
    assert office(other_area_coordinator).get(f"/office/safeguarding/{concern_id}").status_code == 404
    assert "Durham concern." in office("admin@demo.test").get("/office/safeguarding/").get_data(as_text=True)
    assert office("admin@demo.test").get(f"/office/safeguarding/{concern_id}").status_code == 200


def test_mentors_and_strangers_cannot_open_the_queue(app, demo, api):
    anonymous = app.test_client().get("/office/safeguarding/")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    mentor = api("amira@demo.test")
    assert mentor.get("/office/safeguarding/").status_code == 403


def test_home_page_counts_open_and_urgent_concerns_and_links_to_the_queue(office, raise_concern, clients_by_name):
    margaret = clients_by_name["Margaret Hill"]
    coordinator = office()
    assert "No open concerns." in text_of(coordinator.get("/office/").get_data(as_text=True))
    raise_concern("amira@demo.test", margaret, urgency="urgent")
    raise_concern("amira@demo.test", margaret)
    raise_concern("amira@demo.test", margaret, urgency="urgent")
    html = coordinator.get("/office/").get_data(as_text=True)
    text = text_of(html)
    assert "3 open concerns : 2 urgent , 3 not yet acknowledged." in text
    assert 'href="/office/safeguarding/"' in html
    # The office navigation links to the queue on every office page.
    assert re.search(r'<nav [^>]*aria-label="Office".*href="/office/safeguarding/"', html, re.S)


def test_unknown_concern_is_a_readable_404(office):
    response = office().get("/office/safeguarding/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
