"""A lost phone, revoked by the office (issue 12): at its next contact it
deletes everything it holds about clients, says how many unsent entries went
with it, and the volunteer's other phone carries on."""
from tests.e2e.conftest import sign_in, wait_service_worker
from tests.e2e.test_field_app import db_rows, queue_goals, sync, wait_status


def newest_sign_in(server, email):
    [(row_id,)] = db_rows(server, "select id from sign_ins where user_id = (select id from users where email = ?) "
                                  "order by started_at desc limit 1", email)
    return row_id


def test_a_revoked_phone_wipes_itself_and_says_what_was_lost(server, new_context):
    lost_context, other_context = new_context(), new_context()
    lost, other = lost_context.new_page(), other_context.new_page()
    sign_in(lost, server, "amira@demo.test")
    wait_service_worker(lost)
    lost_id = newest_sign_in(server, "amira@demo.test")
    sign_in(other, server, "amira@demo.test")
    assert "Margaret Hill" in lost.inner_text("main")

    lost_context.set_offline(True)
    queue_goals(lost, 2)
    db_rows(server, "update sign_ins set ended_at = started_at, end_reason = 'revoked' where id = ?", lost_id)
    lost_context.set_offline(False)  # the signal is back: the app syncs by itself

    lost.wait_for_selector("h1:text('This phone has been signed out')")
    text = lost.inner_text("main")
    assert "2 goals had not reached the office and were deleted too" in text
    assert "Margaret Hill" not in lost.inner_text("body")
    assert lost.is_hidden("#nav") and lost.is_hidden("#sync-status")
    left = lost.evaluate("""async () => ({
        databases: (await indexedDB.databases()).map((d) => d.name),
        caches: await caches.keys(),
        workers: (await navigator.serviceWorker.getRegistrations()).length,
    })""")
    assert left == {"databases": [], "caches": [], "workers": 0}
    assert not [c for c in lost_context.cookies() if c["name"] in ("session", "remember_token")]

    lost.click("a:text('Sign in again')")
    lost.wait_for_selector("h1:text('Sign in')")
    # The other phone was not revoked, and nothing it sends is lost.
    assert sync(other)["outcome"] == "synced"
    wait_status(other, "All sent")
    assert db_rows(server, "select count(*) from goals where title like 'Queued goal %'") == [(0,)]
