"""A wellbeing check (SWEMWBS) in the field app, in Chromium: recorded with no
signal, sent when the signal is back, and the server's raw and metric scores
shown on the client's screen; an incomplete check is refused on the phone with
words and nothing queued; the screens pass axe; the phone's "next due" rule
is the server's (app/outcomes/rules.py)."""
import uuid
from datetime import date

from app.outcomes import rules
from tests.e2e.test_accessibility import violations
from tests.e2e.test_field_app import db_rows, open_first_client, show, sync, wait_status
from tests.e2e.test_visit_journey import signed_in


def outbox_size(page):
    return page.evaluate("async () => (await (await import('/static/js/store.js')).outboxEntries()).length")


def answer(page, question, value):
    page.check(f"#f-q{question}" if value == 1 else f"#f-q{question}-{value - 1}")


def test_a_check_recorded_offline_is_scored_by_the_server_once_sent(server, new_context):
    context, page = signed_in(server, new_context)
    open_first_client(page)
    client_id = page.url.split("/")[-1]
    assert page.inner_text("#wellbeing-due") == "A wellbeing check is due: none recorded yet."
    assert violations(page) == [], "client screen with the wellbeing section"

    context.set_offline(True)
    page.click("a:text('Record a wellbeing check')")
    page.wait_for_selector("h1:has-text('Wellbeing check for')")
    assert violations(page) == [], "the wellbeing check form"
    page.check("label:text('At referral (the start of support)')")
    for question, value in enumerate((4, 3, 5, 2, 4, 3), start=1):  # question 7 left out
        answer(page, question, value)
    page.click("button:text('Save wellbeing check')")
    page.wait_for_selector(".error-summary")
    assert "Question 7: choose an answer" in page.inner_text(".error-summary")
    assert page.inner_text("#f-q7-error") == "Error: Question 7: choose an answer"
    assert violations(page) == [], "the form with its errors"
    assert outbox_size(page) == 0  # nothing queued
    assert page.url.endswith(f"#/wellbeing/new/{client_id}")

    answer(page, 7, 4)  # 4+3+5+2+4+3+4 = 25, metric 22.35
    page.click("button:text('Save wellbeing check')")
    page.wait_for_selector(".notice:has-text('Wellbeing check saved.')")
    page.wait_for_selector("#wellbeing-due")
    assert "Worked out when sent to the office" in page.inner_text("main table.history")
    wait_status(page, "1 wellbeing check waiting to send")
    assert outbox_size(page) == 1

    context.set_offline(False)
    assert sync(page)["outcome"] == "synced"
    wait_status(page, "All sent")
    assert db_rows(server, "select raw_score, metric_hundredths, occasion from wellbeing_scores") == [(25, 2235, "referral")]
    show(page, f"#/client/{client_id}")
    page.wait_for_selector("#wellbeing-due")
    row = page.inner_text("main table.history tbody tr")
    assert "At referral" in row and "Raw 25, metric 22.35" in row
    next_due = rules.add_months(date.today(), 3)
    month = f"{next_due:%b}".replace("Sep", "Sept")  # en-GB's short month in Chromium
    assert page.inner_text("#wellbeing-due") == f"Next wellbeing check due on {next_due.day} {month} {next_due.year}."


def test_the_phones_next_due_is_the_rules(server, new_context):
    context, page = signed_in(server, new_context)
    cases = [("2026-01-01", None), ("2026-01-01", "2026-01-15"), ("2026-01-01", "2025-11-30"),
             ("2026-01-01", "2026-08-31"), ("2026-01-01", "2023-11-29"), ("2026-01-01", "2024-11-30"),
             ("2026-01-01", "2026-12-31")]
    got = page.evaluate("""async (cases) => {
        const { nextDue } = await import('/static/js/screens/wellbeing.js');
        return cases.map(([start, last]) => nextDue(start, last));
    }""", cases)
    assert got == [rules.swemwbs_next_due(date.fromisoformat(s), date.fromisoformat(last) if last else None).isoformat()
                   for s, last in cases]


def test_the_office_wellbeing_page_with_its_errors_passes_axe(server, new_context):
    from tests.e2e.test_office_accessibility import office_sign_in

    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    office_sign_in(page, server, "coordinator@demo.test")
    [(client_id,)] = db_rows(server, "select id from clients where name = 'Margaret Hill'")
    page.goto(server.url + f"/office/clients/{uuid.UUID(client_id)}")
    page.click("a:has-text('Record a wellbeing check')")
    page.wait_for_selector("h1:has-text('Wellbeing checks (SWEMWBS)')")
    page.check("#q1-3")
    page.click("button:text('Record wellbeing check')")
    page.wait_for_selector(".error-summary")
    assert "Question 2 (“I've been feeling useful”)" in page.inner_text(".error-summary")
    assert violations(page) == [], "the office wellbeing page with errors"
    page.check("label:text('At referral')")
    for question in range(2, 8):
        page.check(f"#q{question}-3")
    page.click("button:text('Record wellbeing check')")
    page.wait_for_selector("text=Wellbeing check recorded: raw score 21, metric score 19.25.")
    assert violations(page) == [], "the client record with a wellbeing check"
