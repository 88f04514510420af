"""A coordinator turns on alerts of urgent concerns in the office, in Chromium."""
from tests.conftest import DEMO_PASSWORD


def office_home(server, new_context, notifications=True, init_script=None):
    context = new_context()
    if notifications:
        context.grant_permissions(["notifications"], origin=server.url)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(server.url + "/sign-in")
    page.fill("#email", "coordinator@demo.test")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_selector("h1:has-text('Clients')")
    page.wait_for_selector("[data-alerts=section][data-state]")  # the script ran
    return page, errors


def test_turning_on_alerts_registers_the_service_worker_and_says_when_the_push_service_cannot_be_reached(
        server, new_context):
    page, errors = office_home(server, new_context)
    assert page.get_attribute("[data-alerts=section]", "data-state") == "off"
    page.click("button:text('Turn on alerts')")
    # Headless Chromium here has no route to a browser push service, so
    # subscribing fails: the coordinator is told, and can try again.
    page.wait_for_selector("[role=status]:has-text('That did not work')", timeout=25000)
    assert page.is_visible("button:text('Turn on alerts')")
    assert page.evaluate("async () => (await navigator.serviceWorker.getRegistration('/')).scope") == server.url + "/"
    assert errors == []


def test_turning_on_alerts_shows_it_is_busy_ignores_a_second_click_and_gives_up_with_a_message(server, new_context):
    page, errors = office_home(server, new_context)
    page.clock.install()
    # A push service that never answers.
    page.evaluate("() => { PushManager.prototype.subscribe = () => new Promise(() => {}); }")
    page.click("button:text('Turn on alerts')")
    page.wait_for_selector("button[aria-busy=true]:text('Turning on alerts…')")
    page.click("button[aria-busy=true]")  # a second, impatient click
    page.wait_for_selector("[role=status]:text('Turning on alerts… Please wait.')")
    page.clock.run_for(21_000)
    page.wait_for_selector("text=The browser did not answer within 20 seconds")
    assert page.is_visible("button:text('Turn on alerts')")
    assert page.get_attribute("button:text('Turn on alerts')", "aria-busy") is None
    assert errors == []


def test_a_browser_that_cannot_do_push_says_so(server, new_context):
    page, errors = office_home(server, new_context, init_script="delete window.PushManager;")
    page.wait_for_selector("[role=status]:has-text('This browser cannot show alerts')")
    assert not page.is_visible("button:text('Turn on alerts')")
    assert errors == []


def test_blocked_notifications_say_how_to_allow_them(server, new_context):
    page, errors = office_home(server, new_context, notifications=False,
                               init_script="Object.defineProperty(Notification, 'permission', { get: () => 'denied' });")
    page.wait_for_selector("[role=status]:has-text('Alerts are blocked for this site')")
    assert errors == []


def alert_shown(server, new_context, concern_id="00000000-0000-4000-8000-000000000001"):
    """The office home page with alerts turned on (the service worker
    registered), and an urgent-concern alert shown from the server's own payload."""
    from app.reminders.urgent import alert_payload
    from tests.e2e.test_service_worker import deliver_push

    page, errors = office_home(server, new_context)
    page.click("button:text('Turn on alerts')")  # registers /sw.js, then cannot reach a push service
    page.wait_for_selector("[role=status]:has-text('That did not work')", timeout=25000)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    shown = deliver_push(server, page.context, page, alert_payload(concern_id))
    return page, errors, shown


def field_app_window(server, context):
    """The field app open in another window of the same browser, focused last."""
    field = context.new_page()
    field.goto(server.url + "/")
    field.wait_for_selector("h1")
    field.bring_to_front()
    return field


def test_an_alert_shows_without_personal_data_and_a_click_opens_the_concern_in_the_open_office_page(
        server, new_context):
    from tests.e2e.test_service_worker import tap_notification

    concern_id = "00000000-0000-4000-8000-000000000001"
    page, errors, shown = alert_shown(server, new_context, concern_id)
    assert shown == {"title": "Urgent safeguarding concern",
                     "body": "An urgent concern has been raised - open the safeguarding list",
                     "tag": f"concern-{concern_id}", "url": f"/office/safeguarding/{concern_id}"}
    # The service worker's own click handler (tests/e2e/test_service_worker.py, TAP).
    assert tap_notification(page.context) == {"outcome": "done", "opened": [], "left": 0}
    page.wait_for_url(f"**/office/safeguarding/{concern_id}")  # (a 404 page here: no such concern in the demo)
    assert errors == []


def test_a_click_on_an_alert_goes_to_the_office_page_not_to_a_field_app_window_focused_later(server, new_context):
    from tests.e2e.test_service_worker import tap_notification

    concern_id = "00000000-0000-4000-8000-000000000002"
    page, errors, shown = alert_shown(server, new_context, concern_id)
    field = field_app_window(server, page.context)
    field_url = field.url
    assert tap_notification(page.context) == {"outcome": "done", "opened": [], "left": 0}
    page.wait_for_url(f"**/office/safeguarding/{concern_id}")
    field.wait_for_timeout(500)
    assert field.url == field_url  # the field app was not sent the office's address
    assert errors == []


def test_a_click_on_an_alert_with_only_the_field_app_open_opens_a_new_office_window(server, new_context):
    """With no office page open, the handler opens a new window at the
    concern (clients.openWindow, which headless Chromium refuses for a
    script-made click: the address it was given is what is checked), and the
    field app's window is left alone."""
    from tests.e2e.test_service_worker import NOT_ALLOWED, tap_notification

    concern_id = "00000000-0000-4000-8000-000000000003"
    page, errors, shown = alert_shown(server, new_context, concern_id)
    context = page.context
    field = field_app_window(server, context)
    field_url = field.url
    page.close()
    assert tap_notification(context) == {"outcome": NOT_ALLOWED, "opened": [f"/office/safeguarding/{concern_id}"],
                                         "left": 0}
    field.wait_for_timeout(500)
    assert field.url == field_url
    assert errors == []
