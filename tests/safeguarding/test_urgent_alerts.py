"""An urgent concern raised from the field is sent by Web Push to the area's
coordinators by the reminders job, against a real local HTTP Web Push service."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.services import find_by_email
from app.db import utcnow
from app.fieldwork.models import Concern
from app.reminders.models import ReminderSend
from app.reminders.urgent import GIVE_UP_AFTER, send_urgent_concerns
from app.webpush.models import WebPushSubscription
from tests.reminders.senders import at_once
from tests.webpush.test_subscriptions_api import Browser, unb64


@pytest.fixture
def world(app, session, webpush_service, other_area_coordinator):
    """Office computers with alerts on: Carol (Durham, two computers), Dana
    (Darlington), the admin; and a mentor's phone."""
    browsers = {}
    for email, name in (("coordinator@demo.test", "carol-desk"), ("coordinator@demo.test", "carol-laptop"),
                        ("darlington@demo.test", "dana"), ("admin@demo.test", "admin"), ("amira@demo.test", "amira")):
        browser = Browser(f"{webpush_service.url}/webpush/{name}")
        keys = browser.subscription["keys"]
        session.add(WebPushSubscription(user_id=find_by_email(session, email).id, endpoint=browser.subscription["endpoint"],
                                        p256dh=keys["p256dh"], auth=keys["auth"]))
        browsers[f"/webpush/{name}"] = browser
    session.commit()

    class World:
        webpush = webpush_service

        @staticmethod
        def send(now=None, session=session):
            vapid = app.extensions["vapid"]
            return send_urgent_concerns(session, now or utcnow(), vapid_key=vapid["key"],
                                        subject=app.config["VAPID_SUBJECT"], timeout=2).as_dict()

        @staticmethod
        def received():
            out = [(path, headers, browsers[path].decrypt(body)) for path, headers, body in webpush_service.received]
            webpush_service.received.clear()
            return out

    return World


CAROL = ["/webpush/carol-desk", "/webpush/carol-laptop"]


def test_an_urgent_concern_is_sent_once_to_every_computer_of_the_areas_coordinators(
        world, raise_concern, clients_by_name, app):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"], urgency="urgent",
                               category="domestic_abuse", details="Margaret Hill said her son hit her.")
    assert world.send()["sent"] == 2
    received = world.received()
    assert sorted(path for path, _, _ in received) == CAROL  # not Darlington, not the admin, not the mentor
    for _, headers, message in received:
        assert message == {"type": "urgent_concern", "kind": "urgent_concern", "tag": f"concern-{concern_id}",
                           "title": "Urgent safeguarding concern",
                           "body": "An urgent concern has been raised - open the safeguarding list",
                           "url": f"/office/safeguarding/{concern_id}"}
        text = json.dumps(message)
        for personal in ("Margaret", "Hill", "son", "Amira", "domestic", "abuse"):
            assert personal not in text  # no personal data, not even the category
        headers = {k.lower(): v for k, v in headers.items()}
        assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) == 24 * 3600
        claims = json.loads(unb64(headers["authorization"].split("t=")[1].split(",")[0].split(".")[1]))
        assert claims["aud"] == world.webpush.url and claims["sub"] == app.config["VAPID_SUBJECT"]
    assert world.send()["sent"] == 0  # once per concern and computer
    assert world.received() == []


def test_the_url_in_the_webpush_message_opens_the_concern_in_the_office(world, raise_concern, clients_by_name, office):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"], urgency="urgent")
    world.send()
    [(_, _, message), _] = world.received()
    page = office().get(message["url"])
    assert page.status_code == 200 and "Margaret Hill" in page.get_data(as_text=True)
    assert str(concern_id) in message["url"]


def test_normal_urgency_acknowledged_or_deleted_concerns_are_not_sent(
        world, raise_concern, clients_by_name, office, session):
    margaret = clients_by_name["Margaret Hill"]
    raise_concern("amira@demo.test", margaret, urgency="normal")
    assert world.send()["sent"] == 0

    urgent = raise_concern("amira@demo.test", margaret, urgency="urgent")
    page = f"/office/safeguarding/{urgent}"
    assert office().post_form(page, f"{page}/acknowledge").status_code == 303  # before the job runs
    assert world.send()["sent"] == 0

    deleted = raise_concern("amira@demo.test", margaret, urgency="urgent")
    session.execute(update(Concern).where(Concern.id == deleted).values(deleted_at=utcnow()))
    session.commit()
    assert world.send()["sent"] == 0
    assert world.received() == []


def test_a_concern_older_than_the_give_up_period_raises_no_new_alert(world, raise_concern, clients_by_name):
    raise_concern("amira@demo.test", clients_by_name["Margaret Hill"], urgency="urgent")
    assert world.send(utcnow() + GIVE_UP_AFTER + timedelta(minutes=1))["sent"] == 0
    assert world.send()["sent"] == 2


def test_a_busy_webpush_service_is_retried_later_and_a_gone_computer_forgotten(
        world, raise_concern, clients_by_name, session):
    raise_concern("amira@demo.test", clients_by_name["Margaret Hill"], urgency="urgent")
    world.webpush.status = 429
    now = utcnow()
    assert world.send(now) == {"sent": 0, "gone": 0, "retry": 2, "failed": 0, "skipped": 0}
    assert world.send(now + timedelta(seconds=30))["retry"] == 0  # backoff: not in a tight loop
    world.webpush.status = 410
    assert world.send(now + timedelta(minutes=2))["gone"] == 2
    session.rollback()
    assert session.scalars(select(WebPushSubscription.endpoint).where(
        WebPushSubscription.user_id == find_by_email(session, "coordinator@demo.test").id)).all() == []
    assert session.scalars(select(ReminderSend)).all() == []  # its send rows went with it


def test_two_senders_at_once_send_each_concern_once(world, raise_concern, clients_by_name, app):
    for _ in range(3):
        raise_concern("amira@demo.test", clients_by_name["Margaret Hill"], urgency="urgent")
    make_session = app.extensions["database"]["sessionmaker"]
    results = at_once(make_session, lambda session: world.send(session=session))
    assert sum(r["sent"] for r in results) == 6  # 3 concerns x Carol's 2 computers
    assert sorted(path for path, _, _ in world.webpush.received) == sorted(CAROL * 3)


def test_the_reminders_job_sends_it_and_the_sync_itself_does_not(world, raise_concern, clients_by_name, runner):
    raise_concern("amira@demo.test", clients_by_name["Margaret Hill"], urgency="urgent")
    assert world.received() == []  # the phone's sync request sent no Web Push message itself
    result = runner.invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    urgent = lambda: sorted(path for path, _, m in world.received() if m["type"] == "urgent_concern")  # noqa: E731
    assert urgent() == CAROL  # (the mentor's phone may get a demo visit's reminder too)
    result = runner.invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0 and urgent() == [], result.output
