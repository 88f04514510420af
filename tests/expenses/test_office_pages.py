"""The office pages of expenses (app/expenses/views.py): the approval queue,
a claim with its items, approve / reject / mark paid, scope by area, and the
demo claims they start from (app/demo/seed.py)."""
import re
from html import unescape
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts.services import create_user, find_by_email
from app.areas.models import Area
from app.clients.models import Client
from app.demo.seed import WAITING_RECEIPT
from app.expenses import queries
from app.expenses.models import ExpenseClaim, ExpenseItem
from app.expenses.views import expense_day
from app.fieldwork.models import Visit
from app.receipts.models import Receipt
from app.sync.changes import stamp
from tests.conftest import DEMO_PASSWORD
from tests.safeguarding.conftest import Office, office  # noqa: F401  (fixture)


def text_of(html):
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def claims_by_title(session):
    session.rollback()
    return {c.title: c for c in session.scalars(select(ExpenseClaim).execution_options(populate_existing=True))}


@pytest.fixture
def darlington(app, demo, session):
    """A coordinator and a volunteer of Darlington (with a submitted claim), and an admin."""
    from app.db import db

    with app.app_context():
        create_user(db.session, email="darlington@demo.test", name="Dana Darlington", role="coordinator",
                    password=DEMO_PASSWORD, area_name="Darlington")
        create_user(db.session, email="admin@demo.test", name="Ada Admin", role="admin", password=DEMO_PASSWORD)
        volunteer = create_user(db.session, email="eve@demo.test", name="Eve Darlington", role="volunteer",
                                password=DEMO_PASSWORD, area_name="Darlington")
        claim = ExpenseClaim(volunteer_id=volunteer.id, title="Darlington bus fares", status="submitted",
                             declaration_accepted=True, submitted_at="2026-11-01T10:00:00+00:00", total_pence=500)
        db.session.add(claim)
        stamp(db.session, claim)
        db.session.flush()
        item = ExpenseItem(volunteer_id=volunteer.id, claim_id=claim.id, item_type="cost", spent_on=date(2026, 10, 30),
                           category="fares", amount_pence=500, claimed_pence=500)
        db.session.add(item)
        stamp(db.session, item)
        db.session.commit()
    return "darlington@demo.test"


def page(office_client, url):
    response = office_client.get(url)
    assert response.status_code == 200, response.status_code
    return text_of(response.get_data(as_text=True))


# -- the demo ------------------------------------------------------------------
def test_the_demo_has_a_claim_in_each_state_with_real_amounts(demo, session):
    claims = claims_by_title(session)
    assert {c.status for c in claims.values()} == {"draft", "submitted", "approved", "paid", "rejected"}
    for claim in claims.values():
        items = session.scalars(select(ExpenseItem).where(ExpenseItem.claim_id == claim.id)).all()
        assert items and claim.total_pence == sum(i.claimed_pence for i in items) > 0
        assert all(i.claimed_pence > 0 for i in items)
        assert all(i.rate_note for i in items if i.item_type == "journey")
    assert claims["Lunch club"].decision_reason
    assert claims["Visits in the autumn"].paid_on is not None
    # The one receipt the demo names is the deliberate "waiting" one.
    shas = set(session.scalars(select(ExpenseItem.receipt_sha256).where(ExpenseItem.receipt_sha256.is_not(None))))
    assert shas == {WAITING_RECEIPT} and session.scalar(select(Receipt.sha256)) is None


# -- the queue -----------------------------------------------------------------
def test_the_queue_lists_the_areas_claims_submitted_first(office, darlington):
    html = office().get("/office/expenses/").get_data(as_text=True)
    text = text_of(html)
    waiting, rest = text.split("Approved, waiting to be paid", 1)
    assert "Waiting for approval (1)" in waiting and "Visits this month" in waiting and "Chloe Evans" in waiting
    assert "£11.84" in waiting and "Items older than 3 months" in waiting
    approved, recent = rest.split("Recently paid or rejected", 1)
    assert "Mediation meeting" in approved and "£12.00" in approved and "Carol Coordinator" in approved
    assert "Visits in the autumn" in recent and "Paid" in recent and "Lunch club" in recent and "Rejected" in recent
    assert "1 draft claim" in recent and "Next month" not in text  # drafts: a count only
    assert "Darlington bus fares" not in text and "Eve Darlington" not in text
    assert '<th scope="col">Volunteer</th>' in html and "<caption" in html
    assert "None" not in text and "null" not in text


def test_the_queue_puts_the_longest_waiting_first(office, demo, session):
    claims = claims_by_title(session)
    second = claims["Lunch club"]
    second.status, second.submitted_at, second.decided_at = "submitted", "2020-01-01T09:00:00+00:00", None
    session.commit()
    text = text_of(office().get("/office/expenses/").get_data(as_text=True))
    assert text.index("Lunch club") < text.index("Visits this month") < text.index("Approved, waiting")


def test_a_coordinator_of_another_area_sees_none_of_them(office, darlington, session):
    stranger = office(darlington)
    text = page(stranger, "/office/expenses/")
    assert "Darlington bus fares" in text
    for title in ("Visits this month", "Mediation meeting", "Visits in the autumn", "Lunch club"):
        assert title not in text
    assert "Waiting for approval (1)" in text and "No volunteer has a draft claim" in text
    claim = claims_by_title(session)["Visits this month"]
    url, rev = f"/office/expenses/{claim.id}", claim.rev
    assert stranger.get(url).status_code == 404
    for action, data in (("approve", {}), ("reject", {"reason": "No"}), ("paid", {"paid_on": date.today().isoformat()})):
        assert stranger.post_form("/office/expenses/", f"{url}/{action}", data).status_code == 404
    after = claims_by_title(session)["Visits this month"]
    assert (after.status, after.rev) == ("submitted", rev)
    assert stranger.get(f"/office/expenses/{uuid.uuid4()}").status_code == 404


def test_an_admin_sees_every_area(office, darlington):
    text = page(office("admin@demo.test"), "/office/expenses/")
    assert "Darlington bus fares" in text and "Visits this month" in text


def test_a_mentor_is_not_let_in(client, demo, session):
    claim = claims_by_title(session)["Lunch club"]
    assert client.get(f"/office/expenses/{claim.id}").status_code == 302  # signed out: to the sign-in page


# -- a claim -------------------------------------------------------------------
def test_the_claim_page_shows_each_item_and_the_total(office, demo, session):
    claim = claims_by_title(session)["Visits this month"]
    html = office().get(f"/office/expenses/{claim.id}").get_data(as_text=True)
    text = text_of(html)
    for words in ("Chloe Evans", "Waiting for approval", "Accepted", "Home, Spennymoor", "Patricia Lowe's home",
                  "12.3 miles, Car or van", "12.3 miles at 45p", "£5.54", "Parking", "Pay and display", "£3.50",
                  "Receipt waiting (the phone has not sent the photo yet)", "Fares", "£2.80", "No receipt",
                  "Older than 3 months", "£11.84", "Approve this claim", "Reject this claim"):
        assert words in text, words
    assert text.count("Older than 3 months") == 1
    assert "<tfoot>" in html and '<th scope="row" colspan="4">Total</th>' in html
    assert "None" not in text and "null" not in text and "Mark paid" not in text


def test_an_uploaded_receipt_is_linked_and_a_visit_named_only_in_scope(office, demo, session):
    claim = claims_by_title(session)["Visits this month"]
    chloe = find_by_email(session, "chloe@demo.test")
    session.add(Receipt(sha256=WAITING_RECEIPT, uploaded_by_id=chloe.id, content_type="image/jpeg", size_bytes=1234))
    patricia = session.scalar(select(Client).where(Client.name == "Patricia Lowe"))
    visit = session.scalar(select(Visit).where(Visit.client_id == patricia.id))
    journey = session.scalar(select(ExpenseItem).where(ExpenseItem.claim_id == claim.id, ExpenseItem.item_type == "journey"))
    journey.visit_id = visit.id
    session.commit()
    coordinator = office()
    html = coordinator.get(f"/office/expenses/{claim.id}").get_data(as_text=True)
    assert f'href="/api/receipts/{WAITING_RECEIPT}"' in html and "View receipt" in html and "<img" in html
    assert "Receipt waiting" not in html
    assert "For the visit to Patricia Lowe," in text_of(html)

    patricia.area_id = session.scalar(select(Area.id).where(Area.name == "Darlington"))  # the client moved away
    session.commit()
    text = text_of(coordinator.get(f"/office/expenses/{claim.id}").get_data(as_text=True))
    assert "For a visit" in text and "Patricia Lowe" not in text.split("Items", 1)[1].replace("Patricia Lowe's home", "")


# -- the office's decisions ----------------------------------------------------
def claim_url(session, title):
    return f"/office/expenses/{claims_by_title(session)[title].id}"


def test_approving_says_what_happened_and_the_phone_sees_it(office, demo, session):
    before = claims_by_title(session)["Visits this month"]
    rev, seq = before.rev, before.seq
    url = claim_url(session, "Visits this month")
    coordinator = office()
    response = coordinator.post_form(url, f"{url}/approve")
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    claim = claims_by_title(session)["Visits this month"]
    assert claim.status == "approved" and claim.decided_at is not None and claim.rev == rev + 1 and claim.seq > seq
    assert claim.decided_by_id == find_by_email(session, "coordinator@demo.test").id
    text = page(coordinator, url)
    assert "Claim approved. Chloe Evans's phone shows it at its next sync." in text
    assert "Approved, waiting to be paid" in text and "Mark paid" in text and "Approve this claim" not in text

    again = coordinator.post_form("/office/expenses/", f"{url}/approve")
    assert again.status_code == 400
    assert '<a href="#status">Only a submitted claim can be approved; this one is approved.</a>' in \
        again.get_data(as_text=True)


def test_rejecting_needs_a_reason_and_saves_nothing_without_one(office, demo, session):
    url = claim_url(session, "Visits this month")
    before = claims_by_title(session)["Visits this month"]
    rev, seq = before.rev, before.seq
    coordinator = office()
    response = coordinator.post_form(url, f"{url}/reject", {"reason": "   "})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and '<a href="#reason">Say why the claim is rejected' in html
    assert 'id="reason-error"' in html and "<title>Error:" in html
    after = claims_by_title(session)["Visits this month"]
    assert (after.status, after.rev, after.seq, after.decision_reason) == ("submitted", rev, seq, None)


def test_rejecting_with_a_reason_sends_it_back(office, demo, session):
    url = claim_url(session, "Visits this month")
    coordinator = office()
    response = coordinator.post_form(url, f"{url}/reject", {"reason": "The parking was on a day off."})
    assert response.status_code == 303
    claim = claims_by_title(session)["Visits this month"]
    assert claim.status == "rejected" and claim.decision_reason == "The parking was on a day off."
    text = page(coordinator, url)
    assert "Claim rejected. Chloe Evans's phone shows it, with your reason" in text
    assert "The parking was on a day off." in text and "Reject this claim" not in text


def test_marking_paid_refuses_a_future_date_then_records_the_day(office, demo, session):
    url = claim_url(session, "Mediation meeting")
    rev = claims_by_title(session)["Mediation meeting"].rev
    coordinator = office()
    assert 'type="date" id="paid_on" name="paid_on"' in coordinator.get(url).get_data(as_text=True)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = coordinator.post_form(url, f"{url}/paid", {"paid_on": tomorrow})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<a href="#paid_on">The date paid cannot be in the future.</a>' in html and f'value="{tomorrow}"' in html
    after = claims_by_title(session)["Mediation meeting"]
    assert (after.status, after.paid_on, after.rev) == ("approved", None, rev)

    assert "Enter the date the claim was paid." in coordinator.post_form(url, f"{url}/paid", {"paid_on": ""}).get_data(as_text=True)
    assert "must be a real date" in coordinator.post_form(url, f"{url}/paid", {"paid_on": "2026-02-30"}).get_data(as_text=True)

    today = date.today()
    assert coordinator.post_form(url, f"{url}/paid", {"paid_on": today.isoformat()}).status_code == 303
    claim = claims_by_title(session)["Mediation meeting"]
    assert claim.status == "paid" and claim.paid_on == today and claim.rev == rev + 1
    text = page(coordinator, url)
    assert f"Claim marked paid on {expense_day(today)}." in text
    assert "Dev Patel's phone shows it at its next sync." in text and "Nothing more to do" in text


def test_a_form_without_its_token_is_refused(office, demo, session):
    url = claim_url(session, "Visits this month")
    response = office().client.post(f"{url}/approve")
    assert response.status_code == 400
    assert claims_by_title(session)["Visits this month"].status == "submitted"


# -- figures -------------------------------------------------------------------
def test_pounds_and_miles_are_formatted_from_integers():
    assert [queries.pounds(p) for p in (0, 5, 99, 100, 123456, 100000000)] == [
        "£0.00", "£0.05", "£0.99", "£1.00", "£1,234.56", "£1,000,000.00"]
    assert queries.pence_as_decimal(123456) == "1234.56" and queries.pence_as_decimal(7) == "0.07"
    assert queries.miles(123) == "12.3" and queries.miles(10) == "1.0" and queries.miles(100_000) == "10,000.0"


def test_older_than_three_calendar_months():
    assert queries.months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert queries.months_before(date(2026, 2, 15), 3) == date(2025, 11, 15)
    assert not queries.is_old(date(2026, 2, 28), date(2026, 5, 31))
    assert queries.is_old(date(2026, 2, 27), date(2026, 5, 31))
