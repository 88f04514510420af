"""The finance officer's CSV of approved expenses (docs/operations.md,
"Finance export"): one row per item of the claims approved or paid whose
approval date (London) falls in the range, then a TOTAL row.

Amounts come from integer pence and are formatted with integer arithmetic;
the TOTAL is the sum of the items' pence, formatted once. A cell that a
spreadsheet would read as a formula (starting = + - @, or a tab or carriage
return) gets a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.expenses import queries
from app.expenses.models import ExpenseItem

HEADER = ("Volunteer", "Volunteer email", "Claim id", "Claim title", "Claim status", "Approved on", "Paid on",
          "Item date", "Item type", "From", "To", "Miles", "Vehicle", "Passengers", "Category", "Description",
          "Rate used", "Amount (GBP)")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell as text, defused if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def check_range(raw_from: str | None, raw_to: str | None) -> tuple[date | None, date | None, dict[str, str]]:
    """The two dates of an export, or what is wrong with them, by field."""
    errors: dict[str, str] = {}
    dates = {}
    for field, raw, words in (("from", raw_from, "first"), ("to", raw_to, "last")):
        raw = (raw or "").strip()
        if not raw:
            errors[field] = f"Enter the {words} approval date of the export."
            continue
        try:
            dates[field] = date.fromisoformat(raw)
        except ValueError:
            errors[field] = f"The {words} date must be a real date, for example 2026-04-30."
    first, last = dates.get("from"), dates.get("to")
    if first and last:
        if first > last:
            errors["to"] = "The last date must be the same as or after the first date."
        elif last > _two_years_after(first):
            errors["to"] = "Choose a range of at most two years."
    return first, last, errors


def _two_years_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


def filename(first: date, last: date) -> str:
    return f"expenses-{first.isoformat()}-to-{last.isoformat()}.csv"


def _item_cells(item: ExpenseItem) -> list:
    journey = item.item_type == "journey"
    return [
        item.spent_on.isoformat(), queries.ITEM_TYPE_WORDS.get(item.item_type, item.item_type),
        item.from_place if journey else "", item.to_place if journey else "",
        queries.miles(item.miles_tenths) if journey else "",
        queries.VEHICLE_WORDS.get(item.vehicle or "", item.vehicle or "") if journey else "",
        item.passengers or 0 if journey else "",
        "" if journey else queries.CATEGORY_WORDS.get(item.category or "", item.category or ""),
        item.description or "",
        item.rate_note or "",
        queries.pence_as_decimal(item.claimed_pence or 0),
    ]


def build_csv(session: Session, user: User, first: date, last: date) -> tuple[str, int, int]:
    """The CSV text, the number of item rows and their total in pence."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    total = 0
    rows = queries.export_rows(session, user, first, last)
    for claim, item in rows:
        total += item.claimed_pence or 0
        cells = [claim.volunteer_name, claim.volunteer_email, str(claim.id), claim.title, claim.status_words,
                 queries.london_day(claim.decided_at).isoformat() if claim.decided_at else "",
                 claim.paid_on.isoformat() if claim.paid_on else ""] + _item_cells(item)
        writer.writerow([safe_cell(c) for c in cells])
    writer.writerow(["TOTAL"] + [""] * (len(HEADER) - 2) + [queries.pence_as_decimal(total)])
    return out.getvalue(), len(rows), total
