"""Deleting a mistaken entry (with Undo while it waits), the progress history
of a goal, and the partner's name."""
import time

from tests.e2e.test_field_app import db_rows, open_first_client, show, sync, wait_status
from tests.e2e.test_visit_journey import signed_in


def goal_id(page, title="Walk to the corner shop with the pair, then alone."):
    return page.evaluate("""async (title) => {
        const { listRecords } = await import('/static/js/store.js');
        const goals = await listRecords('goal');
        return (goals.find((g) => g.data.title === title) || goals[0]).id;
    }""", title)


def record_progress(page, goal, score, note):
    show(page, f"#/progress/new/{goal}")
    page.wait_for_selector("h1:has-text('Progress on')")
    page.check(f"#f-score{'' if score == 0 else f'-{score}'}")
    page.fill("#f-note", note)
    page.check("label:text('Not at a visit')")
    page.click("button:text('Save progress')")
    page.wait_for_selector(".notice:has-text('Progress entry saved.')")


def test_a_goal_shows_every_progress_entry_over_time_with_a_chart_and_its_numbers(server, new_context):
    context, page = signed_in(server, new_context)
    goal = goal_id(page)
    record_progress(page, goal, 3, "Went out once")
    record_progress(page, goal, 6, "Went out twice and met a neighbour")
    assert page.url.endswith(f"#/goal/{goal}")
    rows = page.locator("table.history tbody tr")
    assert rows.count() == 2
    assert "3 out of 10" in rows.nth(0).inner_text() and "Went out once" in rows.nth(0).inner_text()
    assert "6 out of 10" in rows.nth(1).inner_text()
    chart = page.locator("svg.chart")
    assert chart.locator("circle").count() == 2
    assert "3, 6 out of 10" in chart.get_attribute("aria-label")
    wait_status(page, "All sent")
    assert sorted(r[0] for r in db_rows(server, "select score from progress_entries where recorded_at is not null")) == [3, 6]


def test_a_deleted_goal_can_be_undone_while_it_waits_and_nothing_is_sent(server, new_context):
    context, page = signed_in(server, new_context)
    goal = goal_id(page)
    record_progress(page, goal, 4, "A first step")
    wait_status(page, "All sent")
    context.set_offline(True)
    show(page, f"#/goal/{goal}")
    page.click("button:text('Delete this goal')")
    page.wait_for_selector("text=Its progress entry is deleted with it")
    assert page.evaluate("document.activeElement.textContent") == "Keep it"
    page.click("button:text('Delete goal')")
    page.wait_for_selector(".notice:has-text('Goal deleted.')")
    assert "Walk to the corner shop" not in page.inner_text("main ul.list")
    page.click(".notice button:text('Undo')")
    page.wait_for_selector(".notice:has-text('Goal restored.')")
    open_first_client(page)
    assert "Walk to the corner shop" in page.inner_text("main")
    context.set_offline(False)
    assert sync(page)["outcome"] == "synced"
    wait_status(page, "All sent")
    assert db_rows(server, "select count(*) from goals where deleted_at is not null") == [(0,)]
    assert db_rows(server, "select count(*) from progress_entries where deleted_at is not null") == [(0,)]


def test_a_deleted_visit_is_sent_as_a_tombstone_after_the_undo_time(server, new_context):
    context, page = signed_in(server, new_context)
    open_first_client(page)
    page.click("main ul.list a[href^='#/visit/']")
    page.wait_for_selector("h1:has-text('Visit to')")
    visit_id = page.url.split("/")[-1]
    page.click("button:text('Delete this visit')")
    page.click("button:text('Delete visit')")
    page.wait_for_selector(".notice:has-text('Visit deleted.')")
    wait_status(page, "1 visit waiting to send")  # held for Undo, even online
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and db_rows(server, "select deleted_at from visits where id = ?", visit_id.replace("-", ""))[0][0] is None:
        time.sleep(0.5)
    assert db_rows(server, "select deleted_at is not null from visits where id = ?", visit_id.replace("-", "")) == [(1,)]
    wait_status(page, "All sent")
    page.click(".notice button:text('Undo')")
    page.wait_for_selector(".notice:has-text('already been sent to the office')")


def test_the_mentor_sees_who_they_visit_with(server, new_context):
    context, page = signed_in(server, new_context)
    assert "You visit with Ben Walker (pair North)." in page.inner_text("main")
