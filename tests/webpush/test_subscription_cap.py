"""At most MAX_PER_PERSON Web Push subscriptions a person (issue 12, item 7):
a new phone replaces the least recently used, never fails to subscribe."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app.accounts.services import find_by_email
from app.webpush.models import WebPushSubscription
from app.webpush.services import MAX_PER_PERSON
from tests.webpush.test_subscriptions_api import Browser

SERVICE = "https://fcm.googleapis.com/fcm/send/"
LONG_AGO = datetime(2026, 1, 1, tzinfo=timezone.utc)


def old_phones(session, email, count, *, used_last=None):
    """``count`` subscriptions made a day apart from LONG_AGO; ``used_last``: the
    index of one that was reached by a message recently (so is the most recently used)."""
    user = find_by_email(session, email)
    for n in range(count):
        keys = Browser("").subscription["keys"]
        session.add(WebPushSubscription(
            user_id=user.id, endpoint=f"{SERVICE}{email}-{n}", p256dh=keys["p256dh"], auth=keys["auth"],
            created_at=LONG_AGO + timedelta(days=n),
            last_sent_at=LONG_AGO + timedelta(days=300) if n == used_last else None))
    session.commit()


def endpoints_of(session, email):
    session.rollback()  # a fresh read: what the requests committed
    user = find_by_email(session, email)
    return set(session.scalars(select(WebPushSubscription.endpoint).where(WebPushSubscription.user_id == user.id)))


def subscribe(api_client, name):
    subscription = Browser(SERVICE + name).subscription
    return api_client.post("/api/webpush/subscriptions", json=subscription)


def test_the_cap_is_ten():
    assert MAX_PER_PERSON == 10


def test_a_new_phone_beyond_the_cap_replaces_the_least_recently_used(api, demo, session):
    old_phones(session, "amira@demo.test", MAX_PER_PERSON, used_last=0)  # the oldest, but used lately
    old_phones(session, "ben@demo.test", 3)
    amira = api("amira@demo.test")

    assert subscribe(amira, "new-phone").status_code == 201
    kept = endpoints_of(session, "amira@demo.test")
    assert len(kept) == MAX_PER_PERSON
    assert SERVICE + "new-phone" in kept
    assert SERVICE + "amira@demo.test-0" in kept  # made first, but reached by a message most recently
    assert SERVICE + "amira@demo.test-1" not in kept  # the least recently used
    assert len(endpoints_of(session, "ben@demo.test")) == 3  # no one else's

    assert subscribe(amira, "newer-phone").status_code == 201
    kept = endpoints_of(session, "amira@demo.test")
    assert len(kept) == MAX_PER_PERSON and SERVICE + "amira@demo.test-2" not in kept
    assert {SERVICE + "new-phone", SERVICE + "newer-phone"} <= kept


def test_subscribing_again_from_the_same_phone_replaces_nothing(api, demo, session):
    old_phones(session, "amira@demo.test", MAX_PER_PERSON)
    amira = api("amira@demo.test")
    again = Browser(SERVICE + "amira@demo.test-0").subscription
    assert amira.post("/api/webpush/subscriptions", json=again).status_code == 201
    assert len(endpoints_of(session, "amira@demo.test")) == MAX_PER_PERSON


def test_a_phone_taken_over_from_another_account_counts_too(api, demo, session):
    old_phones(session, "amira@demo.test", MAX_PER_PERSON)
    old_phones(session, "ben@demo.test", 1)
    shared = Browser(SERVICE + "ben@demo.test-0").subscription  # the same phone, now signed in as Amira
    assert api("amira@demo.test").post("/api/webpush/subscriptions", json=shared).status_code == 201
    kept = endpoints_of(session, "amira@demo.test")
    assert len(kept) == MAX_PER_PERSON and SERVICE + "ben@demo.test-0" in kept
    assert SERVICE + "amira@demo.test-0" not in kept
    assert session.scalar(select(func.count()).select_from(WebPushSubscription)) == MAX_PER_PERSON
