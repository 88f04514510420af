"""Web Push subscriptions and sending, against a real local HTTP Web Push service."""
import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from app.webpush.models import WebPushSubscription


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class WebPushService:
    """A stand-in for FCM/Mozilla/Apple on 127.0.0.1: records what it is sent."""

    def __init__(self):
        self.received = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append((self.path, dict(self.headers), body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return  # keep test output quiet

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """The keys a browser makes for a subscription (RFC 8291)."""

    def __init__(self, endpoint):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                            serialization.PublicFormat.UncompressedPoint)
        self.auth = os.urandom(16)
        self.subscription = {"endpoint": endpoint, "expirationTime": None,
                             "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"))


@pytest.fixture
def webpush_service(app):
    service = WebPushService()
    app.config["WEBPUSH_SERVICE_HOSTS"] = ("127.0.0.1",)
    app.config["WEBPUSH_HTTP_HOSTS"] = ("127.0.0.1",)
    yield service
    service.close()


def subscriptions(session):
    session.rollback()
    return session.scalar(select(func.count()).select_from(WebPushSubscription))


def test_public_key_is_the_servers_vapid_key(api, demo, app):
    body = api("amira@demo.test").get("/api/webpush/key").get_json()
    assert body["public_key"] == app.extensions["vapid"]["public_key"]
    assert len(unb64(body["public_key"])) == 65


def test_subscribe_send_a_test_and_read_it_on_the_phone(api, demo, app, webpush_service, session):
    amira = api("amira@demo.test")
    phone = Browser(webpush_service.url + "/webpush/abc123")
    assert amira.post("/api/webpush/subscriptions", json=phone.subscription).status_code == 201
    assert amira.post("/api/webpush/subscriptions", json=phone.subscription).status_code == 201  # again: no duplicate
    assert subscriptions(session) == 1

    response = amira.post("/api/webpush/test")
    assert response.get_json() == {"sent": 1, "gone": 0, "failed": 0}
    [(path, headers, body)] = webpush_service.received
    assert path == "/webpush/abc123"
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers["content-encoding"] == "aes128gcm" and headers["ttl"] == "900"
    message = phone.decrypt(body)
    assert message["type"] == "test"
    assert "Margaret" not in json.dumps(message) and "Amira" not in json.dumps(message)  # no personal data

    scheme, _, params = headers["authorization"].partition(" ")
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    assert scheme == "vapid" and parts["k"] == app.extensions["vapid"]["public_key"]
    claims = json.loads(unb64(parts["t"].split(".")[1]))
    assert claims["aud"] == webpush_service.url and claims["sub"] == app.config["VAPID_SUBJECT"]
    assert 0 < claims["exp"] - time.time() <= 24 * 3600
    assert_signed_by(parts["t"], parts["k"])


def assert_signed_by(token: str, public_key: str) -> None:
    """The VAPID JWT (RFC 8292) is ES256-signed by the server's key: the
    Web Push service would refuse it otherwise."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    header, payload, signature = token.split(".")
    assert json.loads(unb64(header))["alg"] == "ES256"
    raw = unb64(signature)
    assert len(raw) == 64
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if not


def test_a_subscription_the_webpush_service_says_is_gone_is_forgotten(api, demo, webpush_service, session):
    amira = api("amira@demo.test")
    amira.post("/api/webpush/subscriptions", json=Browser(webpush_service.url + "/webpush/old").subscription)
    webpush_service.status = 410
    assert amira.post("/api/webpush/test").get_json() == {"sent": 0, "gone": 1, "failed": 0}
    assert subscriptions(session) == 0


def test_an_unreachable_webpush_service_is_a_failure_not_an_error(api, demo, webpush_service, session):
    amira = api("amira@demo.test")
    amira.post("/api/webpush/subscriptions", json=Browser("http://127.0.0.1:9/webpush/x").subscription)
    assert amira.post("/api/webpush/test").get_json() == {"sent": 0, "gone": 0, "failed": 1}
    assert subscriptions(session) == 1


def test_unsubscribe(api, demo, webpush_service, session):
    amira = api("amira@demo.test")
    phone = Browser(webpush_service.url + "/webpush/abc")
    amira.post("/api/webpush/subscriptions", json=phone.subscription)
    assert api("ben@demo.test").delete("/api/webpush/subscriptions", json={"endpoint": phone.subscription["endpoint"]}).status_code == 204
    assert subscriptions(session) == 1  # not Ben's to remove
    assert amira.delete("/api/webpush/subscriptions", json={"endpoint": phone.subscription["endpoint"]}).status_code == 204
    assert subscriptions(session) == 0
    assert amira.post("/api/webpush/test").status_code == 404


@pytest.mark.parametrize("endpoint", ["https://evil.example/webpush", "http://fcm.googleapis.com/x", "ftp://127.0.0.1/x",
                                      "http://127.0.0.1.evil.example/x", "not a url"])
def test_only_webpush_services_can_be_subscribed(api, demo, webpush_service, session, endpoint):
    amira = api("amira@demo.test")
    response = amira.post("/api/webpush/subscriptions", json=Browser(endpoint).subscription)
    assert response.status_code == 422 and "endpoint" in response.get_json()["error"]["fields"]
    assert subscriptions(session) == 0


def test_real_webpush_service_addresses_are_accepted(app):
    from app.webpush.views import _allowed_endpoint

    with app.test_request_context():
        assert _allowed_endpoint("https://fcm.googleapis.com/fcm/send/abc")
        assert _allowed_endpoint("https://updates.push.services.mozilla.com/wpush/v2/abc")
        assert _allowed_endpoint("https://web.push.apple.com/abc")
        assert not _allowed_endpoint("https://fcm.googleapis.com.evil.example/abc")


def test_bad_subscriptions_are_refused(api, demo, webpush_service):
    amira = api("amira@demo.test")
    good = Browser(webpush_service.url + "/p").subscription
    for bad in ({**good, "keys": {"p256dh": "short", "auth": "x"}}, {"endpoint": good["endpoint"]}, {**good, "extra": 1}):
        assert amira.post("/api/webpush/subscriptions", json=bad).status_code == 422


def test_webpush_api_needs_sign_in(client):
    assert client.get("/api/webpush/key").status_code == 401
