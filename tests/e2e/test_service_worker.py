"""The service worker beyond the shell: push notifications, reminder settings, Background Sync."""
import json

from tests.e2e.conftest import sign_in, wait_service_worker
from tests.e2e.test_field_app import show


def signed_in_with_notifications(server, new_context):
    context = new_context()
    context.grant_permissions(["notifications"], origin=server.url)
    page = context.new_page()
    sign_in(page, server, "amira@demo.test")
    wait_service_worker(page)
    return context, page


def test_settings_offer_reminders_and_say_so_when_the_push_service_cannot_be_reached(server, new_context):
    context, page = signed_in_with_notifications(server, new_context)
    show(page, "#/settings")
    page.wait_for_selector("text=Turn on notifications to get reminders of your visits")
    # Headless Chromium here has no route to a browser push service, so
    # subscribing fails: the person is told, and nothing else breaks.
    page.click("button:text('Turn on notifications')")
    page.wait_for_selector("text=That did not work")
    assert page.is_visible("button:text('Turn on notifications')")


def test_turning_on_notifications_shows_it_is_busy_ignores_a_second_tap_and_gives_up_with_a_message(server, new_context):
    context, page = signed_in_with_notifications(server, new_context)
    page.clock.install()
    # A push service that never answers (as one did for 60 s in a real trial).
    page.evaluate("() => { PushManager.prototype.subscribe = () => new Promise(() => {}); }")
    show(page, "#/settings")
    button = page.locator("button:text('Turn on notifications')")
    button.click()
    page.wait_for_selector("button[aria-busy=true]:text('Turning on notifications…')")
    page.click("button[aria-busy=true]")  # a second, impatient tap
    page.wait_for_selector("[role=status]:text('Turning on notifications… Please wait.')")
    page.clock.run_for(21_000)
    page.wait_for_selector("text=The phone did not answer within 20 seconds")
    assert page.is_visible("button:text('Turn on notifications')")


def test_a_push_message_shows_a_notification_without_personal_data(server, new_context):
    context, page = signed_in_with_notifications(server, new_context)
    message = {"type": "visit", "title": "Visit reminder", "body": "You have a visit in 1 hour. Open the app to see it.", "url": "/#/"}
    shown = deliver_push(server, context, page, message)
    assert shown == {"title": "Visit reminder", "body": message["body"], "tag": "visit", "url": "/#/"}


def deliver_push(server, context, page, message):
    """Deliver a push message through DevTools; the notification it shows."""
    cdp, registration_id = service_worker_registration_id(context, page)
    cdp.send("ServiceWorker.deliverPushMessage",
             {"origin": server.url, "registrationId": registration_id, "data": json.dumps(message)})
    for _ in range(100):
        shown = page.evaluate("""async () => {
            const [n] = await (await navigator.serviceWorker.getRegistration()).getNotifications();
            return n ? { title: n.title, body: n.body, tag: n.tag, url: n.data.url } : null;
        }""")
        if shown:
            return shown
        page.wait_for_timeout(100)
    raise AssertionError("no notification was shown")


def service_worker_registration_id(context, page):
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    return cdp, registrations[0]["registrationId"]


def test_background_sync_in_the_service_worker_sends_the_outbox(server, new_context):
    from tests.e2e.test_field_app import db_rows, queue_goals

    context = new_context()
    page = context.new_page()
    sign_in(page, server, "ben@demo.test")
    wait_service_worker(page)
    queue_goals(page, 5)  # queued without the page syncing
    assert db_rows(server, "select count(*) from goals where title like 'Queued goal %'") == [(0,)]
    cdp, registration_id = service_worker_registration_id(context, page)
    cdp.send("ServiceWorker.dispatchSyncEvent",
             {"origin": server.url, "registrationId": registration_id, "tag": "outbox", "lastChance": False})
    for _ in range(100):
        if db_rows(server, "select count(*) from goals where title like 'Queued goal %'") == [(5,)]:
            break
        page.wait_for_timeout(100)
    assert db_rows(server, "select count(*) from goals where title like 'Queued goal %'") == [(5,)]
    assert page.evaluate("async () => (await (await import('/static/js/store.js')).counts()).waiting") == 0


# A tap on the notification the service worker shows, through its own
# 'notificationclick' handler. No browser lets a test click a notification
# (DevTools has no command for it: web-platform-tests/wpt#51125), so the tap is
# a NotificationEvent made in the worker around the notification really shown,
# dispatched to the worker's listeners: the handler's code runs as for a real
# tap. Chromium refuses waitUntil on a script-made event, so the event keeps
# the promise the handler gives it, and the test waits for it. A script-made
# event carries no user activation: focus() and clients.openWindow() are
# refused for it (a real tap allows them); the tap records the address given
# to openWindow before Chromium refuses it.
TAP = """async () => {
    const [notification] = await self.registration.getNotifications();
    if (!notification) throw new Error('no notification to tap');
    const opened = [];
    const openWindow = self.clients.openWindow.bind(self.clients);
    self.clients.openWindow = (url) => { opened.push(url); return openWindow(url); };
    class Tap extends NotificationEvent { waitUntil(promise) { this.handled = promise; } }
    const tap = new Tap('notificationclick', { notification });
    self.dispatchEvent(tap);
    let outcome = 'the handler gave no promise';
    if (tap.handled) {
        try { await tap.handled; outcome = 'done'; } catch (err) { outcome = `${err.name}: ${err.message}`; }
    }
    delete self.clients.openWindow;
    return { outcome, opened, left: (await self.registration.getNotifications()).length };
}"""
NOT_ALLOWED = "InvalidAccessError: Not allowed to open a window."


def tap_notification(context):
    """Tap the notification shown (see TAP): {outcome, opened, left}."""
    [worker] = context.service_workers
    return worker.evaluate(TAP)


def test_a_visit_reminder_shows_with_its_own_tag_and_tapping_it_opens_the_visit_with_no_signal(server, new_context):
    from datetime import datetime, timezone

    from app.reminders.schedule import payload
    from tests.e2e.test_field_app import first_visit_id

    context, page = signed_in_with_notifications(server, new_context)
    visit_id = first_visit_id(page)
    # The server's own payload for a reminder 60 minutes before.
    message = payload(visit_id, "soon", datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc), 60)
    shown = deliver_push(server, context, page, message)
    assert (shown["tag"], shown["url"]) == (f"visit-{visit_id}", f"/#/visit/{visit_id}")
    context.set_offline(True)
    tapped = tap_notification(context)
    # The open window was asked to show the visit: no new window, the notification closed.
    assert tapped == {"outcome": "done", "opened": [], "left": 0}
    page.wait_for_selector("h1:has-text('Visit to Margaret Hill')")
    assert page.url.endswith(f"#/visit/{visit_id}")


def test_tapping_a_reminder_with_no_window_open_and_no_signal_opens_the_visit_from_a_cold_start(
        server, persistent_context):
    """What is proven: with no window of the app open and no network, the
    real handler closes the notification and calls clients.openWindow with the
    visit's address (headless Chromium then refuses to open a window for a
    script-made tap); then, with the browser closed and started again, no
    network and the server down, a new window at that address, as
    clients.openWindow opens it, shows the visit from the cached shell and the
    phone's own data."""
    from datetime import datetime, timezone

    from app.reminders.schedule import payload
    from tests.e2e.conftest import wait_service_worker
    from tests.e2e.test_field_app import first_visit_id

    context = persistent_context()
    context.grant_permissions(["notifications"], origin=server.url)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, server, "amira@demo.test")
    wait_service_worker(page)
    visit_id = first_visit_id(page)
    message = payload(visit_id, "soon", datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc), 60)
    shown = deliver_push(server, context, page, message)
    for open_page in context.pages:
        open_page.close()
    server.stop()  # no signal at all (Chromium's offline emulation does not cover service workers)
    context.set_offline(True)
    assert context.pages == []
    tapped = tap_notification(context)
    assert tapped == {"outcome": NOT_ALLOWED, "opened": [shown["url"]], "left": 0}
    context.close()

    context = persistent_context(offline=True)
    cold = context.new_page()
    cold.goto(server.url + shown["url"])
    cold.wait_for_selector("h1:has-text('Visit to Margaret Hill')")
    assert cold.url.endswith(f"#/visit/{visit_id}")


def test_reminder_times_are_set_in_settings_and_a_change_made_offline_is_sent_at_the_next_sync(server, new_context):
    from tests.e2e.test_field_app import db_rows, sync

    context, page = signed_in_with_notifications(server, new_context)
    show(page, "#/settings")
    page.wait_for_selector("#f-evening_time")
    assert page.input_value("#f-evening_time") == "18:00" and page.input_value("#f-minutes_before") == "60"
    page.fill("#f-minutes_before", "3")
    page.click("button:text('Save reminder times')")
    page.wait_for_selector(".error-summary:has-text('between 5 and 1440')")
    page.fill("#f-minutes_before", "90")
    page.click("button:text('Save reminder times')")
    page.wait_for_selector(".notice:has-text('Reminder times saved.')")
    assert db_rows(server, "select minutes_before from reminder_preferences") == [(90,)]
    context.set_offline(True)
    page.fill("#f-evening_time", "19:30")
    page.click("button:text('Save reminder times')")
    page.wait_for_selector(".notice:has-text('sent when the phone has signal')")
    context.set_offline(False)
    assert sync(page)["outcome"] == "synced"
    [(evening,)] = db_rows(server, "select evening_time from reminder_preferences")
    assert str(evening).startswith("19:30")
