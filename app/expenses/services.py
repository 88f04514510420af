"""Expenses on the server: what each item and claim comes to, and the
office's decisions (approve, reject, mark paid).

Amounts follow docs/domain.md, "Expenses and mileage". For each volunteer and
tax year, the car/van miles of claims already sent to the office (submitted,
approved, paid) count first and their amounts never change again; journeys
still in a draft or rejected claim (or sent in the very push that made them)
are worked out after them, in date order (app/expenses/rates.py). Every record whose figures change takes a new change
number, so phones get the new figures at their next pull.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.expenses import rates
from app.expenses.models import ExpenseClaim, ExpenseItem, MileageRate
from app.sync.changes import lock_counter, stamp

SENT = ("submitted", "approved", "paid")  # claims the office has: their amounts are fixed


class ClaimError(ValueError):
    """An office action on a claim that cannot be done; the message says why."""


def mileage_rates(session: Session) -> list[rates.Rate]:
    return [row.as_rate() for row in session.scalars(select(MileageRate))]


def _miles(tenths: int) -> str:
    return f"{tenths // 10:,}.{tenths % 10} mile{'' if tenths == 10 else 's'}"


def work_out_amounts(session: Session, volunteer_ids) -> None:
    """Bring every item's ``claimed_pence`` and every claim's ``total_pence``
    of these volunteers up to date (in the caller's transaction)."""
    table = mileage_rates(session)
    for volunteer_id in volunteer_ids:
        _work_out_for(session, volunteer_id, table)


def _work_out_for(session: Session, volunteer_id: uuid.UUID, table: list[rates.Rate]) -> None:
    rows = session.execute(
        select(ExpenseItem, ExpenseClaim.status)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)
        .where(ExpenseItem.volunteer_id == volunteer_id, ExpenseItem.deleted_at.is_(None))
    ).all()
    changed: set = set()
    by_year: dict[int, list] = {}
    for item, status in rows:
        if item.item_type == "cost":
            _set(item, item.amount_pence or 0, None, changed)
        elif item.miles_tenths and item.vehicle:
            by_year.setdefault(rates.tax_year_of(item.spent_on), []).append((item, status))
    for pairs in by_year.values():
        # A journey's amount is fixed once its claim has been sent, as it was
        # then: a journey sent in the push that made it still gets worked out.
        fixed = [item for item, status in pairs if status in SENT and item.rate_note is not None]
        sent = sum(item.miles_tenths for item in fixed if item.vehicle == rates.CAR_VAN)
        still_open = {item.id: item for item, _ in pairs if item not in fixed}
        journeys = [rates.Journey(str(item.id), item.spent_on, item.miles_tenths, item.vehicle, item.passengers or 0)
                    for item in still_open.values()]
        for amount in rates.journey_amounts(journeys, table, miles_before_tenths=sent):
            item = still_open[uuid.UUID(amount.key)]
            passenger_rate = None
            if item.passengers:
                (passenger_rate,) = [r.pence_per_mile for r in rates.rate_table_on(table, item.spent_on, rates.PASSENGER)]
            _set(item, amount.total_pence, _note(amount, item, passenger_rate), changed)
    for item in changed:
        stamp(session, item)
    claim_ids = {item.claim_id for item, _ in rows}
    claim_ids |= set(session.scalars(select(ExpenseClaim.id).where(ExpenseClaim.volunteer_id == volunteer_id,
                                                                   ExpenseClaim.deleted_at.is_(None))))
    totals = {claim_id: 0 for claim_id in claim_ids}
    for item, _ in rows:
        totals[item.claim_id] += item.claimed_pence or 0
    for claim in session.scalars(select(ExpenseClaim).where(ExpenseClaim.id.in_(claim_ids))):
        if claim.total_pence != totals[claim.id]:
            claim.total_pence = totals[claim.id]
            stamp(session, claim)
    session.flush()


def _note(amount: rates.JourneyAmount, item: ExpenseItem, passenger_rate: int | None) -> str:
    note = " + ".join(f"{_miles(p.miles_tenths)} at {p.pence_per_mile}p" for p in amount.parts)
    if item.passengers:
        note += (f"; {item.passengers} passenger{'s' if item.passengers > 1 else ''}: "
                 f"{_miles(item.miles_tenths * item.passengers)} at {passenger_rate}p")
    return note


def _set(item: ExpenseItem, pence: int, note: str | None, changed: set) -> None:
    if item.claimed_pence != pence or item.rate_note != note:
        item.claimed_pence = pence
        item.rate_note = note
        changed.add(item)


# -- the office ---------------------------------------------------------------
def _may_decide(claim: ExpenseClaim, by: User) -> None:
    if claim.volunteer_id == by.id:
        raise ClaimError("You cannot decide on your own claim; another coordinator must.")


def approve(session: Session, claim: ExpenseClaim, by: User) -> None:
    _may_decide(claim, by)
    if claim.status != "submitted":
        raise ClaimError(f"Only a submitted claim can be approved; this one is {claim.status}.")
    lock_counter(session)
    claim.status = "approved"
    claim.decided_at = utcnow()
    claim.decided_by_id = by.id
    claim.decision_reason = None
    stamp(session, claim, by.id)
    session.flush()


def reject(session: Session, claim: ExpenseClaim, by: User, reason: str) -> None:
    """Send the claim back to the volunteer, who may change it and send it again."""
    _may_decide(claim, by)
    reason = (reason or "").strip()
    if not reason:
        raise ClaimError("Say why the claim is rejected: the volunteer sees it.")
    if len(reason) > 2000:
        raise ClaimError("Keep the reason under 2,000 characters.")
    if claim.status != "submitted":
        raise ClaimError(f"Only a submitted claim can be rejected; this one is {claim.status}.")
    lock_counter(session)
    claim.status = "rejected"
    claim.decided_at = utcnow()
    claim.decided_by_id = by.id
    claim.decision_reason = reason
    stamp(session, claim, by.id)
    session.flush()
    work_out_amounts(session, {claim.volunteer_id})


def mark_paid(session: Session, claim: ExpenseClaim, by: User, paid_on: date) -> None:
    if claim.status != "approved":
        raise ClaimError(f"Only an approved claim can be marked paid; this one is {claim.status}.")
    if paid_on > date.today():
        raise ClaimError("The date paid cannot be in the future.")
    if claim.decided_at is not None and paid_on < claim.decided_at.date():
        raise ClaimError("The date paid cannot be before the claim was approved.")
    lock_counter(session)
    claim.status = "paid"
    claim.paid_on = paid_on
    stamp(session, claim, by.id)
    session.flush()


# -- what a volunteer's phone is told -----------------------------------------
def mileage_so_far(session: Session, user: User, today: date | None = None) -> dict | None:
    """For a volunteer's pull: the tax year, their car/van miles in it so far,
    the threshold and the rates in force today (for the phone's estimates)."""
    if user.role != "volunteer" or not user.active:
        return None
    today = today or date.today()
    year = rates.tax_year_of(today)
    first, last = rates.tax_year_bounds(year)
    miles = session.scalars(
        select(ExpenseItem.miles_tenths).where(
            ExpenseItem.volunteer_id == user.id, ExpenseItem.deleted_at.is_(None), ExpenseItem.vehicle == rates.CAR_VAN,
            ExpenseItem.spent_on >= first, ExpenseItem.spent_on <= last)
    ).all()
    table = mileage_rates(session)
    in_force = []
    for vehicle in rates.RATE_KINDS:
        try:
            in_force += [{"vehicle": r.vehicle, "from_mile": r.from_mile, "pence_per_mile": r.pence_per_mile}
                         for r in rates.rate_table_on(table, today, vehicle)]
        except rates.NoRateInForce:
            continue
    return {"tax_year": year, "from": first.isoformat(), "to": last.isoformat(),
            "car_van_miles_tenths": sum(m or 0 for m in miles), "threshold_miles": rates.CAR_VAN_THRESHOLD_MILES,
            "rates": in_force}
