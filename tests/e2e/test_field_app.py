"""The field app in real Chromium: install, offline, outbox, two mentors, failures."""
import json
import sqlite3
import time
import urllib.request

from tests.e2e.conftest import sign_in, wait_service_worker


def db_rows(server, sql, *params):
    path = server.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def status(page):
    return page.inner_text("#sync-status")


def wait_status(page, pattern, timeout=15000):
    try:
        page.wait_for_function("(p) => new RegExp(p).test(document.getElementById('sync-status').textContent)",
                               arg=pattern, timeout=timeout)
    except Exception:
        page.screenshot(path="/tmp/wait_status_failure.png")
        raise AssertionError(f"sync status never matched {pattern!r}: {page.inner_text('body')[:300]!r}") from None


def open_first_client(page, name="Margaret Hill"):
    client_id = page.evaluate("""async (name) => {
        const { listRecords } = await import('/static/js/store.js');
        return (await listRecords('client', (c) => c.data.name === name))[0].id;
    }""", name)
    page.goto(page.url.split("#")[0] + f"#/client/{client_id}")
    page.wait_for_selector(f"h1:text-is('{name} (Maggie)'), h1:text-is('{name}')")


def first_visit_id(page):
    return page.evaluate("""async () => {
        const { listRecords } = await import('/static/js/store.js');
        const visits = await listRecords('visit');
        return visits.sort((a, b) => a.data.scheduled_start.localeCompare(b.data.scheduled_start))[0].id;
    }""")


def test_first_load_installs_the_service_worker_and_caches_the_shell(server, new_context):
    page = new_context().new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    wait_service_worker(page)
    cached = page.evaluate("""async () => {
        const names = await caches.keys();
        const cache = await caches.open(names.find((n) => n.startsWith('shell-')));
        return (await cache.keys()).map((r) => new URL(r.url).pathname);
    }""")
    assert "/" in cached and "/static/js/app.js" in cached and "/manifest.webmanifest" in cached
    assert not any(path.startswith("/api/") for path in cached)
    manifest = json.loads(urllib.request.urlopen(server.url + "/manifest.webmanifest").read())
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    assert errors == []


def test_offline_reload_still_shows_todays_visits(server, new_context):
    context = new_context()
    page = context.new_page()
    sign_in(page, server, "amira@demo.test")
    wait_service_worker(page)
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("h1:text('Your visits')")
    assert "Margaret Hill" in page.inner_text("main") and "George Turner" in page.inner_text("main")
    # API answers are never in Cache Storage.
    assert page.evaluate("""async () => {
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) if (request.url.includes('/api/')) return false;
        }
        return true;
    }""")


def test_entries_made_offline_survive_closing_the_browser_and_sync_once(server, persistent_context):
    context = persistent_context()
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, server, "ben@demo.test")
    wait_service_worker(page)
    context.set_offline(True)

    open_first_client(page)
    page.click("a:text('Plan a visit')")
    page.fill("#f-scheduled_start", "2026-12-03T14:00")
    page.fill("#f-location", "Community centre")
    page.click("button:text('Save visit')")
    page.wait_for_selector("h1:has-text('Visit to')")
    open_first_client(page)
    page.click("a:text('Set a new goal')")
    page.fill("#f-title", "Phone her sister every Sunday")
    page.click("button:text('Save goal')")
    page.wait_for_selector("h2:text('Goals')")
    wait_status(page, "1 visit and 1 goal waiting to send")
    # No signal at all: the server is out of reach for the page and for the
    # service worker's Background Sync alike (Chromium's offline emulation does
    # not cover service workers).
    server.stop()
    context.close()

    context = persistent_context(offline=True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(server.url + "/")
    page.wait_for_selector("h1:text('Your visits')")
    wait_status(page, "1 visit and 1 goal waiting to send")
    assert db_rows(server, "select count(*) from goals where title = ?", "Phone her sister every Sunday") == [(0,)]

    server.start()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_status(page, "All sent")
    assert db_rows(server, "select count(*) from goals where title = ?", "Phone her sister every Sunday") == [(1,)]
    assert db_rows(server, "select count(*) from visits where location = ?", "Community centre") == [(1,)]


def show(page, route):
    """Open a screen afresh (going home first, so the screen is rendered anew)."""
    base = page.url.split("#")[0]
    page.goto(base + "#/")
    page.wait_for_selector("h1:text('Your visits')")
    page.goto(base + route)


def edit_visit(page, visit_id, **fields):
    show(page, f"#/visit/{visit_id}")
    page.wait_for_selector("h1:has-text('Visit to')")
    for name, value in fields.items():
        page.fill(f"#f-{name}", value)
    page.click("button:text('Save visit record')")
    page.wait_for_selector("h1:has-text('Visit to')")


def sync(page):
    return page.evaluate("async () => (await import('/static/js/app.js')).requestSync()")


def two_mentors(server, new_context):
    a_ctx, b_ctx = new_context(), new_context()
    a, b = a_ctx.new_page(), b_ctx.new_page()
    sign_in(a, server, "amira@demo.test")
    sign_in(b, server, "ben@demo.test")
    return a_ctx, a, b_ctx, b


def both_edit_offline_then_sync(server, new_context, amira_fields, ben_fields):
    """Amira and Ben edit the same visit with no signal, then both sync."""
    a_ctx, a, b_ctx, b = two_mentors(server, new_context)
    visit_id = first_visit_id(a)
    a_ctx.set_offline(True)
    b_ctx.set_offline(True)
    edit_visit(a, visit_id, **amira_fields)
    edit_visit(b, visit_id, **ben_fields)
    a_ctx.set_offline(False)
    b_ctx.set_offline(False)
    for page in (a, b, a):
        assert sync(page)["outcome"] == "synced"
    return a, b, visit_id


def test_two_mentors_edit_different_fields_offline_both_kept(server, new_context):
    a, b, visit_id = both_edit_offline_then_sync(
        server, new_context, {"notes": "Talked about the lunch club"}, {"location": "Church hall"})
    for page in (a, b):
        show(page, f"#/visit/{visit_id}")
        page.wait_for_selector("#f-notes")
        assert page.input_value("#f-notes") == "Talked about the lunch club"
        assert page.input_value("#f-location") == "Church hall"
    assert db_rows(server, "select notes, location from visits where id = ?", visit_id.replace("-", "")) == [
        ("Talked about the lunch club", "Church hall")]
    assert db_rows(server, "select count(*) from sync_conflicts") == [(0,)]


def test_same_field_conflict_shows_on_both_and_one_resolution_converges_both(server, new_context):
    a, b, visit_id = both_edit_offline_then_sync(
        server, new_context, {"notes": "Amira: she seemed brighter"}, {"notes": "Ben: tired, but came to the door"})
    for page in (a, b):
        show(page, "#/conflicts")
        page.wait_for_selector("text=Notes: changed on both phones")
        assert page.text_content("#nav-conflicts") == "To check: 1"
    [(saved,)] = db_rows(server, "select notes from visits where id = ?", visit_id.replace("-", ""))
    [(other,)] = db_rows(server, "select mine from sync_conflicts")
    assert {saved, json.loads(other)} == {"Amira: she seemed brighter", "Ben: tired, but came to the door"}
    # Ben chooses the version that was not saved; both phones end with it.
    b.click("button:text-matches('^Use (your|.*’s) version')")
    b.wait_for_selector("text=will be saved.")
    assert sync(b)["outcome"] == "synced"
    assert sync(a)["outcome"] == "synced"
    for page in (a, b):
        show(page, "#/conflicts")
        page.wait_for_selector("text=Nothing to check")
        show(page, f"#/visit/{visit_id}")
        page.wait_for_selector("#f-notes")
        assert page.input_value("#f-notes") == json.loads(other)


def queue_goals(page, count, client_name="Margaret Hill"):
    return page.evaluate("""async ([count, name]) => {
        const { listRecords, saveLocal } = await import('/static/js/store.js');
        const [client] = await listRecords('client', (c) => c.data.name === name);
        for (let i = 0; i < count; i++) {
            await saveLocal('goal', crypto.randomUUID(), 'create', { client_id: client.id, title: `Queued goal ${i}` });
        }
    }""", [count, client_name])


def signed_in_offline_with_queued_goals(server, new_context, count):
    """Amira's phone, signed in, with no signal and ``count`` goals waiting."""
    context = new_context()
    page = context.new_page()
    sign_in(page, server, "amira@demo.test")
    context.set_offline(True)
    queue_goals(page, count)
    return context, page


def test_server_stopped_mid_sync_loses_and_duplicates_nothing(server, new_context):
    context, page = signed_in_offline_with_queued_goals(server, new_context, 400)
    context.set_offline(False)
    page.evaluate("() => { import('/static/js/app.js').then((m) => m.requestSync()); }")
    time.sleep(0.15)
    server.stop()  # killed while the push is on its way or being applied
    wait_status(page, "waiting to send|All sent")
    server.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sync(page)["outcome"] != "synced":
        time.sleep(0.3)
    wait_status(page, "All sent")
    assert db_rows(server, "select count(*), count(distinct title) from goals where title like 'Queued goal %'") == [(400, 400)]


def test_session_expired_while_offline_sign_in_again_then_the_queue_drains(server, new_context):
    context, page = signed_in_offline_with_queued_goals(server, new_context, 3)
    # Meanwhile the phone's sign-in runs out (not revoked: that would wipe it).
    db_rows(server, "update sign_ins set ended_at = started_at, end_reason = 'expired' "
            "where user_id = (select id from users where email = ?)", "amira@demo.test")
    context.set_offline(False)
    assert sync(page)["outcome"] == "signed-out"
    wait_status(page, "Signed out. 3 goals waiting to send")
    page.click("#sync-status a:text('Sign in again')")
    page.wait_for_selector("text=3 goals are safe on this phone")
    page.fill("#f-email", "amira@demo.test")
    page.fill("#f-password", "test-demo-password")
    page.click("button:text('Sign in')")
    wait_status(page, "All sent")
    assert db_rows(server, "select count(*) from goals where title like 'Queued goal %'") == [(3,)]


def test_sign_out_warns_when_entries_wait_then_wipes_the_phone(server, new_context):
    context, page = signed_in_offline_with_queued_goals(server, new_context, 1)
    page.goto(server.url + "/#/settings")
    page.click("button:text('Sign out')")
    page.wait_for_selector("text=1 goal has not reached the office yet.")
    page.click("button:text('Sign out and delete them')")
    page.wait_for_selector("h1:text('Sign in')")
    assert page.evaluate("async () => (await indexedDB.databases()).length === 0 || "
                         "(await (await import('/static/js/store.js')).listRecords('client')).length === 0")


def test_works_at_320_pixels_wide(server, new_context):
    context = new_context()
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, server, "amira@demo.test")
    for route in ("#/", f"#/visit/{first_visit_id(page)}", "#/settings"):
        page.goto(server.url + "/" + route)
        page.wait_for_selector("main h1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_a_new_version_is_offered_and_activates_on_request(server_with_copied_static, new_context):
    server, static_dir = server_with_copied_static
    page = new_context().new_page()
    sign_in(page, server, "amira@demo.test")
    wait_service_worker(page)
    before = page.evaluate("caches.keys()")
    (static_dir / "app.css").write_text((static_dir / "app.css").read_text() + "\n/* a new version */\n")
    server.stop()
    server.start()
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
    page.wait_for_selector("#update-banner:not([hidden])")
    page.click("button:text('Use the new version')")
    page.wait_for_function("(old) => caches.keys().then((k) => k.length === 1 && k[0] !== old[0])", arg=before, timeout=15000)
    page.wait_for_selector("h1:text('Your visits')")


def test_coordinators_are_sent_to_the_office(server, new_context):
    page = new_context().new_page()
    page.goto(server.url + "/")
    page.fill("#f-email", "coordinator@demo.test")
    page.fill("#f-password", "test-demo-password")
    page.click("button:text('Sign in')")
    page.wait_for_selector(".error-summary")
    assert "office pages" in page.inner_text(".error-summary")
    assert page.evaluate("async () => (await (await import('/static/js/store.js')).listRecords('client')).length") == 0


def test_a_client_moved_to_another_pair_is_wiped_from_the_phone(server, new_context, tmp_path):
    from sqlalchemy import select

    from app import create_app
    from app.accounts.services import find_by_email
    from app.clients.models import Client
    from app.clients.services import assign_client
    from app.volunteers.models import MentorPair

    page = new_context().new_page()
    sign_in(page, server, "amira@demo.test")
    assert "George Turner" in page.inner_text("main")

    office = create_app({"APP_ENV": "testing", "DATABASE_URL": server.database_url, "SECRET_KEY": "x" * 40,
                         "INSTANCE_PATH": tmp_path / "office"})
    session = office.extensions["database"]["sessionmaker"]()
    george = session.scalar(select(Client).where(Client.name == "George Turner"))
    south = session.scalar(select(MentorPair).where(MentorPair.name == "South"))
    george_id = str(george.id)
    assign_client(session, george, south, find_by_email(session, "coordinator@demo.test"))
    session.commit()
    session.close()
    office.extensions["database"]["engine"].dispose()

    assert sync(page)["outcome"] == "synced"
    left = page.evaluate("""async () => {
        const { listRecords } = await import('/static/js/store.js');
        const all = [...await listRecords('client'), ...await listRecords('visit'), ...await listRecords('goal')];
        return all.map((r) => r.data.name || r.data.client_id);
    }""")
    assert george_id not in left and "George Turner" not in left
    show(page, "#/")
    assert "George Turner" not in page.inner_text("main")
