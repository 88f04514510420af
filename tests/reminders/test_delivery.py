"""Claiming a reminder before sending it, and recording its outcome; preferences."""
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select

from app.accounts.services import find_by_email
from app.fieldwork.models import Visit
from app.reminders import delivery, services
from app.reminders.models import ReminderSend
from app.reminders.schedule import DEFAULT_PREFERENCES, Preferences
from app.webpush import services as webpush_services
from app.webpush.models import WebPushSubscription
from app.webpush.sender import SendResult

NOW = datetime(2027, 1, 13, 18, 0, tzinfo=timezone.utc)
START = datetime(2027, 1, 14, 14, 0, tzinfo=timezone.utc)
OK = SendResult(True, detail="Web Push service answered 201", status=201)


def setup(session):
    amira = find_by_email(session, "amira@demo.test")
    sub = WebPushSubscription(user_id=amira.id, endpoint="https://fcm.googleapis.com/fcm/send/x", p256dh="p" * 87, auth="a" * 22)
    session.add(sub)
    visit = session.scalars(select(Visit)).first()
    session.commit()
    return visit.id, sub.id


def row(session, claimed):
    session.expire_all()
    return session.get(ReminderSend, claimed.id)


def test_a_reminder_is_claimed_once(demo, session):
    visit_id, sub_id = setup(session)
    first = delivery.claim(session, visit_id, sub_id, "evening", START, NOW)
    assert first is not None
    assert delivery.claim(session, visit_id, sub_id, "evening", START, NOW) is None  # another sender: no
    assert delivery.claim(session, visit_id, sub_id, "soon", START, NOW) is not None  # another kind: its own row
    assert delivery.record(session, first, OK, NOW) == "sent"
    assert row(session, first).status == "sent" and row(session, first).sent_at == NOW
    assert session.get(WebPushSubscription, sub_id).last_sent_at == NOW
    assert delivery.claim(session, visit_id, sub_id, "evening", START, NOW + timedelta(hours=1)) is None


def test_too_many_requests_is_retried_later_with_growing_waits(demo, session):
    visit_id, sub_id = setup(session)
    busy = SendResult(False, detail="Web Push service answered 429", status=429)
    claimed = delivery.claim(session, visit_id, sub_id, "soon", START, NOW)
    assert delivery.record(session, claimed, busy, NOW) == "retry"
    assert row(session, claimed).next_attempt_at == NOW + timedelta(minutes=1)
    assert delivery.claim(session, visit_id, sub_id, "soon", START, NOW + timedelta(seconds=59)) is None  # not yet
    later = NOW + timedelta(minutes=1)
    again = delivery.claim(session, visit_id, sub_id, "soon", START, later)
    assert again.id == claimed.id and again.attempts == row(session, claimed).attempts == 2
    claimed = again
    server_error = SendResult(False, detail="Web Push service answered 503", status=503)
    assert delivery.record(session, claimed, server_error, later) == "retry"
    assert row(session, claimed).next_attempt_at == later + timedelta(minutes=2)  # doubled, never a tight loop
    claimed = delivery.claim(session, visit_id, sub_id, "soon", START, later + timedelta(minutes=2))
    assert delivery.record(session, claimed, OK, later + timedelta(minutes=2)) == "sent"
    assert row(session, claimed).attempts == 3


def test_a_timeout_is_not_counted_as_sent(demo, session):
    visit_id, sub_id = setup(session)
    claimed = delivery.claim(session, visit_id, sub_id, "soon", START, NOW)
    timed_out = SendResult(False, detail="Web Push service unreachable: ReadTimeout")
    assert delivery.record(session, claimed, timed_out, NOW) == "retry"
    assert row(session, claimed).status == "retry" and row(session, claimed).sent_at is None


def test_retry_after_and_giving_up():
    assert delivery.backoff(1) == timedelta(minutes=1)
    assert delivery.backoff(3) == timedelta(minutes=4)
    assert delivery.backoff(20) == timedelta(hours=1)
    assert delivery.backoff(1, retry_after=600) == timedelta(minutes=10)
    assert SendResult(False, status=429).retryable and SendResult(False, status=502).retryable
    assert SendResult(False).retryable  # no answer at all
    assert not SendResult(False, status=400).retryable and not SendResult(False, gone=True, status=410).retryable


def test_other_client_errors_and_too_many_attempts_give_up(demo, session):
    visit_id, sub_id = setup(session)
    claimed = delivery.claim(session, visit_id, sub_id, "soon", START, NOW)
    assert delivery.record(session, claimed, SendResult(False, status=403, detail="403"), NOW) == "failed"
    assert delivery.claim(session, visit_id, sub_id, "soon", START, NOW + timedelta(days=1)) is None
    other = delivery.claim(session, visit_id, sub_id, "evening", START, NOW)
    when = NOW
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        assert delivery.record(session, other, SendResult(False, status=500), when) == "retry"
        when = row(session, other).next_attempt_at
        again = delivery.claim(session, visit_id, sub_id, "evening", START, when)
        assert again.id == other.id
        other = again
    assert delivery.record(session, other, SendResult(False, status=500), when) == "failed"


def test_gone_forgets_the_subscription_and_its_sends(demo, session):
    visit_id, sub_id = setup(session)
    claimed = delivery.claim(session, visit_id, sub_id, "soon", START, NOW)
    assert delivery.record(session, claimed, SendResult(False, gone=True, status=410), NOW) == "gone"
    session.expire_all()
    assert session.get(WebPushSubscription, sub_id) is None
    assert session.scalar(select(func.count()).select_from(ReminderSend)) == 0


def test_a_sender_that_died_mid_send_frees_its_claim_after_the_lease(demo, session):
    visit_id, sub_id = setup(session)
    claimed = delivery.claim(session, visit_id, sub_id, "soon", START, NOW)
    assert delivery.claim(session, visit_id, sub_id, "soon", START, NOW + timedelta(minutes=4)) is None
    assert delivery.claim(session, visit_id, sub_id, "soon", START, NOW + delivery.LEASE).id == claimed.id


def test_a_visit_moved_to_another_time_is_reminded_again_once(demo, session):
    visit_id, sub_id = setup(session)
    claimed = delivery.claim(session, visit_id, sub_id, "evening", START, NOW)
    delivery.record(session, claimed, OK, NOW)
    moved = START + timedelta(days=2)
    assert delivery.claim(session, visit_id, sub_id, "evening", moved, NOW + timedelta(days=2)).id == claimed.id
    assert row(session, claimed).status == "sending" and row(session, claimed).attempts == 1
    assert delivery.claim(session, visit_id, sub_id, "evening", moved, NOW + timedelta(days=2)) is None


def test_an_unsubscribed_browser_takes_its_sends_with_it(demo, session):
    visit_id, sub_id = setup(session)
    delivery.claim(session, visit_id, sub_id, "evening", START, NOW)
    amira = find_by_email(session, "amira@demo.test")
    assert webpush_services.unsubscribe(session, amira, "https://fcm.googleapis.com/fcm/send/x")
    session.commit()
    assert session.scalar(select(func.count()).select_from(ReminderSend)) == 0


def test_preferences_default_until_set(demo, session):
    amira = find_by_email(session, "amira@demo.test")
    assert services.preferences_of(session, amira.id) == DEFAULT_PREFERENCES
    assert DEFAULT_PREFERENCES == Preferences(True, time(18, 0), 60)
    services.set_preferences(session, amira, enabled=False, evening_time=time(19, 30), minutes_before=30)
    session.commit()
    assert services.preferences_of(session, amira.id) == Preferences(False, time(19, 30), 30)
