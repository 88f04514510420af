"""Office pages of the safeguarding queue (/office/safeguarding/)."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.db import db
from app.office.views import coordinators_only
from app.safeguarding import services
from app.safeguarding.models import MAX_ENTRY_TEXT

bp = Blueprint("safeguarding", __name__, url_prefix="/office/safeguarding", template_folder="templates")
bp.before_request(coordinators_only)


def _concern_or_404(concern_id: uuid.UUID) -> services.ConcernRow:
    """The concern, if the signed-in person may see it; 404 otherwise (a
    coordinator of another area is not told that it exists)."""
    row = services.concern_row(db.session, current_user, concern_id)
    if row is None:
        abort(404)
    return row


@bp.get("/")
def queue():
    concerns = services.concern_queue(db.session, current_user)
    return render_template(
        "safeguarding/queue.html",
        open_concerns=[c for c in concerns if c.is_open],
        closed_concerns=[c for c in concerns if not c.is_open],
        counts=services.queue_counts(db.session, current_user),
    )


def _concern_page(row, status=200, errors=None, values=None, problem=None):
    return render_template(
        "safeguarding/concern.html",
        concern=row,
        history=services.history(db.session, row.id),
        errors=errors or {},
        values=values or {},
        problem=problem,
        max_text=MAX_ENTRY_TEXT,
    ), status


@bp.get("/<uuid:concern_id>")
def concern(concern_id):
    return _concern_page(_concern_or_404(concern_id))


@bp.post("/<uuid:concern_id>/acknowledge")
def acknowledge(concern_id):
    row = _concern_or_404(concern_id)
    try:
        services.acknowledge(db.session, row.id, current_user)
    except services.AlreadyAcknowledged:
        db.session.rollback()
        row = _concern_or_404(concern_id)
        return _concern_page(row, 409, problem=(
            f"This concern had already been acknowledged by {row.acknowledged_by or 'a coordinator'}. "
            "Nothing was changed."))
    db.session.commit()
    flash("Concern acknowledged. The mentors will see that the office has seen it when their phones next sync.")
    return redirect(url_for(".concern", concern_id=row.id), 303)


def _record(concern_id, kind):
    row = _concern_or_404(concern_id)
    field = f"{kind}-text"
    text, error = services.check_entry_text(kind, request.form.get("text"))
    if error:
        return _concern_page(row, 400, errors={field: error}, values={field: request.form.get("text", "")})
    try:
        services.record_entry(db.session, row.id, current_user, kind, text)
    except services.SafeguardingError as err:
        db.session.rollback()
        return _concern_page(_concern_or_404(concern_id), 409, problem=f"{err} Nothing was saved.")
    db.session.commit()
    flash("Action recorded." if kind == "action" else "Outcome recorded. The concern is now closed.")
    return redirect(url_for(".concern", concern_id=row.id), 303)


@bp.post("/<uuid:concern_id>/actions")
def add_action(concern_id):
    return _record(concern_id, "action")


@bp.post("/<uuid:concern_id>/outcome")
def add_outcome(concern_id):
    return _record(concern_id, "outcome")
