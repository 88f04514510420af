"""Office services for pairs: a volunteer joins or leaves, a pair stops or restarts; a volunteer's current pair."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import ClientAssignment
from app.db import utcnow
from app.sync.changes import lock_counter
from app.scope import client_entered_scope, client_left_scope, current_pair_ids
from app.volunteers import compliance
from app.volunteers.models import ComplianceCheck, MentorPair, PairMembership

PAIR_SIZE = 2


class PairError(ValueError):
    """A change to a pair that breaks its rules; the message says why."""


def pair_client_ids(session: Session, pair: MentorPair):
    return list(session.scalars(
        select(ClientAssignment.client_id).where(ClientAssignment.pair_id == pair.id, ClientAssignment.ended_at.is_(None))
    ))


def current_members(session: Session, pair: MentorPair) -> list[PairMembership]:
    return list(session.scalars(
        select(PairMembership).where(PairMembership.pair_id == pair.id, PairMembership.left_at.is_(None))
    ))


def join_pair(session: Session, pair: MentorPair, volunteer: User) -> PairMembership:
    if volunteer.role != "volunteer" or not volunteer.active:
        raise PairError("Only active volunteers can join a pair.")
    members = current_members(session, pair)
    if any(m.user_id == volunteer.id for m in members):
        raise PairError(f"{volunteer.name} is already in pair {pair.name}.")
    if len(members) >= PAIR_SIZE:
        raise PairError(f"Pair {pair.name} already has two mentors.")
    lock_counter(session)
    membership = PairMembership(pair_id=pair.id, user_id=volunteer.id)
    session.add(membership)
    session.flush()
    for client_id in pair_client_ids(session, pair):
        client_entered_scope(session, client_id)
    return membership


def leave_pair(session: Session, membership: PairMembership) -> None:
    if membership.left_at is not None:
        return
    lock_counter(session)
    membership.left_at = utcnow()
    pair = session.get(MentorPair, membership.pair_id)
    for client_id in pair_client_ids(session, pair):
        client_left_scope(session, client_id, pair_id=pair.id, area_id=pair.area_id)


def set_pair_active(session: Session, pair: MentorPair, active: bool) -> None:
    if pair.active == active:
        return
    lock_counter(session)
    pair.active = active
    session.flush()
    for client_id in pair_client_ids(session, pair):
        if active:
            client_entered_scope(session, client_id)
        else:
            client_left_scope(session, client_id, pair_id=pair.id, area_id=pair.area_id)


def current_pair(session: Session, user: User, day=None) -> dict | None:
    """A volunteer's current pair (app.scope.current_pair_ids) with its
    current members, the user included, by name; None for office roles or a
    volunteer in no active pair. Should a volunteer be in two pairs at once,
    the first by name is given. ``cleared`` is false when a member lacks a
    valid check on ``day`` (today by default): ``missing`` then says who
    lacks which, and ``office`` names the area's coordinators to call."""
    if user.role != "volunteer" or not user.active:
        return None
    rows = session.execute(
        select(MentorPair.id, MentorPair.name, User.id, User.name)
        .join(PairMembership, PairMembership.pair_id == MentorPair.id)
        .join(User, User.id == PairMembership.user_id)
        .where(MentorPair.id.in_(current_pair_ids(user)), PairMembership.left_at.is_(None))
        .order_by(MentorPair.name, MentorPair.id, User.name, User.id)
    ).all()
    if not rows:
        return None
    pair_id, pair_name = rows[0][0], rows[0][1]
    from app.volunteers.lapses import office_contacts, lapsed_members  # lapses imports this module
    from app import scope
    missing = lapsed_members(session, [pair_id], day or scope.today())[pair_id]
    return {
        "id": str(pair_id),
        "name": pair_name,
        "members": [{"id": str(member_id), "name": member_name}
                    for row_pair, _, member_id, member_name in rows if row_pair == pair_id],
        # The compliance gate (app/volunteers/lapses.py): not cleared, no client data on the phones.
        "cleared": not missing,
        "missing": missing,
        "office": office_contacts(session, pair_id) if missing else [],
    }


def compliance_checks(session: Session, user_ids) -> dict:
    """Each volunteer's checks as plain values (app/volunteers/compliance.py)."""
    found = {user_id: [] for user_id in user_ids}
    rows = session.scalars(select(ComplianceCheck).where(ComplianceCheck.user_id.in_(list(found))))
    for row in rows:
        found[row.user_id].append(compliance.Check(row.kind, row.completed_on, row.expires_on))
    return found


def missing_checks(session: Session, user_id, day) -> list[str]:
    """The checks a volunteer lacks on ``day`` to meet clients (none: cleared)."""
    return compliance.missing_on(compliance_checks(session, [user_id])[user_id], day)


# -- The office's pair pages (app/pairs): make a pair, change its members, end or restart it. --
# Each refuses with a PairError whose message says why; none changes anything when it refuses.
PAIR_NAME_MAX = 120


def not_cleared_reason(session: Session, volunteer: User, day) -> str | None:
    """Why ``volunteer`` may not be in an active pair on ``day`` (None: cleared)."""
    missing = missing_checks(session, volunteer.id, day)
    if not missing:
        return None
    return f"{volunteer.name} is not cleared to meet clients: no valid " + \
        ", ".join(compliance.NAMES[kind] for kind in missing) + "."


def _check_volunteer(session: Session, volunteer: User, area_id, day) -> None:
    if volunteer.role != "volunteer" or not volunteer.active:
        raise PairError(f"{volunteer.name} is not an active volunteer.")
    if volunteer.area_id != area_id:
        raise PairError(f"{volunteer.name} volunteers in another area.")
    reason = not_cleared_reason(session, volunteer, day)
    if reason:
        raise PairError(reason)


def create_pair(session: Session, name: str, area_id, volunteers: list[User], day) -> MentorPair:
    """A new active pair of two cleared volunteers of ``area_id``."""
    name = (name or "").strip()
    if not name:
        raise PairError("Enter a name for the pair.")
    if len(name) > PAIR_NAME_MAX:
        raise PairError(f"The pair's name must be {PAIR_NAME_MAX} characters or fewer.")
    if len(volunteers) != PAIR_SIZE or volunteers[0].id == volunteers[1].id:
        raise PairError("Choose two different volunteers: mentors always visit in pairs.")
    for volunteer in volunteers:
        _check_volunteer(session, volunteer, area_id, day)
    taken = session.scalar(select(MentorPair.id).where(MentorPair.area_id == area_id, MentorPair.name == name))
    if taken is not None:
        raise PairError(f"There is already a pair called {name} in this area.")
    pair = MentorPair(name=name, area_id=area_id, active=True)
    session.add(pair)
    session.flush()
    for volunteer in volunteers:
        join_pair(session, pair, volunteer)
    return pair


def add_member(session: Session, pair: MentorPair, volunteer: User, day) -> PairMembership:
    """Put a volunteer in the pair: of its area and, if the pair is active, cleared."""
    if volunteer.role != "volunteer" or not volunteer.active:
        raise PairError(f"{volunteer.name} is not an active volunteer.")
    if volunteer.area_id != pair.area_id:
        raise PairError(f"{volunteer.name} volunteers in another area.")
    if pair.active:
        reason = not_cleared_reason(session, volunteer, day)
        if reason:
            raise PairError(reason + " Only cleared volunteers can be in an active pair.")
    return join_pair(session, pair, volunteer)


def remove_member(session: Session, pair: MentorPair, volunteer_id) -> None:
    membership = next((m for m in current_members(session, pair) if m.user_id == volunteer_id), None)
    if membership is None:
        raise PairError(f"That volunteer is not in pair {pair.name}.")
    leave_pair(session, membership)


def end_pair(session: Session, pair: MentorPair) -> None:
    """Stop a pair; refused while it still has clients (reassign them first)."""
    if not pair.active:
        raise PairError(f"Pair {pair.name} has already ended.")
    count = len(pair_client_ids(session, pair))
    if count:
        raise PairError(f"Pair {pair.name} still has {count} client{'' if count == 1 else 's'}. "
                        "Move them to another pair first.")
    set_pair_active(session, pair, False)


def restart_pair(session: Session, pair: MentorPair, day) -> None:
    """Make an ended pair active again: two current members, both cleared."""
    if pair.active:
        raise PairError(f"Pair {pair.name} is already active.")
    members = current_members(session, pair)
    if len(members) != PAIR_SIZE:
        raise PairError(f"Pair {pair.name} needs two members before it can restart.")
    for membership in members:
        reason = not_cleared_reason(session, session.get(User, membership.user_id), day)
        if reason:
            raise PairError(reason)
    set_pair_active(session, pair, True)


# -- The office's volunteer pages (app/volunteers/views.py): the list, a
# volunteer's record, recording a check, the home page's warnings. ----------
DBS_CERTIFICATE_DIGITS = 12
DBS_LEVEL_NAMES = {"basic": "Basic", "standard": "Standard", "enhanced": "Enhanced",
                   "enhanced_barred": "Enhanced with barred lists"}


class ComplianceError(ValueError):
    """A check that cannot be recorded; ``fields`` maps each form field to what is wrong."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(" ".join(fields.values()))
        self.fields = fields


def _parse_day(text: str):
    from datetime import date
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def record_check(session: Session, volunteer: User, *, kind: str, completed_on: str, expires_on: str,
                 dbs_certificate_number: str, dbs_level: str, recorded_by: User, day) -> ComplianceCheck:
    """Record a check as the office typed it (dates as YYYY-MM-DD). A new
    check never changes an older one: the newest of a kind is the one in
    force, the others are its history. Refused with a ComplianceError when:
    the kind is unknown; the completion date is missing, not a date or after
    ``day``; the expiry date is not a date or not after the completion date;
    for a DBS check, the certificate number is not 12 digits or the level is
    missing; for any other check, a certificate number or level is given."""
    errors: dict[str, str] = {}
    if volunteer.role != "volunteer":
        raise ComplianceError({"kind": "Checks are recorded for volunteers only."})
    if kind not in compliance.REQUIRED:
        errors["kind"] = "Choose which check this is"
    done = _parse_day(completed_on)
    if not (completed_on or "").strip():
        errors["completed_on"] = "Enter the date the check was completed"
    elif done is None:
        errors["completed_on"] = "Enter the completion date as a real date, for example 27 3 2026"
    elif done > day:
        errors["completed_on"] = "The completion date cannot be in the future"
    expires = None
    if (expires_on or "").strip():
        expires = _parse_day(expires_on)
        if expires is None:
            errors["expires_on"] = "Enter the expiry date as a real date, for example 27 3 2029"
        elif done is not None and expires <= done:
            errors["expires_on"] = "The expiry date must be after the completion date"
    number = "".join((dbs_certificate_number or "").split())
    level = (dbs_level or "").strip()
    if kind == "dbs":
        if not number:
            errors["dbs_certificate_number"] = "Enter the DBS certificate number"
        elif not (number.isascii() and number.isdigit() and len(number) == DBS_CERTIFICATE_DIGITS):
            errors["dbs_certificate_number"] = f"The DBS certificate number must be {DBS_CERTIFICATE_DIGITS} digits"
        if level not in DBS_LEVEL_NAMES:
            errors["dbs_level"] = "Choose the level of the DBS check"
    elif kind in compliance.REQUIRED:
        if number:
            errors["dbs_certificate_number"] = "Only a DBS check has a certificate number: leave it empty for " \
                                               f"{compliance.NAMES[kind].lower()}"
        if level:
            errors["dbs_level"] = "Only a DBS check has a level: choose “Not a DBS check” for " \
                                  f"{compliance.NAMES[kind].lower()}"
    if errors:
        raise ComplianceError(errors)
    check = ComplianceCheck(user_id=volunteer.id, kind=kind, completed_on=done, expires_on=expires,
                            dbs_certificate_number=number if kind == "dbs" else None,
                            dbs_level=level if kind == "dbs" else None, recorded_by_id=recorded_by.id)
    session.add(check)
    session.flush()
    from app.volunteers.lapses import recheck_pair_clearance  # lapses imports this module
    for pair in session.scalars(select(MentorPair).where(MentorPair.id.in_(current_pair_ids(volunteer)))):
        recheck_pair_clearance(session, pair, day)
    return check


def check_history(session: Session, volunteer_id) -> dict[str, list[ComplianceCheck]]:
    """Every check of each required kind, newest first (by completion, then when recorded)."""
    history: dict[str, list[ComplianceCheck]] = {kind: [] for kind in compliance.REQUIRED}
    rows = session.scalars(select(ComplianceCheck).where(ComplianceCheck.user_id == volunteer_id)
                           .order_by(ComplianceCheck.completed_on.desc(), ComplianceCheck.recorded_at.desc()))
    for row in rows:
        history.setdefault(row.kind, []).append(row)
    return history


def in_force(checks: list[ComplianceCheck], day) -> ComplianceCheck | None:
    """The check of a kind that counts on ``day``: of those valid then, the one lasting longest."""
    valid = [c for c in checks if compliance.Check(c.kind, c.completed_on, c.expires_on).valid_on(day)]
    return max(valid, key=lambda c: (c.expires_on is None, c.expires_on or c.completed_on), default=None)


def volunteer_pairs(session: Session, user_ids) -> dict:
    """Each volunteer's current active pairs' names (usually one)."""
    found = {user_id: [] for user_id in user_ids}
    rows = session.execute(
        select(PairMembership.user_id, MentorPair.id, MentorPair.name)
        .join(MentorPair, MentorPair.id == PairMembership.pair_id)
        .where(PairMembership.user_id.in_(list(found)), PairMembership.left_at.is_(None), MentorPair.active)
        .order_by(MentorPair.name)).all()
    for user_id, pair_id, name in rows:
        found[user_id].append({"id": pair_id, "name": name})
    return found


def volunteer_rows(session: Session, volunteers: list[User], day) -> list[dict]:
    """For the list: each volunteer with what they lack on ``day`` (check names) and their pairs."""
    checks = compliance_checks(session, [v.id for v in volunteers])
    pairs = volunteer_pairs(session, [v.id for v in volunteers])
    return [{"volunteer": v, "pairs": pairs[v.id],
             "missing": [compliance.NAMES[k] for k in compliance.missing_on(checks[v.id], day)]}
            for v in volunteers]


def office_warnings(session: Session, volunteers: list[User], day) -> dict:
    """The home page's compliance warnings for ``volunteers`` (the active ones
    in the user's scope) on ``day``: ``expiring``, every check in force that
    expires within 60 days (with the nearest of 60/30/7 reached), soonest
    first; ``not_cleared``, the volunteers who lack a check, by name."""
    checks = compliance_checks(session, [v.id for v in volunteers])
    expiring, not_cleared = [], []
    for v in volunteers:
        for w in compliance.expiry_warnings(checks[v.id], day):
            expiring.append({"volunteer": v, "check": compliance.NAMES[w.kind], "expires_on": w.expires_on,
                             "days_left": w.days_left, "threshold": w.threshold})
        missing = compliance.missing_on(checks[v.id], day)
        if missing:
            not_cleared.append({"volunteer": v, "missing": [compliance.NAMES[k] for k in missing]})
    expiring.sort(key=lambda w: (w["expires_on"], w["volunteer"].name, w["check"]))
    not_cleared.sort(key=lambda n: n["volunteer"].name)
    return {"expiring": expiring, "not_cleared": not_cleared}
