"""The client record (/office/clients/<client_id>): referral, pair and its
history, one timeline newest first, and the actions assign, reassign (with a
reason) and close (with a reason). Another area's client answers 404."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import days
from app.casework import services
from app.clients import services as clients
from app.db import db
from app.office.views import coordinators_only
from app.volunteers.models import MentorPair

bp = Blueprint("casework", __name__, url_prefix="/office/clients", template_folder="templates")
bp.before_request(coordinators_only)


def client_or_404(client_id):
    client = services.client_in_scope(db.session, current_user, client_id)
    if client is None:
        abort(404)
    return client


def _page(client, errors=None, values=None, problem=None, status=200):
    only = request.args.get("type")
    if only not in services.TYPES:
        only = None
    history = services.assignments(db.session, client)
    current = next((a for a in history if a["ended_at"] is None), None)
    return render_template(
        "casework/client.html", client=client, history=history, current=current,
        entries=services.timeline(db.session, client, only), only=only, types=services.TYPES,
        pairs=[p for p in services.pairs_for(db.session, client) if not current or p.id != current["pair_id"]],
        errors=errors or {}, values=values or {}, problem=problem, reason_max=clients.REASON_MAX), status


@bp.get("/<uuid:client_id>")
def client(client_id):
    return _page(client_or_404(client_id))


@bp.post("/<uuid:client_id>/assign")
def assign(client_id):
    client = client_or_404(client_id)
    values = {"pair_id": request.form.get("pair_id", ""), "assign-reason": request.form.get("reason", "")}
    current = clients.current_assignment(db.session, client)
    errors = {}
    pair = None
    try:
        pair = db.session.get(MentorPair, uuid.UUID(values["pair_id"]))
    except ValueError:
        pass
    if pair is None:
        errors["pair_id"] = "Choose the pair to give the client to"
    if current is not None and not values["assign-reason"].strip():
        errors["assign-reason"] = "Enter the reason for moving the client to another pair"
    elif len(values["assign-reason"]) > clients.REASON_MAX:
        errors["assign-reason"] = f"The reason must be {clients.REASON_MAX} characters or fewer"
    if errors:
        return _page(client, errors, values, status=400)
    try:
        clients.assign_to_pair(db.session, client, pair, current_user, days.today(),
                               reason=values["assign-reason"] if current is not None else None)
    except clients.ClientError as err:
        db.session.rollback()
        return _page(client_or_404(client_id), values=values, problem=f"{err} Nothing was changed.", status=409)
    db.session.commit()
    if current is not None:
        flash(f"{client.name} moved to pair {pair.name}. The old pair’s phones drop them, and the new pair’s "
              "phones get them, at their next sync.")
    else:
        flash(f"{client.name} given to pair {pair.name}. The pair’s phones get them at their next sync.")
    return redirect(url_for(".client", client_id=client.id), 303)


@bp.post("/<uuid:client_id>/close")
def close(client_id):
    client = client_or_404(client_id)
    reason = request.form.get("reason", "")
    values = {"close-reason": reason}
    if not reason.strip():
        return _page(client, {"close-reason": "Enter the reason for closing the case"}, values, status=400)
    if len(reason) > clients.REASON_MAX:
        return _page(client, {"close-reason": f"The reason must be {clients.REASON_MAX} characters or fewer"},
                     values, status=400)
    try:
        clients.close_case(db.session, client, current_user, reason)
    except clients.ClientError as err:
        db.session.rollback()
        return _page(client_or_404(client_id), values=values, problem=f"{err} Nothing was changed.", status=409)
    db.session.commit()
    flash(f"{client.name}’s case is closed. The mentors’ phones drop them and their records at their next sync.")
    return redirect(url_for(".client", client_id=client.id), 303)
