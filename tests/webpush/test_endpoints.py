"""The Web Push address check (app/webpush/endpoints.py) and the sender's
refusal to follow redirects: the server must never be steered into sending
to an address of the attacker's choosing (SSRF)."""
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from app.webpush.endpoints import endpoint_problem
from app.webpush.sender import send
from tests.webpush.test_subscriptions_api import Browser, WebPushService

SERVICES = ("fcm.googleapis.com", "push.services.mozilla.com", "web.push.apple.com")


@pytest.mark.parametrize("url", [
    "https://fcm.googleapis.com/fcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/abc",
    "https://web.push.apple.com/QAbc",
])
def test_real_web_push_addresses_are_taken(url):
    assert endpoint_problem(url, SERVICES) is None


@pytest.mark.parametrize("url", [
    "https://127.0.0.1\\@fcm.googleapis.com/fcm/send/abc",  # parsers disagree on the host
    "https://127.0.0.1@fcm.googleapis.com/fcm/send/abc",  # user-info
    "https://user:pw@fcm.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com:8443/fcm/send/abc",  # an explicit port
    "https://fcm.googleapis.com:443/fcm/send/abc",
    "http://fcm.googleapis.com/fcm/send/abc",  # not https
    "https://fcm.googleapis.com.evil.test/fcm/send",  # not the service
    "https://evil.test/fcm.googleapis.com",
    "https://fcm.googleapis.com/fcm send/abc",  # a space
    "https://fcm.googleapis.com/\x00abc",
    "https://[::1]/fcm/send",
    "https:///fcm.googleapis.com",
    "fcm.googleapis.com/fcm/send/abc",
])
def test_addresses_that_could_reach_elsewhere_are_refused(url):
    assert endpoint_problem(url, SERVICES) is not None


def test_a_development_service_on_an_allowed_plain_http_host_may_name_its_port():
    assert endpoint_problem("http://127.0.0.1:8123/push/1", ("127.0.0.1",), ("127.0.0.1",)) is None
    assert endpoint_problem("http://127.0.0.1:8123/push/1", ("127.0.0.1",), ()) is not None


def test_the_subscription_api_refuses_the_ambiguous_address(api, demo):
    browser = Browser("https://127.0.0.1\\@fcm.googleapis.com/fcm/send/abc")
    response = api("amira@demo.test").post("/api/webpush/subscriptions", json=browser.subscription)
    assert response.status_code == 422 and "endpoint" in response.get_json()["error"]["fields"]


class Redirector:
    """A 'push service' that answers every message with a redirect elsewhere."""

    def __init__(self, to):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(307)
                self.send_header("Location", to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_redirect_is_never_followed_and_counts_as_a_failure(app):
    inside = WebPushService()  # stands for an internal address the redirect points at
    redirector = Redirector(inside.url + "/internal")
    try:
        with app.app_context():
            browser = Browser(redirector.url + "/push/1")
            result = send(browser.subscription, {"title": "x"}, vapid_key=app.extensions["vapid"]["key"],
                          subject="mailto:office@example.org", ttl=60, timeout=5)
        assert inside.received == []
        assert not result.ok and result.status == 307 and result.detail == "Web Push service answered 307"
    finally:
        redirector.close()
        inside.close()


def test_an_ambiguous_address_stored_earlier_is_never_sent_to_and_forgotten(app):
    inside = WebPushService()
    try:
        with app.app_context():
            browser = Browser(inside.url.replace("http://", "http://x\\@") + "/push/1")
            result = send(browser.subscription, {"title": "x"}, vapid_key=app.extensions["vapid"]["key"],
                          subject="mailto:office@example.org", ttl=60, timeout=5)
        assert inside.received == [] and result.gone and not result.ok
    finally:
        inside.close()
