"""What the office pages of expenses read (app/expenses/views.py): the
approval queue, one claim with its items, and the rows of the finance export.

Every query starts from ``app.scope.volunteer_scope(user)``: a coordinator
sees the claims of the volunteers of their area, an admin every claim. Money
is integer pence throughout; it becomes "£12.34" only in ``pounds``.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clients.models import Client
from app.days import today as today_in_london
from app.expenses.models import ExpenseClaim, ExpenseItem
from app.fieldwork.models import Visit
from app.receipts.models import Receipt
from app.scope import may_access_client, volunteer_scope

LONDON = ZoneInfo("Europe/London")
OLD_AFTER_MONTHS = 3
RECENT_LIMIT = 20  # paid and rejected claims shown under the queue

STATUS_WORDS = {
    "draft": "Draft (not sent yet)",
    "submitted": "Waiting for approval",
    "approved": "Approved, waiting to be paid",
    "paid": "Paid",
    "rejected": "Rejected (sent back to the volunteer)",
}
VEHICLE_WORDS = {"car_van": "Car or van", "motorcycle": "Motorcycle", "bicycle": "Bicycle"}
CATEGORY_WORDS = {"fares": "Fares", "parking": "Parking", "refreshments": "Refreshments",
                  "phone_calls": "Phone calls", "materials": "Materials", "other": "Other"}
ITEM_TYPE_WORDS = {"journey": "Journey", "cost": "Cost"}


# -- figures -----------------------------------------------------------------
def pence_as_decimal(pence: int) -> str:
    """Integer pence as pounds with two decimals, integer arithmetic only: 123456 -> "1234.56"."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}{whole}.{part:02d}"


def pounds(pence: int) -> str:
    """Integer pence as people read it: 123456 -> "£1,234.56"."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def miles(tenths: int | None) -> str:
    """Tenths of a mile to one decimal: 123 -> "12.3"."""
    if tenths is None:
        return ""
    return f"{tenths // 10:,}.{tenths % 10}"


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` calendar months earlier (the last
    day of that month when it is shorter: 31 May -> 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))


def is_old(spent_on: date, reference: date) -> bool:
    """Spent more than three calendar months before ``reference``."""
    return spent_on < months_before(reference, OLD_AFTER_MONTHS)




def submitted_instant(claim: ExpenseClaim) -> datetime | None:
    """When the volunteer sent the claim, as an aware instant (the phone sends ISO 8601 with offset)."""
    if not claim.submitted_at:
        return None
    try:
        instant = datetime.fromisoformat(claim.submitted_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=LONDON)


def reference_day(claim: ExpenseClaim, today: date | None = None) -> date:
    """The day an item's age is measured from: the day the claim was sent, or today for a draft."""
    instant = submitted_instant(claim) if claim.status != "draft" else None
    return instant.astimezone(LONDON).date() if instant else (today or today_in_london())


def london_day(instant: datetime | None) -> date | None:
    return instant.astimezone(LONDON).date() if instant else None


# -- rows the pages show ------------------------------------------------------
@dataclass
class ClaimRow:
    id: uuid.UUID
    volunteer_id: uuid.UUID
    volunteer_name: str
    volunteer_email: str
    title: str
    status: str
    declaration_accepted: bool
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    paid_on: date | None
    total_pence: int
    item_count: int
    has_old_items: bool

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    @property
    def total(self) -> str:
        return pounds(self.total_pence)


@dataclass
class ItemRow:
    id: uuid.UUID
    item_type: str
    spent_on: date
    from_place: str | None
    to_place: str | None
    miles_tenths: int | None
    vehicle: str | None
    passengers: int
    category: str | None
    description: str | None
    rate_note: str | None
    claimed_pence: int
    is_old: bool
    visit_words: str | None  # "Margaret Hill, Tue 03 Mar 2026, 10:30", "a visit", or None
    receipt: str  # "uploaded", "waiting", "none", or "" (a journey with no receipt)
    receipt_sha256: str | None
    receipt_is_image: bool

    @property
    def miles(self) -> str:
        return miles(self.miles_tenths)

    @property
    def vehicle_words(self) -> str:
        return VEHICLE_WORDS.get(self.vehicle or "", self.vehicle or "")

    @property
    def category_words(self) -> str:
        return CATEGORY_WORDS.get(self.category or "", self.category or "")

    @property
    def amount(self) -> str:
        return pounds(self.claimed_pence)


def _claims_in_scope(user: User):
    return (
        select(ExpenseClaim, User)
        .join(User, User.id == ExpenseClaim.volunteer_id)
        .where(ExpenseClaim.deleted_at.is_(None), ExpenseClaim.volunteer_id.in_(volunteer_scope(user)))
    )


def _claim_rows(session: Session, pairs, today: date | None = None) -> list[ClaimRow]:
    pairs = list(pairs)
    claim_ids = [claim.id for claim, _ in pairs]
    items: dict[uuid.UUID, list[date]] = {}
    if claim_ids:
        for claim_id, spent_on in session.execute(
                select(ExpenseItem.claim_id, ExpenseItem.spent_on)
                .where(ExpenseItem.claim_id.in_(claim_ids), ExpenseItem.deleted_at.is_(None))):
            items.setdefault(claim_id, []).append(spent_on)
    deciders = {claim.decided_by_id for claim, _ in pairs if claim.decided_by_id}
    names = {row.id: row.name for row in session.execute(select(User.id, User.name).where(User.id.in_(deciders)))} if deciders else {}
    rows = []
    for claim, volunteer in pairs:
        reference = reference_day(claim, today)
        days = items.get(claim.id, [])
        rows.append(ClaimRow(
            id=claim.id, volunteer_id=volunteer.id, volunteer_name=volunteer.name, volunteer_email=volunteer.email,
            title=claim.title or "Untitled claim", status=claim.status,
            declaration_accepted=bool(claim.declaration_accepted), submitted_at=submitted_instant(claim),
            decided_at=claim.decided_at, decided_by=names.get(claim.decided_by_id), decision_reason=claim.decision_reason,
            paid_on=claim.paid_on, total_pence=claim.total_pence or 0, item_count=len(days),
            has_old_items=any(is_old(day, reference) for day in days),
        ))
    return rows


@dataclass
class Queue:
    submitted: list[ClaimRow]
    approved: list[ClaimRow]
    recent: list[ClaimRow]  # paid and rejected, newest decision first
    draft_count: int


def _oldest_first(row: ClaimRow):
    far = datetime.max.replace(tzinfo=LONDON)
    return (row.submitted_at or far, row.volunteer_name, str(row.id))


def queue(session: Session, user: User, today: date | None = None) -> Queue:
    """The claims of the user's volunteers: submitted (oldest sent first), approved
    (awaiting payment), recently paid or rejected; drafts only counted."""
    sent = _claim_rows(session, session.execute(
        _claims_in_scope(user).where(ExpenseClaim.status.in_(("submitted", "approved")))).all(), today)
    recent = _claim_rows(session, session.execute(
        _claims_in_scope(user).where(ExpenseClaim.status.in_(("paid", "rejected")))
        .order_by(ExpenseClaim.updated_at.desc()).limit(RECENT_LIMIT)).all(), today)
    drafts = session.scalar(
        select(func.count()).select_from(ExpenseClaim)
        .where(ExpenseClaim.deleted_at.is_(None), ExpenseClaim.status == "draft",
               ExpenseClaim.volunteer_id.in_(volunteer_scope(user)))) or 0
    return Queue(
        submitted=sorted((r for r in sent if r.status == "submitted"), key=_oldest_first),
        approved=sorted((r for r in sent if r.status == "approved"),
                        key=lambda r: (r.decided_at or datetime.max.replace(tzinfo=LONDON), str(r.id))),
        recent=recent,
        draft_count=drafts,
    )


def claim_in_scope(session: Session, user: User, claim_id: uuid.UUID) -> ExpenseClaim | None:
    """The claim, if ``user`` may see it (None for another area's claim: the page is a 404)."""
    return session.scalar(
        select(ExpenseClaim).where(ExpenseClaim.id == claim_id, ExpenseClaim.deleted_at.is_(None),
                                   ExpenseClaim.volunteer_id.in_(volunteer_scope(user))))


def claim_row(session: Session, user: User, claim_id: uuid.UUID, today: date | None = None) -> ClaimRow | None:
    found = session.execute(_claims_in_scope(user).where(ExpenseClaim.id == claim_id)).first()
    return _claim_rows(session, [tuple(found)], today)[0] if found else None


def claim_items(session: Session, user: User, claim: ClaimRow, today: date | None = None) -> list[ItemRow]:
    """The claim's items, oldest first, with the visit each names (the
    client only when ``user`` may see that client) and its receipt's state."""
    items = session.scalars(
        select(ExpenseItem).where(ExpenseItem.claim_id == claim.id, ExpenseItem.deleted_at.is_(None))
        .order_by(ExpenseItem.spent_on, ExpenseItem.item_type.desc(), ExpenseItem.created_at, ExpenseItem.id)).all()
    shas = {item.receipt_sha256 for item in items if item.receipt_sha256}
    receipts = {}
    if shas:
        receipts = {r.sha256: r for r in session.scalars(
            select(Receipt).where(Receipt.sha256.in_(shas), Receipt.uploaded_by_id == claim.volunteer_id))}
    visit_ids = {item.visit_id for item in items if item.visit_id}
    visits = {}
    if visit_ids:
        visits = {v.id: (v, c) for v, c in session.execute(
            select(Visit, Client).join(Client, Client.id == Visit.client_id).where(Visit.id.in_(visit_ids)))}
    if claim.status == "draft" or claim.submitted_at is None:
        reference = today or today_in_london()
    else:
        reference = claim.submitted_at.astimezone(LONDON).date()
    rows = []
    for item in items:
        visit_words = None
        if item.visit_id:
            visit_words = "a visit"
            if item.visit_id in visits:
                visit, client = visits[item.visit_id]
                if may_access_client(session, user, client.id):
                    when = visit.scheduled_start_at.astimezone(LONDON).strftime("%a %d %b %Y, %H:%M")
                    visit_words = f"{client.name}, {when}"
        if item.receipt_sha256:
            receipt = "uploaded" if item.receipt_sha256 in receipts else "waiting"
        else:
            receipt = "none" if item.item_type == "cost" else ""
        content_type = receipts[item.receipt_sha256].content_type if receipt == "uploaded" else ""
        rows.append(ItemRow(
            id=item.id, item_type=item.item_type, spent_on=item.spent_on, from_place=item.from_place,
            to_place=item.to_place, miles_tenths=item.miles_tenths, vehicle=item.vehicle,
            passengers=item.passengers or 0, category=item.category, description=item.description,
            rate_note=item.rate_note, claimed_pence=item.claimed_pence or 0, is_old=is_old(item.spent_on, reference),
            visit_words=visit_words, receipt=receipt, receipt_sha256=item.receipt_sha256,
            receipt_is_image=content_type.startswith("image/"),
        ))
    return rows


# -- the finance export -------------------------------------------------------
def london_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants from the start of ``first`` to the end of ``last``, London time."""
    return (datetime.combine(first, time(0), LONDON),
            datetime.combine(last + timedelta(days=1), time(0), LONDON))


def export_rows(session: Session, user: User, first: date, last: date) -> list[tuple[ClaimRow, ExpenseItem]]:
    """Each item of the approved or paid claims of ``user``'s volunteers whose
    approval date (London) is from ``first`` to ``last``: by approval, then item date."""
    start, end = london_bounds(first, last)
    pairs = session.execute(
        _claims_in_scope(user).where(ExpenseClaim.status.in_(("approved", "paid")),
                                     ExpenseClaim.decided_at >= start, ExpenseClaim.decided_at < end)
        .order_by(ExpenseClaim.decided_at, ExpenseClaim.id)).all()
    claims = _claim_rows(session, pairs)
    if not claims:
        return []
    items = session.scalars(
        select(ExpenseItem).where(ExpenseItem.claim_id.in_([c.id for c in claims]), ExpenseItem.deleted_at.is_(None))
        .order_by(ExpenseItem.spent_on, ExpenseItem.created_at, ExpenseItem.id)).all()
    by_claim: dict[uuid.UUID, list[ExpenseItem]] = {}
    for item in items:
        by_claim.setdefault(item.claim_id, []).append(item)
    return [(claim, item) for claim in claims for item in by_claim.get(claim.id, [])]
