"""In Chromium: a mentor's urgent concern reaches the coordinator's queue, and
the acknowledgement comes back to the mentors' phones at their next sync."""
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.test_field_app import open_first_client, show, sync


def test_urgent_concern_reaches_the_queue_and_comes_back_seen_by_the_office(server, new_context):
    amira_context, amira = new_context(), None
    amira = amira_context.new_page()
    sign_in(amira, server, "amira@demo.test")
    ben = new_context().new_page()
    sign_in(ben, server, "ben@demo.test")

    open_first_client(amira)
    amira.click("a:text('Raise a safeguarding concern')")
    amira.wait_for_selector("h1:has-text('Safeguarding concern')")
    amira.check("label:text('Exploitation')")
    amira.fill("#f-details", "A new friend is taking his pension.")
    amira.check("label:has-text('Urgent')")
    amira.check("label:text('Not at a visit')")
    amira.click("button:text('Save concern')")
    amira.wait_for_selector(".notice:has-text('Concern saved')")
    assert sync(amira)["outcome"] == "synced"

    office = new_context().new_page()
    office.set_viewport_size({"width": 1024, "height": 768})
    office.goto(server.url + "/sign-in")
    office.fill("#email", "coordinator@demo.test")
    office.fill("#password", DEMO_PASSWORD)
    office.click("button:text('Sign in')")
    office.wait_for_selector("h1:has-text('Clients')")
    assert "1 urgent" in office.inner_text("section[aria-labelledby=concerns-heading]")
    office.click("nav >> a:text('Safeguarding concerns')")
    office.wait_for_selector("h1:has-text('Safeguarding concerns')")
    office.click("a:text('Urgent: Exploitation, Margaret Hill')")
    assert "A new friend is taking his pension." in office.inner_text("main")
    assert "Amira Khan" in office.inner_text("main")
    office.click("button:text('Acknowledge this concern')")
    office.wait_for_selector("[role=status]:has-text('Concern acknowledged')")

    for page in (amira, ben):
        assert sync(page)["outcome"] == "synced"
        show(page, "#/")
        open_first_client(page)
        page.wait_for_selector("#concerns + ul >> text=Seen by the office on")
