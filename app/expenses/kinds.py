"""Expense claims and their items as the sync engine knows them.

Both are owned by the volunteer who made them (app/scope.py: the volunteer,
the coordinators of their area and admins see them; the other mentor of the
pair does not). What a claim comes to is worked out on the server
(app/expenses/services.py) and comes down read-only; the phone shows its own
figure as an estimate until then. Rules: docs/domain.md, "Expenses and mileage".
"""
from __future__ import annotations

from datetime import date

from marshmallow import fields, validate

from app.days import today as today_in_london
from app.expenses import rates
from app.expenses.models import CLAIM_STATUSES, COST_CATEGORIES, ITEM_TYPES, ExpenseClaim, ExpenseItem
from app.expenses.services import work_out_amounts
from app.sync.kinds import IsoDate, Kind, KindSchema, OffsetDateTime, UuidString, register_kind, text

MAX_AMOUNT_PENCE = 100_000  # £1,000 for one cost: more is a slip of the finger
EDITABLE = ("draft", "rejected")  # a claim the volunteer may still change
LOCKED = ("This claim has been sent to the office, so it cannot be changed here. "
          "If something in it is wrong, tell your coordinator.")


class ClaimFields(KindSchema):
    title = text(100)
    status = fields.String(validate=validate.OneOf(CLAIM_STATUSES))
    declaration_accepted = fields.Boolean(truthy={True}, falsy={False})
    submitted_at = OffsetDateTime(allow_none=True)


def claim_guard(before: dict | None, after: dict | None, referenced: dict) -> dict:
    """What a phone may do to a claim: change a draft (or a rejected claim, to
    send it again), submit it with the declaration; the office decides."""
    if before is None:
        if after["status"] != "draft":
            return {"status": ["A new claim starts as a draft."]}
        return {}
    if before["status"] not in EDITABLE:
        return {"_record": [LOCKED]}
    if after is None:
        return {} if before["status"] == "draft" else {"_record": ["Only a draft claim can be deleted."]}
    if after["status"] == "submitted":
        errors = {}
        if after["declaration_accepted"] is not True:
            errors["declaration_accepted"] = ["Confirm the declaration to send the claim."]
        if not after["submitted_at"]:
            errors["submitted_at"] = ["Say when the claim was sent."]
        return errors
    if after["status"] not in ("draft", before["status"]):
        return {"status": ["Only the office can approve, reject or mark a claim paid."]}
    return {}


class ItemFields(KindSchema):
    claim_id = UuidString()
    item_type = fields.String(validate=validate.OneOf(ITEM_TYPES))
    spent_on = IsoDate()
    from_place = text(200)
    to_place = text(200)
    miles_tenths = fields.Integer(allow_none=True, strict=True,
                                  validate=validate.Range(min=rates.MIN_MILES_TENTHS, max=rates.MAX_MILES_TENTHS))
    vehicle = fields.String(allow_none=True, validate=validate.OneOf(rates.VEHICLES))
    passengers = fields.Integer(strict=True, validate=validate.Range(min=0, max=rates.MAX_PASSENGERS))
    visit_id = UuidString(allow_none=True)
    category = fields.String(allow_none=True, validate=validate.OneOf(COST_CATEGORIES))
    amount_pence = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_AMOUNT_PENCE))
    description = text(500)
    receipt_sha256 = fields.String(allow_none=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="A receipt is named by the sha256 of its bytes: 64 characters 0-9 and a-f."))


def item_problems(data: dict, today: date | None = None) -> dict:
    """Rules across an item's fields, on the item as it would become."""
    errors = {}
    spent_on = date.fromisoformat(data["spent_on"]) if data.get("spent_on") else None
    if spent_on and spent_on > (today or today_in_london()):
        errors["spent_on"] = ["The date cannot be in the future."]
    if data.get("item_type") == "journey":
        for name, message in (("from_place", "Say where the journey started."),
                              ("to_place", "Say where the journey went to."),
                              ("miles_tenths", "Give the miles."), ("vehicle", "Choose the vehicle.")):
            if not data.get(name):
                errors[name] = [message]
        if data.get("passengers") and data.get("vehicle") not in (None, rates.CAR_VAN):
            errors["passengers"] = ["Passengers can only be claimed for in a car or van."]
    elif data.get("item_type") == "cost":
        if not data.get("category"):
            errors["category"] = ["Choose what the money was spent on."]
        if not data.get("amount_pence"):
            errors["amount_pence"] = ["Give the amount."]
    return errors


def item_guard(before: dict | None, after: dict | None, referenced: dict) -> dict:
    """Items of a claim sent to the office are locked with it."""
    claim = referenced.get("claim_id")
    if claim is None:
        return {"claim_id": ["There is no such claim (it may not have synced yet)."]}
    if claim["status"] not in EDITABLE:
        return {"_record": [LOCKED]}
    return {}


CLAIM = register_kind(Kind(
    "expense_claim", ExpenseClaim,
    ("volunteer_id", "title", "status", "declaration_accepted", "submitted_at", "decided_at", "decision_reason",
     "paid_on", "total_pence"),
    owner="volunteer", owner_field="volunteer_id", owned_by_author=True,
    schema=ClaimFields(), defaults={"status": "draft", "declaration_accepted": False}, guard=claim_guard,
    after_write=work_out_amounts,
))
ITEM = register_kind(Kind(
    "expense_item", ExpenseItem,
    ("volunteer_id", "claim_id", "item_type", "spent_on", "from_place", "to_place", "miles_tenths", "vehicle",
     "passengers", "visit_id", "category", "amount_pence", "description", "receipt_sha256", "claimed_pence",
     "rate_note"),
    owner="volunteer", owner_field="volunteer_id", owned_by_author=True,
    schema=ItemFields(), required=("claim_id", "item_type", "spent_on"), defaults={"passengers": 0},
    immutable=("claim_id", "item_type"), problems=item_problems, guard=item_guard,
    references={"claim_id": "expense_claim", "visit_id": "visit"}, after_write=work_out_amounts,
))
