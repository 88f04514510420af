"""Keeping a person's Web Push subscriptions, and sending them a message."""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.webpush import sender
from app.webpush.models import WebPushSubscription

# A person's browsers and phones each have a subscription; more than this is
# old phones never unsubscribed (a phone lost, reset or replaced cannot say
# so). A new subscription beyond the cap replaces the least recently used
# (last reached by a message, or else subscribed): a person with a new phone
# gets their reminders there at once and never has to find and remove an old
# one first. The cap holds per subscribe; two at the very same moment may
# leave one over until the next.
MAX_PER_PERSON = 10

TEST_MESSAGE = {
    "type": "test",
    "title": "Visit reminders are on",
    "body": "This is how a reminder of your next visit will look.",
}


def subscribe(session: Session, user: User, endpoint: str, p256dh: str, auth: str) -> WebPushSubscription:
    """Keep this browser's subscription (a browser re-subscribing may hand over
    an endpoint another account used on the same phone: it becomes this one's)."""
    sub = session.scalar(select(WebPushSubscription).where(WebPushSubscription.endpoint == endpoint))
    if sub is None:
        sub = WebPushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        session.add(sub)
    else:
        sub.user_id, sub.p256dh, sub.auth = user.id, p256dh, auth
    session.flush()
    _keep_within_cap(session, user, sub)
    return sub


def _keep_within_cap(session: Session, user: User, keep: WebPushSubscription) -> None:
    """Forget the person's least recently used subscriptions beyond MAX_PER_PERSON,
    never ``keep`` (the one just made). Their reminder sends go with them (ON DELETE CASCADE)."""
    used = func.coalesce(WebPushSubscription.last_sent_at, WebPushSubscription.created_at)
    others = session.scalars(
        select(WebPushSubscription.id)
        .where(WebPushSubscription.user_id == user.id, WebPushSubscription.id != keep.id)
        .order_by(used.desc(), WebPushSubscription.created_at.desc(), WebPushSubscription.id)
    ).all()
    beyond = others[MAX_PER_PERSON - 1:]
    if beyond:
        session.execute(delete(WebPushSubscription).where(WebPushSubscription.id.in_(beyond))
                        .execution_options(synchronize_session=False))


def unsubscribe(session: Session, user: User, endpoint: str) -> bool:
    result = session.execute(
        delete(WebPushSubscription).where(WebPushSubscription.user_id == user.id,
                                          WebPushSubscription.endpoint == endpoint)
    )
    return result.rowcount > 0


def subscriptions_of(session: Session, user: User) -> list[WebPushSubscription]:
    return list(session.scalars(select(WebPushSubscription).where(WebPushSubscription.user_id == user.id)))


def send_to_user(session: Session, user: User, payload: dict, *, vapid_key, subject: str, ttl: int) -> dict:
    """Send to every subscription the person has; forget those that are gone."""
    sent = gone = failed = 0
    for sub in subscriptions_of(session, user):
        result = sender.send(
            {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
            payload, vapid_key=vapid_key, subject=subject, ttl=ttl,
        )
        if result.ok:
            sent += 1
            sub.last_sent_at = utcnow()
        elif result.gone:
            gone += 1
            session.delete(sub)
        else:
            failed += 1
    session.flush()
    return {"sent": sent, "gone": gone, "failed": failed}
