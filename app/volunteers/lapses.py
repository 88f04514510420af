"""The compliance gate over time: pairs blocked because a member's checks lapsed.

A pair whose current members are not all cleared today (app/volunteers/
compliance.py) gets no client data on its phones: app/scope.py decides that
from the checks themselves. What scope cannot do alone is tell the phones,
because a check lapses at midnight with no request to hang it on. This sweep
does, and keeps the state that makes it idempotent: one ``pair_blocks`` row
per blocked pair, with when it was blocked and why.

- A pair that became blocked: every client of the pair leaves the pair's
  scope (the phones wipe them at their next pull), and a row is written.
- A pair that is cleared again (or ended, or emptied): its row goes and, if
  it is still active, every client enters scope again (its records come
  back down at the next pull).

The sweep takes the sync counter's lock first, so two sweeps (or a sweep and
an office change) at once queue rather than both acting. With nothing
changed it reads the pairs and checks in one query and takes no lock.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.accounts.models import User
from app.clients.models import ClientAssignment
from app.db import Base, utcnow
from app import scope
from app.scope import client_entered_scope, client_left_scope, uncleared_pair_ids
from app.sync.changes import lock_counter
from app.volunteers import compliance
from app.volunteers.models import MentorPair, PairMembership

REASON_MAX = 1000


class PairBlock(Base):
    """A pair the compliance gate has blocked, since when and why (who lacks which checks)."""

    __tablename__ = "pair_blocks"

    pair_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mentor_pairs.id"), primary_key=True)
    blocked_since: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(REASON_MAX))


def lapsed_members(session: Session, pair_ids, day: date) -> dict[uuid.UUID, list[dict]]:
    """For each pair given, its current members who are not cleared on
    ``day``: [{"name", "checks": [names of the missing checks]}], by name.
    A pair whose members are all cleared maps to []."""
    rows = session.execute(
        select(PairMembership.pair_id, User.id, User.name)
        .join(User, User.id == PairMembership.user_id)
        .where(PairMembership.pair_id.in_(list(pair_ids)), PairMembership.left_at.is_(None))
        .order_by(User.name, User.id)
    ).all()
    from app.volunteers.services import compliance_checks  # services imports app.scope, which imports us
    checks = compliance_checks(session, {user_id for _, user_id, _ in rows})
    found: dict[uuid.UUID, list[dict]] = {pair_id: [] for pair_id in pair_ids}
    for pair_id, user_id, name in rows:
        missing = compliance.missing_on(checks[user_id], day)
        if missing:
            found[pair_id].append({"name": name, "checks": [compliance.NAMES[kind] for kind in missing]})
    return found


def describe(lapsed: list[dict]) -> str:
    """"Ben Walker: no valid DBS check, Police vetting." for each member, joined."""
    return " ".join(f"{m['name']}: no valid {', '.join(m['checks'])}." for m in lapsed)[:REASON_MAX]


def _settle(session: Session, pairs: list[MentorPair], day: date) -> dict:
    """Bring the blocks of ``pairs`` in line with ``day``; the caller holds the counter lock."""
    counts = {"blocked": 0, "unblocked": 0}
    if not pairs:
        return counts
    lapsed = lapsed_members(session, [p.id for p in pairs], day)
    blocks = {b.pair_id: b for b in session.scalars(select(PairBlock).where(PairBlock.pair_id.in_([p.id for p in pairs])))}
    for pair in pairs:
        should_block = pair.active and bool(lapsed[pair.id])
        block = blocks.get(pair.id)
        if should_block and block is None:
            session.add(PairBlock(pair_id=pair.id, reason=describe(lapsed[pair.id])))
            session.flush()
            for client_id in _client_ids(session, pair.id):
                client_left_scope(session, client_id, pair_id=pair.id)
            counts["blocked"] += 1
        elif should_block:
            reason = describe(lapsed[pair.id])
            if block.reason != reason:
                block.reason = reason
        elif block is not None:
            session.delete(block)
            session.flush()
            if pair.active:
                for client_id in _client_ids(session, pair.id):
                    client_entered_scope(session, client_id)
            counts["unblocked"] += 1
    return counts


def _client_ids(session: Session, pair_id) -> list[uuid.UUID]:
    return list(session.scalars(select(ClientAssignment.client_id).where(
        ClientAssignment.pair_id == pair_id, ClientAssignment.ended_at.is_(None))))


def sweep(session: Session, day: date | None = None) -> dict:
    """Block the pairs that lapsed and unblock the pairs fixed, as of ``day``
    (today by default); returns {"blocked": n, "unblocked": n}. Idempotent;
    the caller commits. Run every minute by `flask reminders run`."""
    day = day or scope.today()
    if not _pairs_to_settle(session, day):
        return {"blocked": 0, "unblocked": 0}  # the usual minute: read only, no lock taken
    lock_counter(session)
    return _settle(session, _pairs_to_settle(session, day), day)


def _pairs_to_settle(session: Session, day: date) -> list[MentorPair]:
    """The pairs whose block is not what ``day`` says it should be."""
    blocked_ids = set(session.scalars(select(PairBlock.pair_id)))
    should = set(session.scalars(select(MentorPair.id).where(
        MentorPair.active.is_(True), MentorPair.id.in_(uncleared_pair_ids(day)))))
    differ = blocked_ids ^ should
    if not differ:
        return []
    return list(session.scalars(select(MentorPair).where(MentorPair.id.in_(differ)).order_by(MentorPair.name)))


def recheck_pair_clearance(session: Session, pair: MentorPair, day: date | None = None) -> bool:
    """Judge ``pair`` again at once, after the office records a compliance
    check for one of its members (or changes its members): a pair that is
    now cleared is unblocked and its clients come back to its phones at
    their next pull; a pair that is not is blocked and its phones wipe its
    clients. Call it in the same transaction as the change, before the view
    commits; it takes the sync counter's lock. Returns whether the pair is
    blocked afterwards."""
    lock_counter(session)
    _settle(session, [pair], day or scope.today())
    session.flush()
    return session.get(PairBlock, pair.id) is not None


def blocked_pairs(session: Session, user: User, day: date | None = None) -> list[dict]:
    """The blocked pairs ``user`` oversees (app.scope.pair_scope), for the
    office: pair, since when, who lacks which checks now, by pair name."""
    query = (select(PairBlock, MentorPair).join(MentorPair, MentorPair.id == PairBlock.pair_id)
             .where(MentorPair.id.in_(scope.pair_scope(user))).order_by(MentorPair.name))
    rows = session.execute(query).all()
    lapsed = lapsed_members(session, [pair.id for _, pair in rows], day or scope.today())
    return [{"pair": pair, "since": block.blocked_since, "reason": block.reason,
             "members": [{**m, "said": said(m)} for m in lapsed[pair.id]]}
            for block, pair in rows]


def said(member: dict) -> str:
    """"Ben Walker’s DBS check and safeguarding training are out of date or missing"."""
    names = [n if n.startswith("DBS") else n.lower() for n in member["checks"]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{member['name']}’s {listed} {'is' if len(names) == 1 else 'are'} out of date or missing"


def office_contacts(session: Session, pair_id) -> list[str]:
    """The names of the active coordinators of the pair's area: whom its mentors call."""
    area_id = session.scalar(select(MentorPair.area_id).where(MentorPair.id == pair_id))
    return list(session.scalars(select(User.name).where(
        User.role == "coordinator", User.active.is_(True), User.area_id == area_id).order_by(User.name)))
