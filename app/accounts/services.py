"""Account services: signing in and creating accounts."""
from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import sign_ins
from app.accounts.models import ROLES, User
from app.accounts.passwords import hash_password, password_problem, verify_password
from app.areas.models import Area
from app.db import utcnow


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


# -- First-time passwords ---------------------------------------------------
# The office gives a volunteer a first-time password (a new account, or a reset
# for one who forgot theirs). It is shown once, on the office's confirmation
# page, and never kept anywhere but as a hash. Both sign-ins refuse it until the
# person has set their own at /account/new-password.

# No look-alikes (0/o, 1/l/i): read off a screen and typed on a phone.
FIRST_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
FIRST_PASSWORD_GROUPS = 4  # four groups of four: about 79 bits


def generate_first_password() -> str:
    """A strong, readable first-time password, such as ``k7mq-x4pt-9hwr-c3nd``."""
    return "-".join("".join(secrets.choice(FIRST_PASSWORD_ALPHABET) for _ in range(4))
                    for _ in range(FIRST_PASSWORD_GROUPS))


def create_volunteer(session: Session, *, name: str, email: str, area: Area | None) -> tuple[User, str]:
    """A volunteer's account with a first-time password, which is returned
    (to show once) and must be changed at first sign-in."""
    password = generate_first_password()
    errors: dict[str, list[str]] = {}
    if area is None:
        errors["area_id"] = ["Choose the volunteer's area."]
    if len(name.strip()) > 120:
        errors["name"] = ["The name must be 120 characters or fewer."]
    try:
        user = create_user(session, email=email, name=name, role="volunteer", password=password,
                           area_name=area.name if area else None)
    except AccountError as err:
        err.fields.pop("area", None)
        errors = {**err.fields, **errors}
    if errors:
        raise AccountError(errors)
    user.must_change_password = True
    return user, password


def reset_first_password(session: Session, user: User) -> str:
    """Give ``user`` a new first-time password (returned, to show once): the
    old password stops working, every session ends, and the person must set
    their own at next sign-in."""
    password = generate_first_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    sign_ins.end_all(session, user, reason="password_changed", now=utcnow())
    session.flush()
    return password


def set_own_password(session: Session, *, email: str, current: str, new: str, repeat: str) -> User:
    """Replace a first-time password with the person's own. Refused (an
    AccountError, nothing changed) when the email and first-time password do
    not match, the account has no first-time password to change, the new one
    is shorter than the minimum, differs from its repeat or is the same as
    the first-time one."""
    errors: dict[str, list[str]] = {}
    if not email.strip():
        errors["email"] = ["Enter your email address."]
    if not current:
        errors["current_password"] = ["Enter the first-time password the office gave you."]
    if not new:
        errors["new_password"] = ["Enter a new password."]
    elif password_problem(new):
        errors["new_password"] = [f"Your new password is too short. {password_problem(new)}"]
    elif current and new == current:
        errors["new_password"] = ["Choose a new password that is different from the first-time password."]
    if new and not repeat:
        errors["repeat_password"] = ["Type your new password again."]
    elif new and repeat != new:
        errors["repeat_password"] = ["The two new passwords are different. Type the same password twice."]
    if errors:
        raise AccountError(errors)
    user = authenticate(session, email, current)
    if user is None:
        raise AccountError({"email": ["Email or first-time password is incorrect."]})
    if not user.must_change_password:
        raise AccountError({"email": ["This account already has its own password: sign in with it. "
                                      "If you have forgotten it, ask your coordinator for a new first-time password."]})
    user.password_hash = hash_password(new)
    user.must_change_password = False
    sign_ins.end_all(session, user, reason="password_changed", now=utcnow())
    session.flush()
    return user
