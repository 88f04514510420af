"""Sign-ins: one row per signed-in phone or browser (docs/operations.md, "A lost phone").

The login id that Flask-Login keeps in the session cookie and the remember
cookie is ``<sign-in id>:<secret>``. Every request reads it back here, and the
server, not the cookie, decides whether it still holds: ended (signed out,
revoked, password changed), idle too long, or past its expiry. A phone can
be revoked alone, or all of a person's at once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import WIPING_REASONS, SignIn, User

# Writing last-seen on every request would make each read a write: once a
# minute is precise enough for timeouts counted in hours and days.
LAST_SEEN_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Timeouts:
    """How long a sign-in lasts, without use (idle) and at most (expiry)."""

    field_idle: timedelta
    field_expiry: timedelta
    office_idle: timedelta
    office_expiry: timedelta

    def idle(self, app: str) -> timedelta:
        return self.field_idle if app == "field" else self.office_idle

    def expiry(self, app: str) -> timedelta:
        return self.field_expiry if app == "field" else self.office_expiry


@dataclass(frozen=True)
class Loaded:
    """What a login id came to: the user, or why not (``wipe`` when the
    phone must delete what it holds)."""

    user: User | None
    sign_in: SignIn | None = None
    wipe: bool = False


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(session: Session, user: User, *, app: str, device: str, now: datetime, timeouts: Timeouts) -> str:
    """Open a sign-in for ``user``; returns the login id for the cookies."""
    secret = secrets.token_urlsafe(24)
    row = SignIn(user_id=user.id, secret_hash=_hash(secret), app=app, device=(device or "")[:200],
                 started_at=now, last_seen_at=now, expires_at=now + timeouts.expiry(app))
    session.add(row)
    session.flush()
    user.login_id = f"{row.id}:{secret}"
    return user.login_id


def load(session: Session, login_id: str, *, now: datetime, timeouts: Timeouts) -> Loaded:
    """The user a login id signs in, if its sign-in still holds. A sign-in
    found idle or expired is ended here, so the office sees why."""
    sign_in_id, _, secret = (login_id or "").partition(":")
    try:
        # One query on every request: the sign-in and its person together.
        row = session.get(SignIn, uuid.UUID(sign_in_id), options=[joinedload(SignIn.user)])
    except ValueError:
        return Loaded(None)
    if row is None or not secret or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        return Loaded(None)
    if row.ended_at is not None:
        return Loaded(None, row, wipe=row.end_reason in WIPING_REASONS)
    user = row.user
    if not user.active:
        end(session, row, reason="deactivated", now=now)
        return Loaded(None, row, wipe=True)
    lapsed = ("expired" if now >= row.expires_at
              else "idle" if now - row.last_seen_at > timeouts.idle(row.app) else None)
    if lapsed:
        end(session, row, reason=lapsed, now=now)
        return Loaded(None, row)
    user.login_id = login_id
    return Loaded(user, row)


def needs_touch(row: SignIn, now: datetime) -> bool:
    return now - row.last_seen_at >= LAST_SEEN_STEP


def touch(session: Session, sign_in_id: uuid.UUID, now: datetime) -> None:
    session.execute(update(SignIn).where(SignIn.id == sign_in_id, SignIn.ended_at.is_(None))
                    .values(last_seen_at=now))


def end(session: Session, row: SignIn, *, reason: str, now: datetime, by: User | None = None) -> None:
    if row.ended_at is None:
        row.ended_at = now
        row.end_reason = reason
        row.ended_by_id = by.id if by else None


def end_all(session: Session, user: User, *, reason: str, now: datetime, by: User | None = None) -> int:
    """End every open sign-in of ``user``; how many there were."""
    rows = open_sign_ins(session, user)
    for row in rows:
        end(session, row, reason=reason, now=now, by=by)
    session.flush()
    return len(rows)


def open_sign_ins(session: Session, user: User) -> list[SignIn]:
    return list(session.scalars(select(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
                                .order_by(SignIn.last_seen_at.desc())))


def find(session: Session, user: User, sign_in_id) -> SignIn | None:
    """One of ``user``'s sign-ins by its id (text or UUID), or None."""
    try:
        wanted = sign_in_id if isinstance(sign_in_id, uuid.UUID) else uuid.UUID(str(sign_in_id))
    except ValueError:
        return None
    row = session.get(SignIn, wanted)
    return row if row is not None and row.user_id == user.id else None


def describe_device(user_agent: str) -> str:
    """A short name for a browser, from its User-Agent, such as "Android phone, Chrome"."""
    ua = user_agent or ""
    system = ("Android phone" if "Android" in ua else "iPhone" if "iPhone" in ua else "iPad" if "iPad" in ua
              else "Windows computer" if "Windows" in ua else "Mac" if "Macintosh" in ua
              else "Linux computer" if "Linux" in ua else "Unknown device")
    browser = ("Edge" if "Edg/" in ua else "Samsung Internet" if "SamsungBrowser" in ua
               else "Firefox" if "Firefox" in ua else "Chrome" if "Chrome" in ua or "Chromium" in ua
               else "Safari" if "Safari" in ua else "")
    return f"{system}, {browser}" if browser else system
