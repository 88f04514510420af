"""Account services: signing in and creating accounts."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import ROLES, User
from app.accounts.passwords import hash_password, password_problem, verify_password
from app.areas.models import Area


class AccountError(ValueError):
    """Bad input for an account; ``fields`` maps field names to messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the email and password match an active account, else None.

    Unknown email, wrong password and inactive account look the same to the
    caller, and take the same time.
    """
    user = find_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


def load_user_by_login_id(session: Session, login_id: str) -> User | None:
    """Flask-Login's user loader: ``<uuid>:<session token>``."""
    user_id, _, token = login_id.partition(":")
    try:
        uid = uuid.UUID(user_id)
    except ValueError:
        return None
    user = session.get(User, uid)
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def create_user(
    session: Session, *, email: str, name: str, role: str, password: str, area_name: str | None = None
) -> User:
    errors: dict[str, list[str]] = {}
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        errors["email"] = ["Enter an email address like name@example.org."]
    elif find_by_email(session, email):
        errors["email"] = ["An account with this email already exists."]
    if not name.strip():
        errors["name"] = ["Enter the person's name."]
    if role not in ROLES:
        errors["role"] = [f"Role must be one of: {', '.join(ROLES)}."]
    problem = password_problem(password)
    if problem:
        errors["password"] = [problem]
    area = None
    if area_name:
        area = session.scalar(select(Area).where(func.lower(Area.name) == area_name.strip().lower()))
        if area is None:
            known = ", ".join(session.scalars(select(Area.name).order_by(Area.name))) or "none yet"
            errors["area"] = [f"No area called {area_name!r} (known: {known})."]
    elif role in ("volunteer", "coordinator"):
        errors["area"] = ["Volunteers and coordinators need an area."]
    if errors:
        raise AccountError(errors)
    user = User(email=email, name=name.strip(), role=role, area=area, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user
