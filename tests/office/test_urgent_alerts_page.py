"""Coordinators turn on alerts of urgent concerns from the office home page."""
import re

from sqlalchemy import select

from app.webpush.models import WebPushSubscription
from tests.webpush.test_subscriptions_api import Browser
from tests.office.test_office_pages import sign_in


def test_the_home_page_offers_a_coordinator_alerts_with_a_script_file_and_no_inline_script(client, demo):
    sign_in(client, "coordinator@demo.test", demo)
    response = client.get("/office/")
    html = response.get_data(as_text=True)
    assert "Alerts on this computer" in html
    assert re.search(r'<button type="button" class="button" data-alerts="on">Turn on alerts</button>', html)
    assert 'data-alerts="message"' in html and 'role="status"' in html
    assert "disabled" not in html  # no disabled buttons
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert scripts == [""]  # one script, a file: the CSP allows no inline script
    assert '<script type="module" src="/static/office/alerts.js"></script>' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_script_registers_the_service_worker_and_subscribes_with_the_servers_key_and_token(client, demo):
    sign_in(client, "coordinator@demo.test", demo)
    response = client.get("/static/office/alerts.js")
    assert response.status_code == 200 and response.mimetype in ("text/javascript", "application/javascript")
    js = response.get_data(as_text=True)
    # Subscribing is the field app's code (one copy, tests/office/test_one_push_module.py),
    # asked to register the service worker first.
    assert "from '/static/js/reminders.js'" in js and "subscribe(api, { register: true })" in js
    shared = client.get("/static/js/reminders.js").get_data(as_text=True)
    assert "register('/sw.js',{type:'module',scope:'/'})" in shared  # served compacted, as the shell is
    js += shared
    for needed in ("'/api/webpush/key'", "'/api/webpush/subscriptions'", "'/api/session'", "'X-CSRF-Token'",
                   "Alerts are on for this computer", "This browser cannot show alerts",
                   "did not answer within", "Please wait"):
        assert needed in js, needed


def test_the_office_session_can_subscribe_through_the_api_with_its_token(client, demo, app, session):
    """What alerts.js does: the office's own session, its CSRF token from GET /api/session."""
    app.config["WEBPUSH_SERVICE_HOSTS"] = ("127.0.0.1",)
    app.config["WEBPUSH_HTTP_HOSTS"] = ("127.0.0.1",)
    sign_in(client, "coordinator@demo.test", demo)
    assert client.get("/api/webpush/key").status_code == 200
    subscription = Browser("http://127.0.0.1:9/webpush/office-desk").subscription
    assert client.post("/api/webpush/subscriptions", json=subscription).status_code == 403  # no token: refused
    token = client.get("/api/session").get_json()["csrf_token"]
    response = client.post("/api/webpush/subscriptions", json=subscription, headers={"X-CSRF-Token": token})
    assert response.status_code == 201
    owner = session.scalar(select(WebPushSubscription.user_id))
    from app.accounts.services import find_by_email

    assert owner == find_by_email(session, "coordinator@demo.test").id


def test_an_admin_is_not_offered_alerts_they_would_not_get(client, demo, app):
    from app.accounts.services import create_user
    from app.db import db
    from tests.conftest import DEMO_PASSWORD

    with app.app_context():
        create_user(db.session, email="admin@demo.test", name="Ada Admin", role="admin", password=DEMO_PASSWORD)
        db.session.commit()
    sign_in(client, "admin@demo.test", demo)
    html = client.get("/office/").get_data(as_text=True)
    assert "Turn on alerts" not in html
