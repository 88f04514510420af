"""axe finds no WCAG 2.2 A/AA violations on any screen, at standard and largest text."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import sign_in
from tests.e2e.test_field_app import first_visit_id, show, sync

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
        "resultTypes": ["violations"]}


def violations(page):
    results = Axe().run(page, options=WCAG)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


def ids_for(page):
    return page.evaluate("""async () => {
        const { listRecords } = await import('/static/js/store.js');
        const [client] = await listRecords('client', (c) => c.data.name === 'Margaret Hill');
        const [goal] = await listRecords('goal', (g) => g.data.client_id === client.id);
        return { client: client.id, goal: goal.id };
    }""")


@pytest.mark.parametrize("text_size", ["default", "largest"])
def test_every_screen_passes_axe(server, new_context, text_size):
    page = new_context().new_page()
    page.goto(server.url + "/")
    page.wait_for_selector("h1:text('Sign in')")
    assert violations(page) == [], "sign-in screen"
    sign_in(page, server, "amira@demo.test")
    if text_size == "largest":
        show(page, "#/settings")
        page.check("input[name=text_size][value=largest]")
        page.click("button:text('Save text size')")
    # Something to check: a conflict from a second mentor, and a rejected entry.
    ids = ids_for(page)
    visit = first_visit_id(page)
    page.evaluate("""async ([visit]) => {
        const { saveLocal } = await import('/static/js/store.js');
        await saveLocal('progress', crypto.randomUUID(), 'create', { goal_id: crypto.randomUUID(), score: 5 });
    }""", [visit])
    sync(page)
    screens = {
        "home": "#/", "client": f"#/client/{ids['client']}", "visit": f"#/visit/{visit}",
        "new visit": f"#/visit/new/{ids['client']}", "goal": f"#/goal/{ids['goal']}",
        "new goal": f"#/goal/new/{ids['client']}", "progress": f"#/progress/new/{ids['goal']}",
        "new problem": f"#/problem/new/{ids['client']}", "concern": f"#/concern/new/{ids['client']}",
        "to check": "#/conflicts", "settings": "#/settings",
    }
    for name, route in screens.items():
        show(page, route)
        page.wait_for_selector("main h1")
        if text_size == "largest":
            assert page.evaluate("document.documentElement.classList.contains('text-largest')")
        assert violations(page) == [], name
    # A form with its error summary showing.
    show(page, f"#/goal/new/{ids['client']}")
    page.click("button:text('Save goal')")
    page.wait_for_selector(".error-summary")
    assert violations(page) == [], "goal form with errors"
    show(page, "#/conflicts")
    page.wait_for_selector("h1:text('To check')")
    assert "did not accept" in page.inner_text("main")


def test_touch_targets_are_at_least_44px(server, new_context):
    page = new_context().new_page()
    sign_in(page, server, "amira@demo.test")
    ids = ids_for(page)
    for route in ("#/", f"#/client/{ids['client']}", f"#/goal/{ids['goal']}", "#/settings"):
        show(page, route)
        page.wait_for_selector("main h1")
        small = page.evaluate("""() => [...document.querySelectorAll('a, button, input, select, textarea, summary')]
            .filter((el) => el.offsetParent !== null && !el.closest('.skip-link'))
            // A radio button is tapped through its whole row, label included.
            .map((el) => [el.outerHTML.slice(0, 60), (el.closest('.choice') || el).getBoundingClientRect()])
            .filter(([, r]) => r.height < 44 || r.width < 24)
            .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)""")
        assert small == [], route
