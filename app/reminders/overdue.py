"""The overdue check-out alert: a visit checked in but not checked out by its
expected end plus a grace period alerts the pair; still open after a second
period, the area's coordinators too. A check-out that arrives later (or the
visit cancelled or deleted) sends an all-clear to everyone alerted.

This runs on the server (with ``reminders send-due``/``run``), so it fires
while the mentors' phones are offline. ``send_overdue`` also sends urgent
safeguarding concerns to the area's coordinators (app.reminders.urgent): both
are the safety alerts of that job. Every alert goes through the same
claim-before-send rows as reminders (app.reminders.delivery): once per visit,
subscription and kind, whoever runs the sender.

The expected end is the later of the planned start and the check-in, plus the
planned length (60 minutes when none was given).
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.fieldwork.models import Visit
from app.reminders import delivery
from app.reminders.due import Outcome
from app.reminders.models import ReminderSend
from app.volunteers.models import MentorPair, PairMembership
from app.webpush import sender
from app.webpush.models import WebPushSubscription

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(minutes=30)
DEFAULT_ESCALATE_AFTER = timedelta(minutes=30)
DEFAULT_LENGTH = timedelta(minutes=60)
# Visits whose expected end is longer ago than this raise no new alert (a
# first deployment must not alert about last year's unfinished records).
GIVE_UP_AFTER = timedelta(hours=24)
TTL = 12 * 3600

OVERDUE, OVERDUE_OFFICE, ALL_CLEAR = "overdue", "overdue_office", "all_clear"


def alert_payload(kind: str, visit_id) -> dict:
    """No personal data: no client, no address, no mentor's name."""
    if kind == ALL_CLEAR:
        return {"type": "overdue_clear", "kind": kind, "tag": f"overdue-{visit_id}", "title": "Visit checked out",
                "body": "The overdue visit has now been checked out - no action needed.",
                "url": f"/#/visit/{visit_id}"}
    office = kind == OVERDUE_OFFICE
    return {
        "type": "overdue", "kind": kind, "tag": f"overdue-{visit_id}", "title": "Visit not checked out",
        "body": ("A visit in your area is overdue for check-out - open the office for details"
                 if office else "Your visit is past its expected end - check out, or open the app if you need help"),
        "url": "/office/" if office else f"/#/visit/{visit_id}",
    }


def parse_instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def expected_end(start: datetime, checked_in_at: str | None, duration_minutes: int | None) -> datetime:
    checked_in = parse_instant(checked_in_at)
    began = max(start, checked_in) if checked_in else start
    return began + (timedelta(minutes=duration_minutes) if duration_minutes else DEFAULT_LENGTH)


@dataclass(frozen=True)
class Alert:
    visit_id: uuid.UUID
    start: datetime
    kind: str
    subscription: WebPushSubscription


def _subs(session: Session, user_ids) -> list[WebPushSubscription]:
    if not user_ids:
        return []
    return list(session.scalars(select(WebPushSubscription).where(WebPushSubscription.user_id.in_(user_ids))))


def _pair_members(session: Session, client_id) -> list[uuid.UUID]:
    return list(session.scalars(
        select(PairMembership.user_id)
        .join(ClientAssignment, and_(ClientAssignment.pair_id == PairMembership.pair_id,
                                     ClientAssignment.client_id == client_id, ClientAssignment.ended_at.is_(None)))
        .join(MentorPair, and_(MentorPair.id == PairMembership.pair_id, MentorPair.active))
        .join(User, and_(User.id == PairMembership.user_id, User.active))
        .where(PairMembership.left_at.is_(None))
    ))


def _coordinators(session: Session, area_id) -> list[uuid.UUID]:
    return list(session.scalars(select(User.id).where(User.role == "coordinator", User.active, User.area_id == area_id)))


def alerts_due(session: Session, now: datetime, grace: timedelta, escalate_after: timedelta) -> list[Alert]:
    found = []
    open_visits = session.execute(
        select(Visit, Client.area_id)
        .join(Client, Client.id == Visit.client_id)
        .where(Visit.checked_in_at.is_not(None), Visit.checked_out_at.is_(None), Visit.deleted_at.is_(None),
               Visit.status.not_in(("cancelled", "no_show")),
               # A cheap bound before the exact rule below (no visit lasts more than a day).
               Visit.scheduled_start_at <= now, Visit.scheduled_start_at > now - GIVE_UP_AFTER - timedelta(days=1))
    ).all()
    for visit, area_id in open_visits:
        end = expected_end(visit.scheduled_start_at, visit.checked_in_at, visit.duration_minutes)
        if now < end + grace or now > end + GIVE_UP_AFTER:
            continue
        for sub in _subs(session, _pair_members(session, visit.client_id)):
            found.append(Alert(visit.id, visit.scheduled_start_at, OVERDUE, sub))
        if now >= end + grace + escalate_after:
            for sub in _subs(session, _coordinators(session, area_id)):
                found.append(Alert(visit.id, visit.scheduled_start_at, OVERDUE_OFFICE, sub))
    # All-clear: to every subscription alerted about a visit that is no longer open.
    cleared = session.execute(
        select(Visit.id, Visit.scheduled_start_at, WebPushSubscription)
        .join(ReminderSend, ReminderSend.visit_id == Visit.id)
        .join(WebPushSubscription, WebPushSubscription.id == ReminderSend.subscription_id)
        .where(ReminderSend.kind.in_((OVERDUE, OVERDUE_OFFICE)), ReminderSend.status == "sent",
               or_(Visit.checked_out_at.is_not(None), Visit.deleted_at.is_not(None),
                   Visit.status.in_(("cancelled", "no_show"))))
    ).all()
    for visit_id, start, sub in cleared:
        found.append(Alert(visit_id, start, ALL_CLEAR, sub))
    return found


def send_overdue(session: Session, now: datetime, *, vapid_key, subject: str, timeout: float = 10.0,
                 grace: timedelta = DEFAULT_GRACE, escalate_after: timedelta = DEFAULT_ESCALATE_AFTER) -> Outcome:
    outcome = Outcome()
    work = [(a, {"endpoint": a.subscription.endpoint, "keys": {"p256dh": a.subscription.p256dh,
                                                                 "auth": a.subscription.auth}}, a.subscription.id)
            for a in alerts_due(session, now, grace, escalate_after)]
    session.commit()
    for alert, subscription, sub_id in work:
        claimed = delivery.claim(session, alert.visit_id, sub_id, alert.kind, alert.start, now)
        if claimed is None:
            outcome.skipped += 1
            continue
        result = sender.send(subscription, alert_payload(alert.kind, alert.visit_id), vapid_key=vapid_key,
                             subject=subject, ttl=TTL, timeout=timeout)
        what = delivery.record(session, claimed, result, now)
        setattr(outcome, what, getattr(outcome, what) + 1)
        if what != "sent":
            log.info("%s alert of visit %s: %s (%s)", alert.kind, alert.visit_id, what, result.detail)
    return outcome
