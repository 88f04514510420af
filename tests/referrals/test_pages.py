"""The referral pages (app/referrals/views.py) through the test client:
recording, validation, under-18, duplicates, decisions and their history,
the list and its filters, and who may see what."""
import re
import uuid
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app.clients.models import Client
from app.referrals.models import ReferralDecision
from app.referrals.services import today_in_london
from tests.safeguarding.conftest import office, other_area_coordinator  # noqa: F401  (fixtures)

TODAY = today_in_london()


def text_of(html):
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def form(**kw):
    data = {"name": "Susan Clarke", "preferred_name": "Sue", "phone": "07700 900456",
            "address": "3 Test Road, Durham", "date_of_birth": "1961-04-02",
            "received_on": (TODAY - timedelta(days=2)).isoformat(), "referred_by": "Durham Constabulary",
            "referrer_contact": "PC Jones, jones@example.org", "main_issues": "Lonely since moving.",
            "desired_outcome": "Join a walking group.", "risks": "", "other_information": "",
            "consent_given": "yes", "social_isolation": "yes"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def record(o, **kw):
    return o.post_form("/office/referrals/new", "/office/referrals/new", form(**kw))


def client_named(session, name):
    session.rollback()
    return session.scalar(select(Client).where(Client.name == name).execution_options(populate_existing=True))


def decide(o, client_id, **data):
    url = f"/office/referrals/{client_id}"
    return o.post_form(url, url + "/decision", data)


def test_record_a_referral(office, session):
    o = office()
    response = record(o)
    assert response.status_code == 303
    client = client_named(session, "Susan Clarke")
    assert client.status == "referred" and client.age_at_referral == TODAY.year - 1961 - ((TODAY - timedelta(days=2)).timetuple()[1:3] < (4, 2))
    assert client.seq and client.rev == 1
    page = text_of(o.get(response.headers["Location"]).get_data(as_text=True))
    assert "Referral of Susan Clarke recorded." in page and "It is waiting for your decision" in page
    assert "Suffering social isolation" not in page  # the checklist words, not the form
    assert "Referred as socially isolated." in page
    assert "None" not in page and "null" not in page


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Enter the person's full name."),
    ("name", "x" * 201, "The full name must be 200 characters or fewer."),
    ("preferred_name", "x" * 101, "The preferred name must be 100 characters or fewer."),
    ("referred_by", " ", "Enter the agency that made the referral."),
    ("referrer_contact", "x" * 201, "The referrer's contact must be 200 characters or fewer."),
    ("main_issues", "", "Enter the main issues the referral describes."),
    ("main_issues", "x" * 5001, "The main issues must be 5,000 characters or fewer."),
    ("desired_outcome", "x" * 5001, "The what they want to happen must be 5,000 characters or fewer."),
    ("risks", "x" * 5001, "The risks must be 5,000 characters or fewer."),
    ("other_information", "x" * 5001, "The other information must be 5,000 characters or fewer."),
    ("address", "x" * 1001, "The address must be 1,000 characters or fewer."),
    ("phone", "0191 abc", "Enter a phone number using only digits"),
    ("phone", "12345", "A phone number has 10 to 15 digits"),
    ("date_of_birth", "1961-02-30", "The date of birth must be a real date"),
    ("date_of_birth", (TODAY + timedelta(days=1)).isoformat(), "The date of birth cannot be in the future."),
    ("date_of_birth", "1899-12-31", "The date of birth must be in 1900 or later."),
    ("received_on", "", "Enter the date the referral was received."),
    ("received_on", "2026-13-01", "The date received must be a real date"),
    ("received_on", (TODAY + timedelta(days=1)).isoformat(), "The date received cannot be in the future."),
])
def test_bad_input_is_refused_and_kept(office, session, field, value, message):
    o = office()
    before = len(session.scalars(select(Client)).all())
    session.rollback()
    response = record(o, **{field: value, "name": "Typed Name" if field != "name" else value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in unescape(html)
    assert f'href="#{field}"' in html
    if field not in ("name",) and value.strip():
        assert "Typed Name" in html  # what was typed is kept
    session.rollback()
    assert len(session.scalars(select(Client)).all()) == before


def test_under_18_is_flagged_and_accepting_needs_a_reason(office, session):
    o = office()
    born = date(TODAY.year - 16, 1, 1)
    response = record(o, name="Young Person", date_of_birth=born.isoformat(), received_on=TODAY.isoformat())
    assert response.status_code == 303
    client = client_named(session, "Young Person")
    assert client.age_at_referral == 16
    page = text_of(o.get(f"/office/referrals/{client.id}").get_data(as_text=True))
    assert "Aged 16: under 18." in page and "Not met" in page
    listing = text_of(o.get("/office/referrals/").get_data(as_text=True))
    assert "Young Person Under 18" in listing

    refused = decide(o, client.id, outcome="accepted", reason="Good fit.", will_to_change="yes")
    assert refused.status_code == 400
    assert "They are 16, under 18. Give a reason for accepting anyway" in unescape(refused.get_data(as_text=True))
    assert client_named(session, "Young Person").status == "referred"
    assert session.scalar(select(ReferralDecision).where(ReferralDecision.client_id == client.id)) is None

    accepted = decide(o, client.id, outcome="accepted", reason="Good fit.",
                      age_override_reason="Turns 18 in a month; agreed with the manager.")
    assert accepted.status_code == 303
    assert client_named(session, "Young Person").status == "active"
    history = text_of(o.get(f"/office/referrals/{client.id}").get_data(as_text=True))
    assert "Age exception: Turns 18 in a month" in history


def test_unknown_age_also_needs_a_reason_to_accept(office, session):
    o = office()
    record(o, name="No Birthday", date_of_birth="")
    client = client_named(session, "No Birthday")
    assert client.age_at_referral is None
    refused = decide(o, client.id, outcome="accepted", reason="Fine.")
    assert refused.status_code == 400 and "The age is not known" in unescape(refused.get_data(as_text=True))


def test_duplicates_are_shown_and_need_a_second_confirm(office, session):
    o = office()
    assert record(o).status_code == 303
    first = client_named(session, "Susan Clarke")
    again = record(o, name="  susan   CLARKE ")
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "may already be known" in html and f'/office/referrals/{first.id}' in html
    assert 'name="create_anyway" value="yes"' in html
    session.rollback()
    assert len(session.scalars(select(Client).where(Client.date_of_birth == date(1961, 4, 2))).all()) == 1
    # a different date of birth is not a duplicate
    assert record(o, date_of_birth="1961-04-03").status_code == 303
    # the deliberate second confirm records it
    assert record(o, name="Susan Clarke", create_anyway="yes").status_code == 303
    session.rollback()
    assert len(session.scalars(select(Client).where(Client.date_of_birth == date(1961, 4, 2))).all()) == 2


def test_decline_sets_declined_and_keeps_the_reason(office, session):
    o = office()
    record(o)
    client = client_named(session, "Susan Clarke")
    response = decide(o, client.id, outcome="declined", reason="Already supported by Age UK.")
    assert response.status_code == 303
    client = client_named(session, "Susan Clarke")
    assert client.status == "declined" and client.decision_reason == "Already supported by Age UK."
    assert client.rev == 2 and client.decided_at is not None
    page = text_of(o.get(f"/office/referrals/{client.id}").get_data(as_text=True))
    assert "Referral declined." in page and "Already supported by Age UK." in page
    # decided: no second decision
    again = decide(o, client.id, outcome="accepted", reason="Changed mind.")
    assert again.status_code == 409 and "already been decided" in again.get_data(as_text=True)


def test_more_information_then_accept_keeps_the_whole_history(app, office, session):
    o = office()
    record(o)
    client = client_named(session, "Susan Clarke")
    missing = decide(o, client.id, outcome="more_information", reason="Ask about risks.")
    assert missing.status_code == 400 and "Enter the date to review" in missing.get_data(as_text=True)
    past = decide(o, client.id, outcome="more_information", reason="Ask about risks.",
                  review_on=(TODAY - timedelta(days=1)).isoformat())
    assert past.status_code == 400 and "today or later" in past.get_data(as_text=True)
    assert "Ask about risks." in past.get_data(as_text=True)  # kept
    review = TODAY + timedelta(days=7)
    response = decide(o, client.id, outcome="more_information", reason="Ask about risks.",
                      review_on=review.isoformat())
    assert response.status_code == 303
    assert client_named(session, "Susan Clarke").status == "referred"
    assert not re.search(r'name="will_to_change" value="yes" checked', o.get(f"/office/referrals/{client.id}").get_data(as_text=True))
    listing = text_of(o.get("/office/referrals/?status=more_information").get_data(as_text=True))
    assert "Susan Clarke" in listing and f"Review {review.day} {review:%b %Y}" in listing

    accepted = decide(o, client.id, outcome="accepted", reason="Risks checked; fine.", will_to_change="yes",
                      will_note="Keen on the phone.")
    assert accepted.status_code == 303
    assert accepted.status_code == 303
    client = client_named(session, "Susan Clarke")
    assert client.status == "active"
    page = text_of(o.get(f"/office/referrals/{client.id}").get_data(as_text=True))
    assert "Referral accepted." in page and "assign them a pair" in page
    assert page.index("Need more information") < page.index("Risks checked; fine.")
    assert "Keen on the phone." in page
    decisions = session.scalars(select(ReferralDecision).where(ReferralDecision.client_id == client.id)).all()
    assert sorted(d.outcome for d in decisions) == ["accepted", "more_information"]
    # links only to pages that exist
    html = o.get(f"/office/referrals/{client.id}").get_data(as_text=True)
    for href in re.findall(r'href="(/office/[^"#?]*)"', html):
        assert o.get(href).status_code == 200, href


def test_a_decision_needs_an_outcome_and_a_reason(office, session):
    o = office()
    record(o)
    client = client_named(session, "Susan Clarke")
    response = decide(o, client.id, outcome="maybe", reason="")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Choose accept, decline or need more information." in html and "Give the reason for the decision." in html
    assert session.scalar(select(ReferralDecision).where(ReferralDecision.client_id == client.id)) is None


def test_list_filters_and_order(office, session):
    o = office()
    record(o, name="Old Referral", date_of_birth="1950-01-01", received_on=(TODAY - timedelta(days=30)).isoformat())
    record(o, name="Middle Referral", date_of_birth="1950-01-02", received_on=(TODAY - timedelta(days=10)).isoformat())
    record(o, name="New Referral", date_of_birth="1950-01-03", received_on=TODAY.isoformat())
    page = text_of(o.get("/office/referrals/").get_data(as_text=True))
    page = page[page.index("Days waiting"):]
    assert page.index("Old Referral") < page.index("Middle Referral") < page.index("New Referral")
    assert "Old Referral Durham Constabulary" in page and " 30 Waiting" in page
    over14 = text_of(o.get("/office/referrals/?waiting=14").get_data(as_text=True))
    assert "Old Referral" in over14 and "Middle Referral" not in over14
    over7 = text_of(o.get("/office/referrals/?waiting=7").get_data(as_text=True))
    assert "Middle Referral" in over7 and "New Referral" not in over7
    accepted = text_of(o.get("/office/referrals/?status=accepted").get_data(as_text=True))
    assert "Margaret Hill" in accepted and "Old Referral" not in accepted  # the demo's active clients
    assert "Old Referral" not in text_of(o.get("/office/referrals/?status=declined").get_data(as_text=True))


def test_passed_review_date_is_highlighted(office, session):
    o = office()
    record(o)
    client = client_named(session, "Susan Clarke")
    session.add(ReferralDecision(client_id=client.id, outcome="more_information", reason="Waiting for GP.",
                                 review_on=TODAY - timedelta(days=2), by_id=client.created_by_id))
    session.commit()
    html = o.get("/office/referrals/").get_data(as_text=True)
    assert 'class="review-passed"' in html and "Review date passed" in html
    assert "Review date passed" in o.get(f"/office/referrals/{client.id}").get_data(as_text=True)


def test_another_areas_coordinator_gets_404_and_an_empty_list(office, other_area_coordinator, session):
    record(office())
    client = client_named(session, "Susan Clarke")
    them = office(other_area_coordinator)
    assert them.get(f"/office/referrals/{client.id}").status_code == 404
    assert them.post_form("/office/referrals/", f"/office/referrals/{client.id}/decision",
                          {"outcome": "declined", "reason": "x"}).status_code == 404
    assert them.get(f"/office/referrals/{uuid.uuid4()}").status_code == 404
    listing = text_of(them.get("/office/referrals/?status=all").get_data(as_text=True))
    assert "Susan Clarke" not in listing and "Margaret Hill" not in listing and "No referrals match" in listing
    # their duplicates check does not reveal other areas either; their referral goes to Darlington
    assert record(them).status_code == 303
    session.rollback()
    assert len(session.scalars(select(Client).where(Client.name == "Susan Clarke")).all()) == 2


def test_admin_chooses_the_area_and_filters_by_it(office, other_area_coordinator, session):
    admin = office("admin@demo.test")
    missing = record(admin)
    assert missing.status_code == 400 and "Choose the area the person lives in." in unescape(missing.get_data(as_text=True))
    from app.areas.models import Area
    darlington = session.scalar(select(Area).where(Area.name == "Darlington"))
    assert record(admin, area_id=str(darlington.id)).status_code == 303
    assert client_named(session, "Susan Clarke").area_id == darlington.id
    page = text_of(admin.get(f"/office/referrals/?status=all&area={darlington.id}").get_data(as_text=True))
    assert "Susan Clarke" in page and "Margaret Hill" not in page


def test_volunteers_and_strangers_cannot_reach_it(app, demo, api, office, session):
    record(office())
    client = client_named(session, "Susan Clarke")
    mentor = api("amira@demo.test")  # signed in to the field app
    for url in ("/office/referrals/", "/office/referrals/new", f"/office/referrals/{client.id}"):
        assert mentor.get(url).status_code == 403
        assert app.test_client().get(url).status_code == 302
    assert mentor.post("/office/referrals/new", data=form(name="Sneaky")).status_code in (400, 403)
    assert mentor.post(f"/office/referrals/{client.id}/decision",
                       data={"outcome": "declined", "reason": "x"}).status_code in (400, 403)
    assert client_named(session, "Sneaky") is None
    assert client_named(session, "Susan Clarke").status == "referred"


def test_the_demo_referrals_load_in_each_state(app, session):
    """seed_demo(referrals=True): waiting (one under 18), need more information
    with its review date passed, and declined, in the demo coordinator's area."""
    from app.db import db
    from app.demo.seed import seed_demo
    from app.referrals.services import referral_list
    from app.accounts.services import find_by_email

    with app.app_context():
        seed_demo(db.session, "test-demo-password", referrals=True)
        db.session.commit()
    coordinator = find_by_email(session, "coordinator@demo.test")
    rows = {r.name: r for r in referral_list(session, coordinator, status="all")}
    assert rows["Jordan Price"].under_18 and rows["Jordan Price"].state == "waiting"
    assert rows["Sandra Bell"].state == "more_information" and rows["Sandra Bell"].review_passed
    assert rows["Alan Hughes"].state == "declined"
    assert rows["Kevin Moss"].days_waiting == 20


def test_the_judgement_of_the_will_to_change_carries_over(office, session):
    o = office()
    record(o)
    client = client_named(session, "Susan Clarke")
    assert decide(o, client.id, outcome="more_information", reason="Ask the GP.", will_to_change="yes",
                  will_note="Wants to get out more.", review_on=(TODAY + timedelta(days=3)).isoformat()).status_code == 303
    html = o.get(f"/office/referrals/{client.id}").get_data(as_text=True)
    assert 'name="will_to_change" value="yes" checked' in html
    assert ">Wants to get out more.</textarea>" in html
