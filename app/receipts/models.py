"""Who uploaded which receipt. Not synced: phones hold their own photos."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

CONTENT_TYPES = ("image/jpeg", "image/png", "application/pdf")


class Receipt(Base):
    """One uploader's copy of a receipt's bytes.

    The key is (sha256, uploaded_by_id): the same bytes uploaded by a second
    person are kept once on disk, and a second row records that they have
    them too, so each may read them (and the coordinators of each one's area).
    """

    __tablename__ = "receipts"
    __table_args__ = (
        CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'application/pdf')", name="content_type"),
        CheckConstraint("size_bytes > 0", name="size_bytes"),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
