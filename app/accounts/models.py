"""People who sign in: volunteers, coordinators and admins."""
from __future__ import annotations

import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.db import Base, new_id, utcnow

ROLES = ("volunteer", "coordinator", "admin")
# Who may use the office pages; mentors (volunteers) use the field app.
OFFICE_ROLES = ("coordinator", "admin")


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('volunteer', 'coordinator', 'admin')", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when the office gives a first-time password (a new account, or a
    # reset): both sign-ins refuse until the person sets their own password.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    area: Mapped[Area | None] = relationship()

    # Flask-Login. The login id names one sign-in (app/accounts/sign_ins.py):
    # set when the person signs in, or when a cookie is read back.
    login_id = None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        return self.login_id

    @property
    def uses_office(self) -> bool:
        return self.role in OFFICE_ROLES


# Why a sign-in ended. Only "revoked" (the office or an admin, for a lost
# phone) and "deactivated" make the field app wipe what the phone holds; the
# others ask the person to sign in again and keep the phone's data.
END_REASONS = ("signed_out", "revoked", "deactivated", "password_changed", "idle", "expired")
WIPING_REASONS = ("revoked", "deactivated")


class SignIn(Base):
    """One signed-in browser or phone. The cookies carry its id and a secret;
    only the secret's hash is kept, so a copy of the database signs nobody in.
    Ending it (sign-out, revocation, idle or expiry) makes every copy of its
    session and remember cookies worthless, and leaves the person's other
    phones signed in."""

    __tablename__ = "sign_ins"
    __table_args__ = (
        CheckConstraint("app IN ('field', 'office')", name="app"),
        CheckConstraint("end_reason IS NULL OR end_reason IN "
                        "('signed_out', 'revoked', 'deactivated', 'password_changed', 'idle', 'expired')",
                        name="end_reason"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    app: Mapped[str] = mapped_column(String(10))
    # What the browser said it was, to tell one phone from another in the office.
    device: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))
    ended_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
