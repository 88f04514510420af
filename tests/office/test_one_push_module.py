"""The office's alerts and the field app's reminders subscribe to Web Push
through one copy of the code, in the field app's /static/js/reminders.js
(already in the app shell, precached and preloaded), which the office's
/static/office/alerts.js imports: no second copy to drift apart."""
import re
from pathlib import Path

from app.fieldapp.shell import Shell, startup_urls

STATIC = Path(__file__).resolve().parents[2] / "static"
# What only subscribing code says.
SUBSCRIBE_CODE = ("pushManager.subscribe", "pushManager.getSubscription", "requestPermission",
                  "/api/webpush/subscriptions", "fromBase64Url", "/api/webpush/key")


def test_the_subscribe_code_is_in_one_file_that_both_load():
    holders = sorted(str(p.relative_to(STATIC)) for p in STATIC.rglob("*.js")
                     if any(code in p.read_text() for code in SUBSCRIBE_CODE))
    assert holders == ["js/reminders.js"]
    alerts = (STATIC / "office" / "alerts.js").read_text()
    assert re.search(r"^import \{ pushState, subscribe, unsubscribe \} from '/static/js/reminders\.js';$", alerts, re.M)


def test_the_shared_code_is_in_the_field_apps_shell():
    shell = Shell.build(STATIC)
    assert "/static/js/reminders.js" in startup_urls(shell.contents)  # precached: it works offline


def test_the_shared_code_is_served_to_the_office_too(client):
    # The office pages load it by this address (the browser tests in
    # tests/e2e/test_office_alerts.py turn alerts on through it).
    response = client.get("/static/js/reminders.js")
    assert response.status_code == 200 and "export async function subscribe" in response.get_data(as_text=True)
