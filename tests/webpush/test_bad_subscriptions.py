"""Subscriptions that can never be sent to (issue 12, item 6): keys checked in
full at subscribe time, and a bad row stored earlier (inserted here directly,
as an older server kept it) never gives a 500 nor stops the others being sent."""
import base64
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.services import find_by_email
from app.webpush import sender
from app.webpush.keys import AUTH_MESSAGE, P256DH_MESSAGE, auth_problem, p256dh_problem
from app.webpush.models import WebPushSubscription
from app.webpush.sender import send
from tests.reminders.test_send_due import EVENING_AT, World
from tests.webpush.test_subscriptions_api import Browser

SERVICE = "https://fcm.googleapis.com/fcm/send/"


def b64(data: bytes, pad: bool = False) -> str:
    text = base64.urlsafe_b64encode(data).decode()
    return text if pad else text.rstrip("=")


GOOD = Browser(SERVICE + "good").subscription["keys"]
NOT_ON_THE_CURVE = b64(b"\x04" + bytes(range(64)))  # 65 bytes, 0x04 first: looks right, is no P-256 point
ZERO_POINT = b64(b"\x04" + bytes(64))


@pytest.mark.parametrize("p256dh", [
    NOT_ON_THE_CURVE,
    ZERO_POINT,
    b64(b"\x05" + base64.urlsafe_b64decode(GOOD["p256dh"] + "=")[1:]),  # wrong prefix
    b64(b"\x02" + bytes(32)),  # compressed form: browsers send uncompressed
    b64(bytes(65)),
    GOOD["p256dh"] + "AA",  # 66 bytes
    GOOD["p256dh"].replace("-", "+").replace("_", "/") + "+/",  # not base64url
    "not base64 at all " * 5,
])
def test_a_key_that_is_not_an_uncompressed_p256_point_is_refused_with_a_clear_422(api, demo, session, p256dh):
    response = api("amira@demo.test").post("/api/webpush/subscriptions", json={
        "endpoint": SERVICE + "x", "keys": {"p256dh": p256dh, "auth": GOOD["auth"]}})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"keys": {"p256dh": [P256DH_MESSAGE]}}
    assert session.scalar(select(WebPushSubscription.id)) is None


@pytest.mark.parametrize("auth", [b64(bytes(15)), b64(bytes(17)), b64(bytes(32)), "x" * 16, "!" * 22])
def test_an_auth_secret_that_is_not_16_bytes_is_refused(api, demo, auth):
    response = api("amira@demo.test").post("/api/webpush/subscriptions", json={
        "endpoint": SERVICE + "x", "keys": {"p256dh": GOOD["p256dh"], "auth": auth}})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"keys": {"auth": [AUTH_MESSAGE]}}


def test_real_browser_keys_are_taken_padded_or_not(api, demo):
    raw_p256dh = base64.urlsafe_b64decode(GOOD["p256dh"] + "=")
    raw_auth = base64.urlsafe_b64decode(GOOD["auth"] + "==")
    assert p256dh_problem(GOOD["p256dh"]) is None and p256dh_problem(b64(raw_p256dh, pad=True)) is None
    assert auth_problem(GOOD["auth"]) is None and auth_problem(b64(raw_auth, pad=True)) is None
    amira = api("amira@demo.test")
    assert amira.post("/api/webpush/subscriptions", json={"endpoint": SERVICE + "y", "keys": GOOD}).status_code == 201


def store(session, email, endpoint, p256dh, auth):
    row = WebPushSubscription(user_id=find_by_email(session, email).id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    session.add(row)
    session.commit()
    return row.endpoint


def bad_rows(session, service_url):
    """What an older server could have kept: a key that is no point, a short
    secret, an address with a port (all on the same Web Push service as the good ones)."""
    return [
        store(session, "amira@demo.test", service_url + "/webpush/not-a-point", NOT_ON_THE_CURVE, GOOD["auth"]),
        store(session, "amira@demo.test", service_url + "/webpush/short-auth", GOOD["p256dh"], b64(bytes(8))),
        store(session, "amira@demo.test", "https://fcm.googleapis.com:8443/fcm/send/port", GOOD["p256dh"], GOOD["auth"]),
    ]


def endpoints(session):
    session.rollback()  # a fresh read: what the requests committed
    return set(session.scalars(select(WebPushSubscription.endpoint)))


def test_the_test_push_sends_to_the_good_subscription_and_forgets_the_bad_ones(api, demo, session, webpush_service):
    bad = bad_rows(session, webpush_service.url)  # stored first: they come first
    phone = Browser(webpush_service.url + "/webpush/good")
    keys = phone.subscription["keys"]
    good = store(session, "amira@demo.test", phone.subscription["endpoint"], keys["p256dh"], keys["auth"])

    response = api("amira@demo.test").post("/api/webpush/test")
    assert response.status_code == 200
    assert response.get_json() == {"sent": 1, "gone": 3, "failed": 0}
    [(path, _headers, body)] = webpush_service.received  # nothing went to the bad ones
    assert path == "/webpush/good" and phone.decrypt(body)["type"] == "test"
    assert endpoints(session) == {good}
    assert not set(bad) & endpoints(session)


def test_an_unexpected_error_sending_to_one_subscription_is_its_failure_not_a_500(api, demo, session, webpush_service,
                                                                                   monkeypatch):
    real = sender.webpush

    def webpush(subscription_info, **kwargs):
        if subscription_info["endpoint"].endswith("/explodes"):
            raise RuntimeError("something no one foresaw")
        return real(subscription_info=subscription_info, **kwargs)

    monkeypatch.setattr(sender, "webpush", webpush)
    for name in ("explodes", "fine"):
        keys = Browser("").subscription["keys"]
        store(session, "amira@demo.test", f"{webpush_service.url}/webpush/{name}", keys["p256dh"], keys["auth"])
    response = api("amira@demo.test").post("/api/webpush/test")
    assert response.status_code == 200 and response.get_json() == {"sent": 1, "gone": 0, "failed": 1}
    assert [path for path, _, _ in webpush_service.received] == ["/webpush/fine"]
    assert len(endpoints(session)) == 2  # a failure is not a reason to forget it


def test_the_reminders_job_sends_to_the_good_subscriptions_and_forgets_the_bad_ones(app, demo, session,
                                                                                       webpush_service):
    world = World(app, session, webpush_service)
    bad = bad_rows(session, webpush_service.url)
    world.phone("amira@demo.test", "amira")
    world.phone("ben@demo.test", "ben")

    counts = world.send(EVENING_AT)
    # The bad ones did not make their Web Push service look unreachable: the good ones went in this run.
    assert counts == {"sent": 2, "gone": 3, "retry": 0, "failed": 0, "skipped": 0}
    assert sorted(path for path, _ in world.messages()) == ["/webpush/amira", "/webpush/ben"]
    assert not set(bad) & endpoints(session)
    assert world.send(EVENING_AT + timedelta(minutes=1))["gone"] == 0  # forgotten: not tried again


def test_the_reminders_job_survives_an_unexpected_error_on_one_subscription(app, demo, session, webpush_service,
                                                                           monkeypatch):
    real = sender.webpush

    def webpush(subscription_info, **kwargs):
        if subscription_info["endpoint"].endswith("/explodes"):
            raise ValueError("something no one foresaw")
        return real(subscription_info=subscription_info, **kwargs)

    monkeypatch.setattr(sender, "webpush", webpush)
    world = World(app, session, webpush_service)
    world.phone("amira@demo.test", "explodes")
    world.phone("amira@demo.test", "amira")
    world.phone("ben@demo.test", "ben")
    counts = world.send(EVENING_AT)
    assert counts == {"sent": 2, "gone": 0, "retry": 0, "failed": 1, "skipped": 0}
    assert sorted(path for path, _ in world.messages()) == ["/webpush/amira", "/webpush/ben"]


@pytest.mark.parametrize("subscription", [
    {"endpoint": "https://fcm.googleapis.com:8443/fcm/send/x", "keys": GOOD},
    {"endpoint": "https://fcm.googleapis.com:99999/fcm/send/x", "keys": GOOD},
    {"endpoint": SERVICE + "x", "keys": {"p256dh": NOT_ON_THE_CURVE, "auth": GOOD["auth"]}},
    {"endpoint": SERVICE + "x", "keys": {"p256dh": GOOD["p256dh"], "auth": "%%%"}},
    {"endpoint": SERVICE + "x", "keys": {"p256dh": GOOD["p256dh"]}},
    {"endpoint": SERVICE + "x"},
    {"endpoint": None, "keys": GOOD},
])
def test_the_sender_never_raises_and_makes_no_request_to_a_subscription_that_cannot_work(app, subscription,
                                                                                         monkeypatch):
    monkeypatch.setattr(sender, "webpush", lambda **kwargs: pytest.fail("no request should be made"))
    vapid = app.extensions["vapid"]
    result = send(subscription, {"type": "test"}, vapid_key=vapid["key"], subject="mailto:a@example.test", ttl=60)
    assert not result.ok and result.gone and not result.retryable and not result.unreachable
