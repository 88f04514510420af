"""send_due against a real local Web Push service: who gets what, when, once."""
import json
import socket
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from app.accounts.services import find_by_email
from tests.reminders.senders import at_once
from app.clients.models import Client, ClientAssignment
from app.fieldwork.models import Visit
from app.reminders.due import send_due
from app.reminders.models import ReminderSend
from app.reminders.services import set_preferences
from app.volunteers.models import MentorPair, PairMembership
from app.webpush.models import WebPushSubscription
from tests.webpush.test_subscriptions_api import Browser, unb64

START = datetime(2027, 1, 14, 14, 0, tzinfo=timezone.utc)  # 14:00 GMT
EVENING_AT = datetime(2027, 1, 13, 18, 0, tzinfo=timezone.utc)
SOON_AT = datetime(2027, 1, 14, 13, 0, tzinfo=timezone.utc)


class World:
    def __init__(self, app, session, webpush_service):
        self.app, self.session, self.webpush = app, session, webpush_service
        self.phones = {}
        north = session.scalar(select(MentorPair).where(MentorPair.name == "North"))
        client_id = session.scalar(select(ClientAssignment.client_id).where(ClientAssignment.pair_id == north.id))
        self.client = session.get(Client, client_id)
        self.visit = session.scalars(select(Visit).where(Visit.client_id == client_id)).first()
        self.visit.scheduled_start_at, self.visit.scheduled_start = START, START.isoformat()
        session.commit()

    def phone(self, email, name):
        user = find_by_email(self.session, email)
        browser = Browser(f"{self.webpush.url}/webpush/{name}")
        keys = browser.subscription["keys"]
        self.session.add(WebPushSubscription(user_id=user.id, endpoint=browser.subscription["endpoint"],
                                             p256dh=keys["p256dh"], auth=keys["auth"]))
        self.session.commit()
        self.phones[f"/webpush/{name}"] = browser
        return browser

    def send(self, now, session=None):
        vapid = self.app.extensions["vapid"]
        return send_due(session or self.session, now, vapid_key=vapid["key"],
                        subject=self.app.config["VAPID_SUBJECT"], timeout=2).as_dict()

    def messages(self):
        return [(path, self.phones[path].decrypt(body)) for path, _headers, body in self.webpush.received]


@pytest.fixture
def world(app, demo, session, webpush_service):
    return World(app, session, webpush_service)


def test_both_mentors_get_the_evening_and_the_soon_reminder_on_every_device(world):
    world.phone("amira@demo.test", "amira-phone")
    world.phone("amira@demo.test", "amira-tablet")
    world.phone("ben@demo.test", "ben-phone")
    world.phone("chloe@demo.test", "chloe-phone")  # the other pair: nothing
    assert world.send(EVENING_AT - timedelta(minutes=1))["sent"] == 0
    assert world.send(EVENING_AT)["sent"] == 3
    assert world.send(EVENING_AT + timedelta(minutes=1)) == {"sent": 0, "gone": 0, "retry": 0, "failed": 0, "skipped": 3}
    assert world.send(SOON_AT)["sent"] == 3
    messages = world.messages()
    assert sorted(path for path, _ in messages) == sorted(["/webpush/amira-phone", "/webpush/amira-tablet", "/webpush/ben-phone"] * 2)
    bodies = {m["body"] for _, m in messages}
    assert bodies == {"Visit at 14:00 tomorrow - open the app for details",
                      "Visit at 14:00 in 60 minutes - open the app for details"}
    for _, message in messages:
        assert message["url"] == f"/#/visit/{world.visit.id}" and message["title"] == "Visit reminder"
        text = json.dumps(message)
        for private in (world.client.name, world.client.preferred_name, world.client.address, "Amira", "Ben"):
            assert private not in text  # no personal data passes the Web Push service


def test_what_the_webpush_service_sees(world, app):
    world.phone("amira@demo.test", "a")
    world.send(SOON_AT)
    [(_path, headers, _body)] = world.webpush.received
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) == 3600  # until the visit starts
    parts = dict(p.strip().split("=", 1) for p in headers["authorization"].partition(" ")[2].split(","))
    claims = json.loads(unb64(parts["t"].split(".")[1]))
    assert claims["aud"] == world.webpush.url and claims["sub"] == app.config["VAPID_SUBJECT"]
    assert 0 < claims["exp"] - datetime.now(timezone.utc).timestamp() <= 24 * 3600


def test_stale_reminders_are_not_sent(world):
    world.phone("amira@demo.test", "a")
    assert world.send(EVENING_AT + timedelta(hours=3, minutes=1))["sent"] == 0  # evening reminder too late
    assert world.send(START)["sent"] == 0  # the visit has started
    assert world.webpush.received == []


def test_preferences_off_or_changed(world, session):
    world.phone("amira@demo.test", "a")
    world.phone("ben@demo.test", "b")
    from datetime import time

    set_preferences(session, find_by_email(session, "ben@demo.test"), enabled=False, evening_time=time(18), minutes_before=60)
    set_preferences(session, find_by_email(session, "amira@demo.test"), enabled=True, evening_time=time(20, 30), minutes_before=15)
    session.commit()
    assert world.send(EVENING_AT)["sent"] == 0
    assert world.send(datetime(2027, 1, 13, 20, 30, tzinfo=timezone.utc))["sent"] == 1
    assert world.send(SOON_AT)["sent"] == 0
    assert world.send(START - timedelta(minutes=15))["sent"] == 1
    assert {path for path, _ in world.messages()} == {"/webpush/a"}


@pytest.mark.parametrize("change", ["cancelled", "deleted", "checked_in"])
def test_a_cancelled_deleted_or_checked_in_visit_gets_no_reminder(world, session, change):
    world.phone("amira@demo.test", "a")
    values = {"cancelled": {"status": "cancelled"}, "deleted": {"deleted_at": EVENING_AT},
              "checked_in": {"checked_in_at": "2027-01-14T12:50:00+00:00"}}[change]
    session.execute(update(Visit).where(Visit.id == world.visit.id).values(**values))
    session.commit()
    assert world.send(SOON_AT)["sent"] == 0


def test_a_rescheduled_visit_is_reminded_at_its_new_time(world, session):
    world.phone("amira@demo.test", "a")
    assert world.send(EVENING_AT)["sent"] == 1
    new_start = START + timedelta(days=2)
    session.execute(update(Visit).where(Visit.id == world.visit.id).values(scheduled_start_at=new_start))
    session.commit()
    assert world.send(SOON_AT)["sent"] == 0  # the old time has no reminders any more
    assert world.send(EVENING_AT + timedelta(days=2))["sent"] == 1
    assert world.send(EVENING_AT + timedelta(days=2, minutes=1))["sent"] == 0
    assert world.send(SOON_AT + timedelta(days=2))["sent"] == 1


def test_a_visit_whose_client_moved_to_another_pair_reminds_the_new_pair(world, session):
    world.phone("amira@demo.test", "amira")
    world.phone("chloe@demo.test", "chloe")
    south = session.scalar(select(MentorPair).where(MentorPair.name == "South"))
    session.execute(update(ClientAssignment).where(ClientAssignment.client_id == world.client.id,
                                                   ClientAssignment.ended_at.is_(None)).values(ended_at=EVENING_AT))
    session.add(ClientAssignment(client_id=world.client.id, pair_id=south.id))
    session.commit()
    assert world.send(EVENING_AT)["sent"] == 1
    assert [path for path, _ in world.messages()] == ["/webpush/chloe"]


def test_a_mentor_who_left_the_pair_gets_nothing(world, session):
    world.phone("amira@demo.test", "amira")
    world.phone("ben@demo.test", "ben")
    ben = find_by_email(session, "ben@demo.test")
    session.execute(update(PairMembership).where(PairMembership.user_id == ben.id).values(left_at=EVENING_AT))
    session.commit()
    assert world.send(EVENING_AT)["sent"] == 1
    assert [path for path, _ in world.messages()] == ["/webpush/amira"]


def test_gone_and_too_many_requests(world, session):
    world.phone("amira@demo.test", "a")
    world.webpush.status = 429
    assert world.send(SOON_AT)["retry"] == 1
    assert world.send(SOON_AT + timedelta(seconds=30))["retry"] == 0  # waits: no tight loop
    assert len(world.webpush.received) == 1
    world.webpush.status = 201
    assert world.send(SOON_AT + timedelta(minutes=1))["sent"] == 1
    world.webpush.status = 410
    world.phone("ben@demo.test", "b")
    assert world.send(SOON_AT + timedelta(minutes=2))["gone"] == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(WebPushSubscription)) == 1


def test_a_dead_webpush_service_does_not_block_the_others(world, session):
    # A Web Push service that accepts the connection and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        dead_url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        amira = find_by_email(session, "amira@demo.test")
        for n in range(3):
            dead = Browser(f"{dead_url}/webpush/{n}").subscription
            session.add(WebPushSubscription(user_id=amira.id, endpoint=dead["endpoint"],
                                            p256dh=dead["keys"]["p256dh"], auth=dead["keys"]["auth"]))
        session.commit()
        world.phone("ben@demo.test", "ben")
        started = datetime.now(timezone.utc)
        counts = world.send(SOON_AT)
        assert counts["sent"] == 1 and counts["retry"] == 3
        assert datetime.now(timezone.utc) - started < timedelta(seconds=8)  # one timeout, not three
        sends = session.scalars(select(ReminderSend).where(ReminderSend.status != "sent")).all()
        assert [s.status for s in sends] == ["retry"] and sends[0].sent_at is None  # a timeout is not a send
    finally:
        silent.close()


def test_two_senders_at_once_send_each_reminder_once(world, app):
    for name in ("a1", "a2", "a3"):
        world.phone("amira@demo.test", name)
    for name in ("b1", "b2", "b3"):
        world.phone("ben@demo.test", name)
    make_session = app.extensions["database"]["sessionmaker"]
    results = at_once(make_session, lambda session: world.send(SOON_AT, session=session))
    assert sum(r["sent"] for r in results) == 6
    assert sorted(path for path, _, _ in world.webpush.received) == sorted(f"/webpush/{n}" for n in ("a1", "a2", "a3", "b1", "b2", "b3"))


def test_a_visit_rescheduled_through_the_sync_api_moves_its_reminder(world, session, api):
    """A mentor moves the visit on the phone; the reminder follows what the
    sync push wrote (scheduled_start_at from scheduled_start), not a DB edit."""
    import uuid

    world.phone("amira@demo.test", "a")
    assert world.send(EVENING_AT)["sent"] == 1
    session.refresh(world.visit)
    rev, old_start = world.visit.rev, world.visit.scheduled_start
    session.commit()  # end the read: on SQLite it would hold back the API's write
    new_start = START + timedelta(days=2, hours=1)  # 15:00 GMT two days later
    response = api("ben@demo.test").post("/api/sync/push", json={
        "device_id": str(uuid.uuid4()), "schema_version": 1,
        "mutations": [{"mutation_id": str(uuid.uuid4()), "kind": "visit", "id": str(world.visit.id), "op": "update",
                       "base_rev": rev, "base": {"scheduled_start": old_start},
                       "changes": {"scheduled_start": new_start.isoformat()}}]})
    assert response.status_code == 200 and response.get_json()["results"][0]["status"] == "applied", response.get_json()
    session.expire_all()
    assert session.get(Visit, world.visit.id).scheduled_start_at == new_start
    session.commit()
    assert world.send(SOON_AT)["sent"] == 0  # the old time has no reminder any more
    assert world.send(new_start - timedelta(minutes=60))["sent"] == 1
    [*_, (_path, message)] = world.messages()
    assert message["body"] == "Visit at 15:00 in 60 minutes - open the app for details"
