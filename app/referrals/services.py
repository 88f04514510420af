"""Referral services: record an emailed referral, find duplicates, decide,
list. They take a session and plain values and never commit (the view does)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.areas.models import Area
from app.clients.models import Client
from app.days import today as today_in_london
from app.db import utcnow
from app.referrals import eligibility
from app.referrals.models import OUTCOMES, ReferralDecision, ReferralFacts
from app.scope import client_scope, may_access_client
from app.sync.changes import lock_counter, stamp

LONDON = ZoneInfo("Europe/London")
EARLIEST_BIRTH = date(1900, 1, 1)
MAX_TEXT = 5000
MAX_ADDRESS = 1000
LIMITS = {"name": 200, "preferred_name": 100, "referred_by": 200, "referrer_contact": 200, "address": MAX_ADDRESS,
          "main_issues": MAX_TEXT, "desired_outcome": MAX_TEXT, "risks": MAX_TEXT, "other_information": MAX_TEXT}
TEXT_FIELDS = tuple(LIMITS)
FLAGS = ("consent_given", "high_impact_user", "social_isolation", "anxiety")
FIELD_WORDS = {"name": "full name", "preferred_name": "preferred name", "referred_by": "referring agency",
               "referrer_contact": "referrer's contact", "address": "address", "main_issues": "main issues",
               "desired_outcome": "what they want to happen", "risks": "risks",
               "other_information": "other information"}
PHONE_CHARS = re.compile(r"^[0-9 +()\-]+$")
WAITING_CHOICES = (7, 14, 28)
STATUS_FILTERS = {"open": "Waiting or need more information", "waiting": "Waiting for a decision",
                  "more_information": "Need more information", "accepted": "Accepted", "declined": "Declined",
                  "all": "All"}


class ReferralError(ValueError):
    """A referral action that cannot be done; the message says why, for a person."""




# -- recording ---------------------------------------------------------------
@dataclass
class ReferralInput:
    values: dict
    area_id: uuid.UUID | None = None
    date_of_birth: date | None = None
    received_on: date | None = None
    age: int | None = None
    errors: dict = field(default_factory=dict)


def _parse_date(raw: str, what: str) -> tuple[date | None, str | None]:
    raw = (raw or "").strip()
    if not raw:
        return None, None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, f"The {what} must be a real date."


def check_referral(form: dict, *, user: User, session: Session, today: date) -> ReferralInput:
    """Read and check what was typed; ``errors`` maps each field id to a message."""
    values = {name: (form.get(name) or "").strip() for name in (*TEXT_FIELDS, "phone", "date_of_birth",
                                                                "received_on", "area_id")}
    for flag in FLAGS:
        values[flag] = form.get(flag) in ("yes", "on", "true", "1")
    result = ReferralInput(values=values)
    errors = result.errors
    if not values["name"]:
        errors["name"] = "Enter the person's full name."
    if not values["referred_by"]:
        errors["referred_by"] = "Enter the agency that made the referral."
    if not values["main_issues"]:
        errors["main_issues"] = "Enter the main issues the referral describes."
    for name, limit in LIMITS.items():
        if len(values[name]) > limit and name not in errors:
            errors[name] = f"The {FIELD_WORDS[name]} must be {limit:,} characters or fewer."
    phone = values["phone"]
    if phone:
        digits = sum(ch.isdigit() for ch in phone)
        if len(phone) > 40 or not PHONE_CHARS.match(phone):
            errors["phone"] = "Enter a phone number using only digits, spaces, + ( ) and -, like 07700 900123."
        elif not 10 <= digits <= 15:
            errors["phone"] = "A phone number has 10 to 15 digits, like 07700 900123."

    received, problem = _parse_date(values["received_on"], "date received")
    if problem:
        errors["received_on"] = problem
    elif received is None:
        errors["received_on"] = "Enter the date the referral was received."
    elif received > today:
        errors["received_on"] = "The date received cannot be in the future."
    elif received < EARLIEST_BIRTH:
        errors["received_on"] = "The date received must be after 1900."
    result.received_on = received if "received_on" not in errors else None

    born, problem = _parse_date(values["date_of_birth"], "date of birth")
    if problem:
        errors["date_of_birth"] = problem
    elif born is not None:
        if born > today:
            errors["date_of_birth"] = "The date of birth cannot be in the future."
        elif born < EARLIEST_BIRTH:
            errors["date_of_birth"] = "The date of birth must be in 1900 or later."
        elif result.received_on and born > result.received_on:
            errors["date_of_birth"] = "The date of birth must be before the date the referral was received."
    result.date_of_birth = born if "date_of_birth" not in errors else None
    if result.date_of_birth and result.received_on:
        result.age = eligibility.age_on(result.date_of_birth, result.received_on)

    if user.role == "admin":
        area = None
        if values["area_id"]:
            try:
                area = session.get(Area, uuid.UUID(values["area_id"]))
            except ValueError:
                area = None
        if area is None or not area.active:
            errors["area_id"] = "Choose the area the person lives in."
        else:
            result.area_id = area.id
    elif user.area_id is None:
        errors["area_id"] = "Your account has no area, so you cannot record referrals. Ask an admin."
    else:
        result.area_id = user.area_id
    return result


def find_duplicates(session: Session, user: User, area_id: uuid.UUID, name: str, born: date | None) -> list[Client]:
    """Clients or referrals in the area with the same name and date of birth
    (case and spaces ignored), that ``user`` may see."""
    if born is None:
        return []
    wanted = eligibility.normalise_name(name)
    candidates = session.scalars(
        select(Client).where(Client.area_id == area_id, Client.date_of_birth == born, Client.deleted_at.is_(None),
                             Client.id.in_(client_scope(user))).order_by(Client.created_at)
    )
    return [c for c in candidates if eligibility.normalise_name(c.name) == wanted]


def record_referral(session: Session, user: User, data: ReferralInput) -> Client:
    """Add the referral (a client with status "referred") from checked input."""
    if data.errors:
        raise ReferralError("The referral has problems; nothing was saved.")
    v = data.values
    client = Client(
        area_id=data.area_id, status="referred", name=v["name"], preferred_name=v["preferred_name"] or None,
        phone=v["phone"] or None, address=v["address"] or None, date_of_birth=data.date_of_birth,
        age_at_referral=data.age, consent_given=v["consent_given"], high_impact_user=v["high_impact_user"],
        referred_by=v["referred_by"], referrer_contact=v["referrer_contact"] or None,
        referral_received_on=data.received_on, main_issues=v["main_issues"],
        desired_outcome=v["desired_outcome"] or None, risks=v["risks"] or None,
        other_information=v["other_information"] or None, created_by_id=user.id, updated_by_id=user.id,
    )
    lock_counter(session)
    session.add(client)
    stamp(session, client, user.id)
    session.flush()
    session.add(ReferralFacts(client_id=client.id, social_isolation=v["social_isolation"], anxiety=v["anxiety"],
                              recorded_by_id=user.id))
    session.flush()
    return client


# -- one referral --------------------------------------------------------------
@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    outcome: str
    reason: str
    review_on: date | None
    will_to_change: bool
    will_note: str | None
    age_override_reason: str | None
    by: str


def referral_in_scope(session: Session, user: User, client_id: uuid.UUID) -> Client | None:
    if not may_access_client(session, user, client_id):
        return None
    client = session.get(Client, client_id)
    return client if client is not None and client.deleted_at is None else None


def facts_of(session: Session, client: Client) -> ReferralFacts | None:
    return session.get(ReferralFacts, client.id)


def history(session: Session, client_id: uuid.UUID) -> list[HistoryRow]:
    rows = session.execute(
        select(ReferralDecision, User.name).join(User, User.id == ReferralDecision.by_id)
        .where(ReferralDecision.client_id == client_id).order_by(ReferralDecision.created_at, ReferralDecision.id)
    )
    return [HistoryRow(d.created_at, d.outcome, d.reason, d.review_on, d.will_to_change, d.will_note,
                       d.age_override_reason, name) for d, name in rows]


def checklist_for(session: Session, client: Client) -> list[eligibility.Criterion]:
    facts = facts_of(session, client)
    past = history(session, client.id)
    latest = past[-1] if past else None
    return eligibility.checklist(
        age=client.age_at_referral, high_impact_user=client.high_impact_user,
        social_isolation=bool(facts and facts.social_isolation), anxiety=bool(facts and facts.anxiety),
        will_to_change=latest.will_to_change if latest else None, will_note=latest.will_note if latest else None,
        consent_given=client.consent_given,
    )


@dataclass
class DecisionInput:
    outcome: str | None
    reason: str
    review_on: date | None
    will_to_change: bool
    will_note: str
    age_override_reason: str
    errors: dict = field(default_factory=dict)


def check_decision(form: dict, *, age: int | None, today: date) -> DecisionInput:
    outcome = form.get("outcome")
    data = DecisionInput(
        outcome=outcome if outcome in OUTCOMES else None, reason=(form.get("reason") or "").strip(),
        review_on=None, will_to_change=form.get("will_to_change") in ("yes", "on", "true", "1"),
        will_note=(form.get("will_note") or "").strip(),
        age_override_reason=(form.get("age_override_reason") or "").strip(),
    )
    errors = data.errors
    if data.outcome is None:
        errors["outcome"] = "Choose accept, decline or need more information."
    if not data.reason:
        errors["reason"] = "Give the reason for the decision."
    for name, words in (("reason", "reason"), ("will_note", "note"), ("age_override_reason", "reason for the exception")):
        if len(getattr(data, name)) > MAX_TEXT and name not in errors:
            errors[name] = f"The {words} must be {MAX_TEXT:,} characters or fewer."
    if data.outcome == "more_information":
        review, problem = _parse_date(form.get("review_on", ""), "review date")
        if problem:
            errors["review_on"] = problem
        elif review is None:
            errors["review_on"] = "Enter the date to review the referral again."
        elif review < today:
            errors["review_on"] = "The review date must be today or later."
        elif (review - today).days > 366:
            errors["review_on"] = "The review date must be within a year."
        data.review_on = review if "review_on" not in errors else None
    if data.outcome == "accepted" and "age_override_reason" not in errors:
        problem = eligibility.accept_problem(age, data.age_override_reason)
        if problem:
            errors["age_override_reason"] = problem
    return data


def decide(session: Session, client: Client, user: User, data: DecisionInput) -> ReferralDecision:
    """Record the decision; accepting makes the client active, declining declined."""
    if data.errors:
        raise ReferralError("The decision has problems; nothing was saved.")
    lock_counter(session)
    session.refresh(client)
    if client.status != "referred":
        raise ReferralError(f"This referral has already been decided ({_status_words(client.status)}). "
                            "Nothing was changed.")
    decision = ReferralDecision(
        client_id=client.id, outcome=data.outcome, reason=data.reason, review_on=data.review_on,
        will_to_change=data.will_to_change, will_note=data.will_note or None,
        age_override_reason=(data.age_override_reason or None) if data.outcome == "accepted" else None,
        by_id=user.id,
    )
    session.add(decision)
    if data.outcome in ("accepted", "declined"):
        client.status = "active" if data.outcome == "accepted" else "declined"
        client.decision_reason = data.reason
        client.decided_at = utcnow()
        stamp(session, client, user.id)
    session.flush()
    return decision


def _status_words(status: str) -> str:
    return {"active": "accepted", "closed": "accepted, since closed", "declined": "declined"}.get(status, status)


# -- the list --------------------------------------------------------------------
@dataclass(frozen=True)
class ListRow:
    id: uuid.UUID
    name: str
    area: str
    referred_by: str | None
    received_on: date | None
    state: str  # waiting, more_information, accepted, declined
    days_waiting: int | None
    review_on: date | None
    review_passed: bool
    under_18: bool


def _state(status: str, latest_outcome: str | None) -> str:
    if status == "referred":
        return "more_information" if latest_outcome == "more_information" else "waiting"
    return "declined" if status == "declined" else "accepted"


def referral_list(session: Session, user: User, *, status: str = "open", area_id: uuid.UUID | None = None,
                  waiting_over: int | None = None, today: date | None = None) -> list[ListRow]:
    today = today or today_in_london()
    latest = (
        select(ReferralDecision.client_id, func.max(ReferralDecision.created_at).label("at"))
        .group_by(ReferralDecision.client_id).subquery()
    )
    query = (
        select(Client, Area.name, ReferralDecision.outcome, ReferralDecision.review_on)
        .join(Area, Area.id == Client.area_id)
        .outerjoin(latest, latest.c.client_id == Client.id)
        .outerjoin(ReferralDecision, (ReferralDecision.client_id == Client.id)
                   & (ReferralDecision.created_at == latest.c.at))
        .where(Client.id.in_(client_scope(user)), Client.deleted_at.is_(None))
    )
    if area_id is not None:
        query = query.where(Client.area_id == area_id)
    rows = []
    for client, area_name, outcome, review_on in session.execute(query):
        state = _state(client.status, outcome)
        if status == "open" and state not in ("waiting", "more_information"):
            continue
        if status not in ("open", "all") and state != status:
            continue
        received = client.referral_received_on or client.created_at.astimezone(LONDON).date()
        open_ = state in ("waiting", "more_information")
        if open_:
            days = (today - received).days
        elif client.decided_at is not None:
            days = (client.decided_at.astimezone(LONDON).date() - received).days
        else:
            days = None
        if waiting_over is not None and (not open_ or days is None or days <= waiting_over):
            continue
        review = review_on if state == "more_information" else None
        rows.append(ListRow(client.id, client.name, area_name, client.referred_by, client.referral_received_on,
                            state, days, review, bool(review and review < today),
                            client.age_at_referral is not None and client.age_at_referral < eligibility.ADULT_AGE))
    rows.sort(key=lambda r: (r.state not in ("waiting", "more_information"), r.received_on or today, r.name))
    return rows


def active_areas(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).where(Area.active).order_by(Area.name)))
