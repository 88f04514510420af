"""The server-wide change sequence that pull cursors follow.

Every accepted change of a synced record takes the next number from a
one-row counter, by an UPDATE that holds the row lock until its transaction
ends. So numbers are handed out in commit order: no transaction can commit
number n+1 while number n is still uncommitted. A pull reads the counter
first and asks only for numbers up to it; everything up to that value has
committed, so a cursor never steps past a change that commits late (the
classic lost update of sequence-based cursors on PostgreSQL).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base, utcnow


class ChangeCounter(Base):
    __tablename__ = "sync_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


COUNTER_ID = 1


def ensure_counter(session: Session) -> None:
    if session.get(ChangeCounter, COUNTER_ID) is None:
        session.add(ChangeCounter(id=COUNTER_ID, value=0))
        session.flush()


def take_seqs(session: Session, count: int = 1) -> int:
    """Reserve ``count`` sequence numbers; returns the last one.

    Takes the counter's row lock, held until the transaction ends: call it
    before touching records so every writer locks in the same order.
    """
    with session.no_autoflush:
        last = session.execute(
            update(ChangeCounter)
            .where(ChangeCounter.id == COUNTER_ID)
            .values(value=ChangeCounter.value + count)
            .returning(ChangeCounter.value)
        ).scalar_one_or_none()
    if last is None:
        ensure_counter(session)
        return take_seqs(session, count)
    return last


def lock_counter(session: Session) -> None:
    """Take the counter's row lock now (before reading records to change), so
    that writers queue here instead of deadlocking on records."""
    with session.no_autoflush:
        session.execute(
            update(ChangeCounter).where(ChangeCounter.id == COUNTER_ID).values(value=ChangeCounter.value)
        )


def committed_seq(session: Session) -> int:
    """The highest number that has committed (every lower one has, too)."""
    return session.execute(select(ChangeCounter.value).where(ChangeCounter.id == COUNTER_ID)).scalar() or 0


def stamp(session: Session, record, user_id=None) -> None:
    """Mark an office-side (or seeded) change of a synced record: next seq,
    and a new rev unless this is the record's first stamp."""
    record.rev = (record.rev or 1) + 1 if record.seq else 1
    record.seq = take_seqs(session)
    record.updated_at = utcnow()
    if user_id is not None:
        record.updated_by_id = user_id
