"""Columns every record that phones hold carries, so it can sync.

- ``id``: a UUID made on the phone (or the server for office-made records);
- ``rev``: grows by one on every accepted change of this record;
- ``seq``: the server-wide change sequence number of its last change, which
  pull cursors follow (see app/sync/changes.py);
- ``deleted_at``: a tombstone instead of a hard delete;
- who created and last changed it, and when (server clock).
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.db import new_id, utcnow


class SyncedRecord:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    rev: Mapped[int] = mapped_column(default=1)
    seq: Mapped[int] = mapped_column(BigInteger, index=True, default=0)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def created_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def updated_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id"))

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None
