"""The overdue check-out alert: a visit checked in but not checked out by its
expected end plus a grace period alerts the pair; still open after a second
period, the area's coordinators too. A check-out that arrives later (or the
visit cancelled or deleted) sends an all-clear to everyone alerted.

This runs on the server (with ``reminders send-due``/``run``), so it fires
while the mentors' phones are offline. Urgent safeguarding concerns
(app.reminders.urgent) are the other safety alert of that job. Every alert goes through the same
claim-before-send rows as reminders (app.reminders.delivery): once per visit,
subscription and kind, whoever runs the sender.

The expected end is the later of the planned start and the check-in, plus the
planned length (60 minutes when none was given).
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client, ClientAssignment
from app.fieldwork.models import Visit
from app.reminders.models import ReminderSend
from app.reminders.sending import Message, Outcome, send_each, subscription_json
from app.volunteers.models import MentorPair, PairMembership
from app.webpush.models import WebPushSubscription

DEFAULT_GRACE = timedelta(minutes=30)
DEFAULT_ESCALATE_AFTER = timedelta(minutes=30)
DEFAULT_LENGTH = timedelta(minutes=60)
# Visits whose expected end is longer ago than this raise no new alert (a
# first deployment must not alert about last year's unfinished records).
GIVE_UP_AFTER = timedelta(hours=24)
TTL = 12 * 3600

OVERDUE, OVERDUE_OFFICE, ALL_CLEAR = "overdue", "overdue_office", "all_clear"


def minutes_setting(config, name: str, default: int) -> timedelta:
    """A number of minutes from the app's config or the environment;
    ValueError if it is not a whole number."""
    value = config.get(name) or os.environ.get(name) or default
    return timedelta(minutes=int(value))


def configured_grace(config) -> timedelta:
    """OVERDUE_GRACE_MINUTES: the sender's and the office pages' grace period."""
    return minutes_setting(config, "OVERDUE_GRACE_MINUTES", int(DEFAULT_GRACE.total_seconds() // 60))


def alert_payload(kind: str, visit_id, client_id=None) -> dict:
    """No personal data: no client, no address, no mentor's name. The office's
    alert opens the schedule of the visit's client, which flags the visit as
    not checked out (the office home page lists it too)."""
    if kind == ALL_CLEAR:
        return {"type": "overdue_clear", "kind": kind, "tag": f"overdue-{visit_id}", "title": "Visit checked out",
                "body": "The overdue visit has now been checked out - no action needed.",
                "url": f"/#/visit/{visit_id}"}
    office = kind == OVERDUE_OFFICE
    return {
        "type": "overdue", "kind": kind, "tag": f"overdue-{visit_id}", "title": "Visit not checked out",
        "body": ("A visit in your area is overdue for check-out - open the office for details"
                 if office else "Your visit is past its expected end - check out, or open the app if you need help"),
        "url": (f"/office/schedule/?client_id={client_id}" if client_id else "/office/schedule/")
               if office else f"/#/visit/{visit_id}",
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
    client_id: uuid.UUID | None = None


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
            found.append(Alert(visit.id, visit.scheduled_start_at, OVERDUE, sub, visit.client_id))
        if now >= end + grace + escalate_after:
            for sub in _subs(session, _coordinators(session, area_id)):
                found.append(Alert(visit.id, visit.scheduled_start_at, OVERDUE_OFFICE, sub, visit.client_id))
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
    """Send the overdue alerts and all-clears due at ``now``, each at most once.
    A Web Push service that does not answer is tried once a run (app.reminders.sending)."""
    messages = [Message(a.visit_id, None, a.subscription.id, subscription_json(a.subscription), a.kind, a.start,
                        alert_payload(a.kind, a.visit_id, a.client_id), TTL, f"{a.kind} alert of visit {a.visit_id}")
                for a in alerts_due(session, now, grace, escalate_after)]
    return send_each(session, messages, now, vapid_key=vapid_key, subject=subject, timeout=timeout)
