"""The reminders job (`flask reminders send-due`, `reminders run`): its steps
(the compliance gate's sweep, urgent-concern alerts, overdue check-out alerts,
visit reminders) run apart, so one that fails never stops the others, and
every sender skips a Web Push service that did not answer (one timeout a run,
not one per subscription)."""
import logging
import socket
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.accounts.services import find_by_email
from app.clients.models import ClientAssignment
from app.fieldwork.models import Concern, Visit
from app.reminders.models import ReminderSend
from app.reminders.overdue import send_overdue
from app.reminders.urgent import send_urgent_concerns
from app.volunteers.models import MentorPair
from app.webpush.models import WebPushSubscription
from tests.webpush.test_subscriptions_api import Browser


def subscribe(session, email, endpoint):
    browser = Browser(endpoint)
    keys = browser.subscription["keys"]
    session.add(WebPushSubscription(user_id=find_by_email(session, email).id, endpoint=endpoint,
                                    p256dh=keys["p256dh"], auth=keys["auth"]))
    return browser


@pytest.fixture
def everything_due(app, demo, session, webpush_service):
    """Now: North's first visit starts in 30 minutes (its "soon" reminder is
    due), its second was checked in two hours ago and never checked out
    (overdue, to the pair and the office), and an urgent concern just arrived
    (to the office). Amira's phone and Carol's office computer have alerts on."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    north = session.scalar(select(MentorPair).where(MentorPair.name == "North"))
    client_id = session.scalar(select(ClientAssignment.client_id).where(ClientAssignment.pair_id == north.id))
    soon = session.scalars(select(Visit).where(Visit.client_id == client_id)).first()
    start = now + timedelta(minutes=30)
    soon.scheduled_start_at, soon.scheduled_start = start, start.isoformat()
    began = now - timedelta(hours=2)
    session.add(Visit(client_id=client_id, scheduled_start=began.isoformat(), scheduled_start_at=began,
                      duration_minutes=30, checked_in_at=began.isoformat(), status="planned"))
    session.add(Concern(client_id=client_id, category="home_conditions", details="No heating.", urgency="urgent"))
    phones = {"/webpush/amira": subscribe(session, "amira@demo.test", f"{webpush_service.url}/webpush/amira"),
              "/webpush/carol": subscribe(session, "coordinator@demo.test", f"{webpush_service.url}/webpush/carol")}
    session.commit()

    def received():
        return sorted((path, phones[path].decrypt(body)["kind"]) for path, _, body in webpush_service.received)

    return received


EVERYTHING = [("/webpush/amira", "overdue"), ("/webpush/amira", "soon"),
              ("/webpush/carol", "overdue_office"), ("/webpush/carol", "urgent_concern")]


def test_one_round_sends_everything_due(runner, everything_due):
    result = runner.invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    assert "Reminders: 4 sent" in result.output and "failed:" not in result.output
    assert everything_due() == EVERYTHING


def _broken(*_args, **_kwargs):
    # What pywebpush raises for a subscription whose key is not a P-256 point.
    raise ValueError("Could not deserialize key data.")


@pytest.mark.parametrize(("step", "name", "lost"), [
    ("app.reminders.due.send_due", "visit reminders", [("/webpush/amira", "soon")]),
    ("app.reminders.overdue.send_overdue", "overdue check-out alerts",
     [("/webpush/amira", "overdue"), ("/webpush/carol", "overdue_office")]),
    ("app.reminders.urgent.send_urgent_concerns", "urgent-concern alerts", [("/webpush/carol", "urgent_concern")]),
    ("app.volunteers.lapses.sweep", "the compliance gate's sweep", []),
])
def test_a_step_that_fails_is_logged_and_the_others_still_send(runner, everything_due, monkeypatch, caplog,
                                                               step, name, lost):
    monkeypatch.setattr(step, _broken)
    with caplog.at_level(logging.ERROR):
        result = runner.invoke(args=["reminders", "send-due"])
    assert everything_due() == [m for m in EVERYTHING if m not in lost]
    assert result.exit_code == 1  # cron reports it
    assert "1 step failed" in result.output and f"({name} failed: see the log)" in result.output
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert name in record.getMessage() and "Could not deserialize key data" in str(record.exc_info[1])


def test_reminders_run_goes_on_after_a_failing_step(app, runner, everything_due, monkeypatch):
    """The loop of `reminders run` is _send_due_once: the safety alerts of a
    round still go when the visit reminders fail."""
    from app.cli import _send_due_once

    monkeypatch.setattr("app.reminders.due.send_due", _broken)
    with app.app_context():
        counts = _send_due_once()
    assert counts["sent"] == 3 and counts["steps failed"] == 1 and counts["failed steps"] == ["visit reminders"]
    assert everything_due() == [m for m in EVERYTHING if m != ("/webpush/amira", "soon")]


@pytest.fixture
def dead_service():
    """A Web Push service that accepts connections and never answers."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    yield f"http://127.0.0.1:{silent.getsockname()[1]}"
    silent.close()


def _claimed_on(session, url):
    session.expire_all()
    rows = session.execute(select(ReminderSend.status, WebPushSubscription.endpoint)
                           .join(WebPushSubscription, WebPushSubscription.id == ReminderSend.subscription_id)).all()
    session.commit()
    return sorted(status for status, endpoint in rows if endpoint.startswith(url))


@pytest.mark.parametrize("sender", ["overdue", "urgent"])
def test_the_safety_alerts_try_a_dead_webpush_service_once_a_run(app, session, everything_due, dead_service,
                                                                 webpush_service, sender):
    email = "amira@demo.test" if sender == "overdue" else "coordinator@demo.test"
    for n in range(3):
        subscribe(session, email, f"{dead_service}/webpush/{n}")
    session.commit()
    vapid = app.extensions["vapid"]
    send = {"overdue": send_overdue, "urgent": send_urgent_concerns}[sender]
    counts = send(session, datetime.now(timezone.utc), vapid_key=vapid["key"], subject=app.config["VAPID_SUBJECT"],
                  timeout=1).as_dict()
    # One send to the dead service timed out; the two after it were left for
    # the next run, unclaimed, so they cost nothing.
    assert counts["retry"] == 3
    assert _claimed_on(session, dead_service) == ["retry"]
    live = 2 if sender == "overdue" else 1  # Amira's and Carol's; Carol's
    assert counts["sent"] == live  # the live service was not held up
    assert _claimed_on(session, webpush_service.url) == ["sent"] * live
