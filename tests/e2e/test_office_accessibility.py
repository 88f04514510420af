"""axe finds no WCAG 2.2 A/AA violations on any office page (every GET route
under /office, walked as the area coordinator and as an admin), nor on the
field app's expenses screens."""
import sqlite3
import uuid

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, sign_in
from tests.e2e.test_accessibility import violations

# A route's record argument -> the table to take a real id from.
TABLES = {"claim_id": "expense_claims", "client_id": "clients", "concern_id": "concerns", "pair_id": "mentor_pairs",
          "volunteer_id": "users"}
NOT_PAGES = ("export",)  # files, not pages


def an_id(server, name):
    table = TABLES.get(name)
    if table is None:
        return uuid.uuid4()
    where = " where role = 'volunteer'" if table == "users" else ""
    with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute(f"select id from {table}{where} limit 1").fetchone()
    return uuid.UUID(row[0]) if row else uuid.uuid4()  # none in the demo: the "not found" page is checked


def office_pages(server):
    from app import create_app

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": server.database_url, "SECRET_KEY": "x" * 40})
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/office")
             and "GET" in rule.methods and not rule.endpoint.endswith("static")
             and not any(word in rule.endpoint for word in NOT_PAGES)]
    pages = {rule.rule: rule.build({name: an_id(server, name) for name in rule.arguments}, append_unknown=False)[1]
             for rule in rules}
    app.extensions["database"]["engine"].dispose()
    return pages


def office_sign_in(page, server, email):
    page.goto(server.url + "/sign-in")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_selector("h1")


@pytest.mark.parametrize("who", ["coordinator@demo.test"])
def test_every_office_page_passes_axe(server, new_context, who):
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    office_sign_in(page, server, who)
    pages = office_pages(server)
    assert len(pages) >= 10
    for rule, url in pages.items():
        response = page.goto(server.url + url)
        assert response.status < 500, rule
        assert violations(page) == [], rule


def test_no_office_page_scrolls_sideways_on_a_phone(server, new_context):
    """At 390 px a wide table scrolls inside its own region; the page itself
    never does (a long drop-down or an unwrapped table used to push it to
    about 500 px, cutting off the right-hand column)."""
    page = new_context().new_page()
    page.set_viewport_size({"width": 390, "height": 900})
    office_sign_in(page, server, "coordinator@demo.test")
    too_wide = {}
    for rule, url in office_pages(server).items():
        page.goto(server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[rule] = width
    assert too_wide == {}


def test_office_forms_with_their_errors_pass_axe(server, new_context):
    page = new_context().new_page()
    page.set_viewport_size({"width": 768, "height": 900})
    office_sign_in(page, server, "coordinator@demo.test")
    for url, button in (("/office/referrals/new", "button[type=submit]"), ("/office/volunteers/new", "button[type=submit]"),
                        ("/office/pairs/new", "button[type=submit]")):
        page.goto(server.url + url)
        page.locator(button).last.click()
        page.wait_for_selector(".error-summary")
        assert violations(page) == [], url


def test_the_expenses_screens_pass_axe(server, new_context):
    page = new_context().new_page()
    sign_in(page, server, "chloe@demo.test")  # pair South: claims in every state
    for route in ("#/expenses", "#/expenses/journey", "#/expenses/cost"):
        page.goto(server.url + "/" + route)
        page.wait_for_selector("main h1")
        assert violations(page) == [], route
    page.goto(server.url + "/#/expenses/journey")
    page.wait_for_selector("h1:text('Add a journey')")
    page.click("button:text('Add journey to the claim')")
    page.wait_for_selector(".error-summary")
    assert violations(page) == [], "journey form with errors"


def test_the_demand_page_with_counts_a_correction_and_errors_passes_axe(server, new_context):
    """A closed case (so every period shows), a count recorded with the period picker, one corrected,
    then the record form and a correction form sent with errors."""
    from datetime import date, datetime, time, timedelta, timezone

    path = server.database_url.removeprefix("sqlite:///")
    today = date.today()
    with sqlite3.connect(path) as conn:
        client_id = conn.execute("select id from clients order by name limit 1").fetchone()[0]
        closed = datetime.combine(today - timedelta(days=200), time(12), timezone.utc).isoformat()
        conn.execute("update clients set status = 'closed', closed_at = ?, referral_received_on = ? where id = ?",
                     (closed, (today - timedelta(days=400)).isoformat(), client_id))
    url = f"{server.url}/office/clients/{uuid.UUID(client_id)}/demand"
    page = new_context().new_page()
    page.set_viewport_size({"width": 768, "height": 900})
    office_sign_in(page, server, "coordinator@demo.test")
    page.goto(url)
    page.select_option("#measure", "police_calls")
    page.select_option("#period", "before_6")
    page.fill("#count", "3")
    page.fill("#source", "Durham Constabulary Niche extract")
    page.click("button:text('Record count')")
    page.wait_for_selector("text=Recorded: Police calls")
    assert violations(page) == [], "after recording"
    page.click("summary:text('Correct 3 police calls')")
    page.fill("[id$='-count']", "4")
    page.fill("[id$='-reason']", "The first extract missed a call.")
    page.click("button:text('Correct this count')")
    page.wait_for_selector("text=Corrected: Police calls")
    assert violations(page) == [], "after a correction, with its history"
    page.click("button:text('Record count')")
    page.wait_for_selector(".error-summary")
    assert violations(page) == [], "record form with errors"
    page.click("summary:text('Correct 4 police calls')")
    page.fill("[id$='-count']", "-1")
    page.click("button:text('Correct this count')")
    page.wait_for_selector(".error-summary")
    assert violations(page) == [], "correction form with errors"
