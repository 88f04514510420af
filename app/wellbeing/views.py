"""Wellbeing scores in the office (/office/clients/<client_id>/wellbeing): a
client's SWEMWBS scores, recording one (checked as the field app's are) and
deleting one recorded by mistake. The client record page shows the scores
through ``wellbeing_summary``. Another area's client answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import days
from app.casework.views import client_or_404
from app.db import db
from app.office.views import coordinators_only
from app.outcomes import rules
from app.wellbeing import services
from app.wellbeing.models import QUESTIONS

bp = Blueprint("wellbeing", __name__, url_prefix="/office/clients", template_folder="templates")
bp.before_request(coordinators_only)


@bp.app_template_global()
def wellbeing_summary(client) -> dict:
    """What the client record page shows of a client's wellbeing scores."""
    scores = services.scores_of(db.session, client.id)
    return {"scores": scores, "who": services.who(db.session, scores), "metric_of": services.metric_of,
            "due": services.next_due(db.session, client, days.today()), "occasions": services.OCCASION_WORDS,
            "today": days.today()}


def _page(client, status=200, errors=None, values=None):
    today = days.today()
    return render_template(
        "wellbeing/wellbeing.html", client=client, summary=wellbeing_summary(client), errors=errors or {},
        values=values or {"recorded_on": today.isoformat()}, today=today, questions=QUESTIONS,
        items=rules.SWEMWBS_ITEMS, answers=rules.SWEMWBS_ANSWERS, occasions=services.OCCASION_WORDS,
    ), status


@bp.get("/<uuid:client_id>/wellbeing")
def wellbeing_page(client_id):
    return _page(client_or_404(client_id))


def _form_values() -> dict:
    """The form as the kind's fields: answers as whole numbers where they are."""
    values = {}
    for name in ("recorded_on", "occasion", *QUESTIONS):
        text = (request.form.get(name) or "").strip()
        values[name] = int(text) if name in QUESTIONS and text.isdigit() else (text or None)
    return values


@bp.post("/<uuid:client_id>/wellbeing")
def record(client_id):
    client = client_or_404(client_id)
    values = _form_values()
    try:
        score = services.record(db.session, current_user, client, values, days.today())
    except services.WellbeingInputError as err:
        db.session.rollback()
        shown = {k: ("" if v is None else str(v)) for k, v in values.items()}
        return _page(client_or_404(client_id), 400, err.errors, shown)
    db.session.commit()
    flash(f"Wellbeing check recorded: raw score {score.raw_score}, metric score {services.metric_of(score)}. "
          "The pair’s phones get it at their next sync.")
    return redirect(url_for("casework.client", client_id=client.id), 303)  # opens at the top, where the message is


@bp.post("/<uuid:client_id>/wellbeing/<uuid:score_id>/delete")
def delete(client_id, score_id):
    client = client_or_404(client_id)
    score = services.delete(db.session, current_user, client, score_id)
    if score is None:
        abort(404)
    db.session.commit()
    flash(f"The wellbeing check of {score.recorded_on:%-d %B %Y} is deleted. It leaves the pair’s phones at their "
          "next sync. Record the right one if it was taken.")
    return redirect(url_for(".wellbeing_page", client_id=client.id), 303)
