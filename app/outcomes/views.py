"""Outcomes in the office.

- The demand ledger (/office/clients/<client_id>/demand): a client's counts
  per period with totals and completeness, their reduction, recording counts,
  correcting them or withdrawing one entered by mistake, with a reason (the
  history kept). Another area's client answers 404.
- The evaluators' export (/office/evaluators/): a pseudonymised CSV of an
  area's outcomes and its data dictionary (app/outcomes/evaluator_export.py).
  The export's endpoint name starts with "export", so the audit log records
  it as an export (app/audit/hooks.py), a refused one too.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import days
from app.audit import hooks as audit_hooks
from app.casework.views import client_or_404
from app.db import db
from app.office.views import coordinators_only
from app.outcomes import demand, evaluator_export, rules

bp = Blueprint("outcomes", __name__, url_prefix="/office", template_folder="templates")
bp.before_request(coordinators_only)


def correct_field(count_id, name: str) -> str:
    """The id of a field of a count's "Correct" form (one form per count on the page)."""
    return f"correct-{count_id}-{name}"


def withdraw_field(count_id, name: str) -> str:
    """The id of a field of a count's "Withdraw" form."""
    return f"withdraw-{count_id}-{name}"


def _page(client, status=200, errors=None, values=None, correcting=None, problem=None, withdrawing=None):
    figures = demand.figures(db.session, client)
    counts = [c for p in figures.periods for m in p.measures for c in m.counts]
    history = demand.corrections(db.session, client)
    today = days.today()
    return render_template(
        "outcomes/demand.html", client=client, figures=figures, history=history,
        who=demand.names(db.session, counts + [h.old for h in history]),
        windows=demand.client_windows(client), closed_on=demand.closed_on(client),
        measures=rules.MEASURE_NAMES, periods=rules.PERIOD_NAMES, no_reduction=demand.NO_REDUCTION,
        errors=errors or {}, values=values or {"obtained_on": today.isoformat()}, correcting=correcting,
        problem=problem, today=today, correct_field=correct_field, withdraw_field=withdraw_field,
        withdrawing=withdrawing,
        source_max=demand.MAX_SOURCE, reason_max=demand.MAX_REASON,
    ), status


@bp.get("/clients/<uuid:client_id>/demand")
def demand_page(client_id):
    return _page(client_or_404(client_id))


def _what(row) -> str:
    return (f"{rules.MEASURE_NAMES[row.measure]}, {row.count}, for {demand.span_words(row.first_day, row.last_day)} "
            f"({rules.PERIOD_NAMES[row.period].lower()})")


@bp.post("/clients/<uuid:client_id>/demand")
def record(client_id):
    client = client_or_404(client_id)
    values = {name: (request.form.get(name) or "").strip() for name in demand.FIELDS}
    try:
        row = demand.record(db.session, current_user, client, request.form, days.today())
    except demand.DemandInputError as err:
        db.session.rollback()
        return _page(client_or_404(client_id), 400, err.errors, values)
    db.session.commit()
    flash(f"Recorded: {_what(row)}, from {row.source}.")
    return redirect(url_for(".demand_page", client_id=client.id), 303)  # opens at the top, where the message is


@bp.post("/clients/<uuid:client_id>/demand/<uuid:count_id>/correct")
def correct(client_id, count_id):
    client = client_or_404(client_id)
    old = demand.count_of(db.session, client, count_id)
    if old is None:
        abort(404)
    was = _what(old)
    values = {name: (request.form.get(name) or "").strip() for name in (*demand.FIELDS, "reason")}
    try:
        row = demand.correct(db.session, current_user, client, count_id, request.form, days.today())
    except demand.DemandInputError as err:
        db.session.rollback()
        errors = {correct_field(count_id, name): message for name, message in err.errors.items()}
        return _page(client_or_404(client_id), 400, errors, correcting={"id": count_id, "values": values})
    except demand.DemandRefused as err:
        db.session.rollback()
        return _page(client_or_404(client_id), 409, problem=f"{err} Nothing was changed.")
    db.session.commit()
    flash(f"Corrected: {was} is now {row.count} for {demand.span_words(row.first_day, row.last_day)}, "
          f"from {row.source}. The earlier count is kept in the history of corrections.")
    return redirect(url_for(".demand_page", client_id=client.id), 303)  # opens at the top, where the message is



@bp.post("/clients/<uuid:client_id>/demand/<uuid:count_id>/withdraw")
def withdraw(client_id, count_id):
    client = client_or_404(client_id)
    row = demand.count_of(db.session, client, count_id)
    if row is None:
        abort(404)
    was = _what(row)
    try:
        demand.withdraw(db.session, current_user, client, count_id, request.form)
    except demand.DemandInputError as err:
        db.session.rollback()
        errors = {withdraw_field(count_id, name): message for name, message in err.errors.items()}
        return _page(client_or_404(client_id), 400, errors,
                     withdrawing={"id": count_id, "reason": (request.form.get("reason") or "").strip()})
    except demand.DemandRefused as err:
        db.session.rollback()
        return _page(client_or_404(client_id), 409, problem=f"{err} Nothing was changed.")
    db.session.commit()
    flash(f"Withdrawn: {was}. It no longer counts in the figures and is kept in the history with your reason.")
    return redirect(url_for(".demand_page", client_id=client.id), 303)

# -- the evaluators' export -------------------------------------------------------------
def _export_page(status=200, errors=None, values=None, problem=None):
    return render_template(
        "outcomes/evaluators.html", areas=evaluator_export.areas_for(db.session, current_user),
        all_areas=evaluator_export.ALL_AREAS, contents=evaluator_export.CONTENTS,
        columns=evaluator_export.COLUMNS, dictionary=evaluator_export.dictionary_by_column(),
        errors=errors or {}, values=values or {"include": list(evaluator_export.CONTENTS)}, problem=problem,
    ), status


@bp.get("/evaluators/")
def evaluators():
    return _export_page()


@bp.get("/evaluators/export.csv")
def export_evaluators_csv():
    values = {"area": request.args.get("area", ""), "include": request.args.getlist("include")}
    audit_hooks.name_record("area", _area_asked(values["area"]))  # what was asked for, done or refused
    try:
        choice = evaluator_export.read_choice(db.session, current_user, request.args)
    except evaluator_export.ExportInputError as err:
        return _export_page(400, err.errors, values)
    except evaluator_export.ExportRefused as err:
        return _export_page(403, values=values, problem=f"{err} Nothing was exported.")
    table = evaluator_export.rows(db.session, choice, current_app.config["EVALUATOR_PSEUDONYM_KEY"])
    return _csv(evaluator_export.to_csv(table), evaluator_export.filename(choice, days.today()))


def _area_asked(raw: str) -> str | None:
    """The area an export asked for, as the audit log keeps it: an area id, "all", or None when unreadable."""
    if raw == evaluator_export.ALL_AREAS:
        return raw
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


@bp.get("/evaluators/data-dictionary.csv")
def export_data_dictionary():
    """A file, not a page (so named "export...": the audit log records it as an export)."""
    return _csv(evaluator_export.dictionary_csv(), "evaluators-data-dictionary.csv")


def _csv(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
