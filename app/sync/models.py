"""What the sync engine keeps: stored results of mutations (idempotency),
conflicts, and scope events (clients leaving someone's scope)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, new_id, utcnow


class SyncMutation(Base):
    """The stored result of one mutation, so a replay writes nothing again."""

    __tablename__ = "sync_mutations"

    mutation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[uuid.UUID | None]
    kind: Mapped[str | None] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID | None]
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncConflict(Base):
    """A field both sides changed: the server kept ``theirs``; ``mine`` waits
    here until a person settles it. ``field`` is ``_deleted`` when a delete
    met an edit."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (
        Index("ix_sync_conflicts_open", "client_id", sqlite_where=text("resolved_at IS NULL"),
              postgresql_where=text("resolved_at IS NULL")),
        # Pull lists the conflicts settled in the last few days.
        Index("ix_sync_conflicts_resolved_at", "resolved_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID] = mapped_column(index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    field: Mapped[str] = mapped_column(String(40))
    base: Mapped[object | None] = mapped_column(JSON)
    mine: Mapped[object | None] = mapped_column(JSON)
    theirs: Mapped[object | None] = mapped_column(JSON)
    raised_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    mutation_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolved_by_mutation_id: Mapped[uuid.UUID | None]


class ScopeEvent(Base):
    """A client's scope changed (reassigned, closed, a mentor left the pair,
    the pair stopped). Pull turns these into ``removed`` for whoever lost it."""

    __tablename__ = "sync_scope_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    pair_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("mentor_pairs.id"))
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
