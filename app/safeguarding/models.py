"""The history of what the office did about a concern (append-only)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, new_id, utcnow

# acknowledged: a coordinator has read it (no text); action: something done
# or decided; outcome: how it ended, which closes the concern.
ENTRY_KINDS = ("acknowledged", "action", "outcome")
MAX_ENTRY_TEXT = 5000


class ConcernAction(Base):
    """One entry of a concern's history. Rows are only ever added."""

    __tablename__ = "concern_actions"
    __table_args__ = (CheckConstraint("kind IN ('acknowledged', 'action', 'outcome')", name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    concern_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("concerns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
