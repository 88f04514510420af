"""What the sync engine keeps: stored results of mutations (idempotency),
conflicts, and scope events (owners leaving someone's scope).

Records are named by kind and id, and their owners by owner type and id
(app/sync/owners.py), so these tables hold no foreign key to a feature's table.
"""
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
    record_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    result: Mapped[dict] = mapped_column(JSON)
    # The rev the mutation gave its record; None if it wrote nothing (rejected,
    # a no-op, a conflict only, already deleted). The rev in ``result`` is not
    # this: a no-op answers a rev someone else may have written.
    wrote_rev: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncConflict(Base):
    """A field both sides changed: the server kept ``theirs``; ``mine`` waits
    here until a person settles it. ``field`` is ``_deleted`` when a delete
    met an edit."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (
        Index("ix_sync_conflicts_open", "owner_id", sqlite_where=text("resolved_at IS NULL"),
              postgresql_where=text("resolved_at IS NULL")),
        # Pull lists the conflicts settled in the last few days.
        Index("ix_sync_conflicts_resolved_at", "resolved_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID] = mapped_column(index=True)
    owner_type: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[uuid.UUID]
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
    """An owner left the scope of an audience (a client reassigned or closed,
    a mentor left the pair, the pair stopped: audience "pair" or "area", see
    app/scope.py). Pull turns these into ``removed`` for the users of that
    audience who no longer have the owner in scope."""

    __tablename__ = "sync_scope_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    owner_type: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[uuid.UUID]
    audience_kind: Mapped[str] = mapped_column(String(20))
    audience_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
