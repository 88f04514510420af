"""People who sign in: volunteers, coordinators and admins."""
from __future__ import annotations

import secrets
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


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


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
    # Part of the login id: changing it signs the user out everywhere
    # (password change, lost phone, deactivation).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    area: Mapped[Area | None] = relationship()

    # Flask-Login
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def uses_office(self) -> bool:
        return self.role in OFFICE_ROLES

    def revoke_sessions(self) -> None:
        self.session_token = new_session_token()
