"""Office pages of expenses (/office/expenses/): the approval queue, a claim
with its items and the office's decision, and the finance export (CSV)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.db import db
from app.expenses import export, queries, services
from app.office.views import coordinators_only

bp = Blueprint("expenses", __name__, url_prefix="/office/expenses", template_folder="templates",
               static_folder="static", static_url_path="/static")
bp.before_request(coordinators_only)


@bp.app_template_filter("expense_day")
def expense_day(day: date | None) -> str:
    """A day as the office reads it: "Fri 3 Apr 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}" if day else ""


def _queue_page(status=200, export_errors=None, export_values=None):
    today = queries.today_in_london()
    values = export_values or {"from": queries.months_before(today, 1).replace(day=1).isoformat(),
                               "to": today.isoformat()}
    return render_template(
        "expenses/queue.html",
        queue=queries.queue(db.session, current_user),
        errors=export_errors or {},
        values=values,
    ), status


@bp.get("/")
def queue():
    return _queue_page()


@bp.get("/export.csv")
def export_csv():
    raw_from, raw_to = request.args.get("from"), request.args.get("to")
    first, last, errors = export.check_range(raw_from, raw_to)
    if errors:
        return _queue_page(400, {f"export-{k}": v for k, v in errors.items()},
                           {"from": raw_from or "", "to": raw_to or ""})
    text, _, _ = export.build_csv(db.session, current_user, first, last)
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={export.filename(first, last)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _row_or_404(claim_id) -> queries.ClaimRow:
    """The claim, if the signed-in person may see it; 404 otherwise (a
    coordinator of another area is not told that it exists)."""
    row = queries.claim_row(db.session, current_user, claim_id)
    if row is None:
        abort(404)
    return row


def _claim_page(row, status=200, errors=None, values=None):
    items = queries.claim_items(db.session, current_user, row)
    return render_template(
        "expenses/claim.html",
        claim=row,
        items=items,
        total=queries.pounds(sum(item.claimed_pence for item in items)),
        errors=errors or {},
        values=values or {},
        today=queries.today_in_london().isoformat(),
    ), status


@bp.get("/<uuid:claim_id>")
def claim(claim_id):
    return _claim_page(_row_or_404(claim_id))


FORM_SHOWN_WHEN = {"approve": "submitted", "reason": "submitted", "paid_on": "approved"}


def _act(claim_id, field, action, done):
    """Do one office action on the claim; on a ClaimError show the message
    against ``field`` and change nothing."""
    _row_or_404(claim_id)
    record = queries.claim_in_scope(db.session, current_user, claim_id)
    try:
        action(record)
    except services.ClaimError as err:
        db.session.rollback()
        row = _row_or_404(claim_id)
        if row.status != FORM_SHOWN_WHEN[field]:
            field = "status"  # its form is not on the page (the claim moved on): point at its status
        return _claim_page(row, 400, errors={field: str(err)}, values=dict(request.form))
    db.session.commit()
    flash(done(_row_or_404(claim_id)))
    return redirect(url_for(".claim", claim_id=claim_id), 303)


@bp.post("/<uuid:claim_id>/approve")
def approve(claim_id):
    return _act(claim_id, "approve", lambda c: services.approve(db.session, c, current_user),
                lambda row: f"Claim approved. {row.volunteer_name}'s phone shows it at its next sync.")


@bp.post("/<uuid:claim_id>/reject")
def reject(claim_id):
    reason = request.form.get("reason", "")
    return _act(claim_id, "reason", lambda c: services.reject(db.session, c, current_user, reason),
                lambda row: (f"Claim rejected. {row.volunteer_name}'s phone shows it, with your reason, "
                             "at its next sync; they can change it and send it again."))


def _paid_on(raw: str | None) -> date:
    raw = (raw or "").strip()
    if not raw:
        raise services.ClaimError("Enter the date the claim was paid.")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise services.ClaimError("The date paid must be a real date, for example 2026-04-30.") from None


@bp.post("/<uuid:claim_id>/paid")
def mark_paid(claim_id):
    def action(record):
        services.mark_paid(db.session, record, current_user, _paid_on(request.form.get("paid_on")))

    return _act(claim_id, "paid_on", action,
                lambda row: (f"Claim marked paid on {expense_day(row.paid_on)}. "
                             f"{row.volunteer_name}'s phone shows it at its next sync."))
