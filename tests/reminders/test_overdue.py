"""The overdue check-out alert, sent by the server while the phones are offline."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app.accounts.services import find_by_email
from app.clients.models import ClientAssignment
from app.fieldwork.models import Visit
from app.reminders.overdue import expected_end, send_overdue
from app.volunteers.models import MentorPair
from app.webpush.models import WebPushSubscription
from tests.webpush.test_subscriptions_api import Browser

START = datetime(2027, 1, 14, 14, 0, tzinfo=timezone.utc)
END = START + timedelta(minutes=60)  # planned length 60 minutes


@pytest.fixture
def world(app, demo, session, webpush_service):
    north = session.scalar(select(MentorPair).where(MentorPair.name == "North"))
    client_id = session.scalar(select(ClientAssignment.client_id).where(ClientAssignment.pair_id == north.id))
    visit = session.scalars(select(Visit).where(Visit.client_id == client_id)).first()
    visit.scheduled_start_at, visit.scheduled_start = START, START.isoformat()
    visit.duration_minutes, visit.checked_in_at = 60, "2027-01-14T14:00:00+00:00"
    phones = {}
    for email in ("amira@demo.test", "ben@demo.test", "chloe@demo.test", "coordinator@demo.test"):
        name = email.split("@")[0]
        browser = Browser(f"{webpush_service.url}/webpush/{name}")
        keys = browser.subscription["keys"]
        session.add(WebPushSubscription(user_id=find_by_email(session, email).id, endpoint=browser.subscription["endpoint"],
                                        p256dh=keys["p256dh"], auth=keys["auth"]))
        phones[f"/webpush/{name}"] = browser
    session.commit()

    def send(now):
        vapid = app.extensions["vapid"]
        return send_overdue(session, now, vapid_key=vapid["key"], subject=app.config["VAPID_SUBJECT"], timeout=2)

    def received():
        out = [(path, phones[path].decrypt(body)) for path, _, body in webpush_service.received]
        webpush_service.received.clear()
        return out

    return visit, send, received


def test_expected_end():
    assert expected_end(START, None, 90) == START + timedelta(minutes=90)
    assert expected_end(START, "2027-01-14T14:20:00+00:00", None) == START + timedelta(minutes=80)  # late check-in
    assert expected_end(START, "2027-01-14T13:50:00+00:00", 60) == END  # early check-in: the planned start
    assert expected_end(START, "not a time", 60) == END


def test_overdue_alerts_the_pair_then_the_office_and_a_late_check_out_clears_it(world, session):
    visit, send, received = world
    assert send(END + timedelta(minutes=29)).sent == 0  # within the grace period
    assert send(END + timedelta(minutes=30)).sent == 2
    alerts = received()
    assert sorted(path for path, _ in alerts) == ["/webpush/amira", "/webpush/ben"]  # the pair only
    for _, message in alerts:
        assert message["title"] == "Visit not checked out" and message["url"] == f"/#/visit/{visit.id}"
    assert send(END + timedelta(minutes=45)).sent == 0  # once
    assert send(END + timedelta(minutes=60)).sent == 1  # still open: the area's coordinator
    [(path, message)] = received()
    assert path == "/webpush/coordinator" and message["kind"] == "overdue_office"
    # It opens the schedule of the visit's client, which flags the visit as not checked out.
    assert message["url"] == f"/office/schedule/?client_id={visit.client_id}"
    for _, m in alerts + [(path, message)]:
        text = json.dumps(m)
        assert "Margaret" not in text and "Example Street" not in text and "Amira" not in text

    # The phones come back and sync a check-out: everyone alerted hears it is clear, once.
    session.execute(update(Visit).where(Visit.id == visit.id).values(checked_out_at="2027-01-14T16:10:00+00:00"))
    session.commit()
    assert send(END + timedelta(minutes=75)).sent == 3
    cleared = received()
    assert sorted(path for path, _ in cleared) == ["/webpush/amira", "/webpush/ben", "/webpush/coordinator"]
    assert all(m["kind"] == "all_clear" and m["title"] == "Visit checked out" for _, m in cleared)
    assert send(END + timedelta(minutes=90)).sent == 0


def test_checked_out_in_time_or_never_checked_in_alerts_nobody(world, session):
    visit, send, received = world
    session.execute(update(Visit).where(Visit.id == visit.id).values(checked_out_at="2027-01-14T15:05:00+00:00"))
    session.commit()
    assert send(END + timedelta(hours=2)).sent == 0
    session.execute(update(Visit).where(Visit.id == visit.id).values(checked_out_at=None, checked_in_at=None))
    session.commit()
    assert send(END + timedelta(hours=2)).sent == 0
    assert received() == []


def test_the_cli_sends_overdue_alerts_with_its_grace_period(world, app, runner, session):
    visit, _send, received = world
    now = datetime.now(timezone.utc).replace(microsecond=0)
    session.execute(update(Visit).where(Visit.id == visit.id).values(
        scheduled_start_at=now - timedelta(minutes=80), checked_in_at=(now - timedelta(minutes=80)).isoformat()))
    session.commit()
    result = runner.invoke(args=["reminders", "send-due"])
    assert "Reminders: 0 sent" in result.output  # 20 minutes over, grace 30
    app.config["OVERDUE_GRACE_MINUTES"] = 10
    result = runner.invoke(args=["reminders", "send-due"])
    assert "Reminders: 2 sent" in result.output, result.output
    assert sorted(path for path, _ in received()) == ["/webpush/amira", "/webpush/ben"]


def test_two_senders_at_once_send_each_overdue_alert_and_all_clear_once(world, app, session):
    """Two runs of the job at once (cron overlapping itself, two machines),
    each with its own session: every alert and every all-clear goes once."""
    from tests.reminders.senders import at_once

    visit, _send, received = world
    vapid = app.extensions["vapid"]

    def send(now):
        return lambda s: send_overdue(s, now, vapid_key=vapid["key"], subject=app.config["VAPID_SUBJECT"],
                                      timeout=2).as_dict()

    make_session = app.extensions["database"]["sessionmaker"]
    results = at_once(make_session, send(END + timedelta(minutes=60)), count=2)
    assert sum(r["sent"] for r in results) == 3  # Amira, Ben, and the coordinator
    assert sorted(path for path, _ in received()) == ["/webpush/amira", "/webpush/ben", "/webpush/coordinator"]
    session.execute(update(Visit).where(Visit.id == visit.id).values(checked_out_at="2027-01-14T16:10:00+00:00"))
    session.commit()
    results = at_once(make_session, send(END + timedelta(minutes=75)), count=2)
    assert sum(r["sent"] for r in results) == 3
    assert sorted((path, m["kind"]) for path, m in received()) == [
        ("/webpush/amira", "all_clear"), ("/webpush/ben", "all_clear"), ("/webpush/coordinator", "all_clear")]
