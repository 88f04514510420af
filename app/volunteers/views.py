"""Office pages for volunteers (/office/volunteers/): the list with who is
cleared, a volunteer's record with their checks as a history, recording a
check, creating a volunteer's account and giving a new first-time password.

A coordinator sees the volunteers of their area, an admin every volunteer
(app.scope.volunteer_scope); another area's volunteer answers 404. A
first-time password is shown once, in the answer to the form that made it,
and is never put in an address, a flashed message, the session or a log.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import scope
from app.accounts import services as accounts
from app.accounts import sign_ins
from app.accounts.models import User
from app.areas.models import Area
from app.db import db, utcnow
from app.office.views import coordinators_only
from app.volunteers import compliance, services
from app.volunteers.models import COMPLIANCE_KINDS

bp = Blueprint("volunteers", __name__, url_prefix="/office/volunteers", template_folder="templates")
bp.before_request(coordinators_only)

CHECK_FIELDS = ("kind", "completed_on", "expires_on", "dbs_certificate_number", "dbs_level")


def volunteers_in_scope():
    return select(User).where(User.id.in_(scope.volunteer_scope(current_user)))


def volunteer_or_404(volunteer_id) -> User:
    volunteer = db.session.scalar(volunteers_in_scope().where(User.id == volunteer_id))
    if volunteer is None:
        abort(404)
    return volunteer


def _areas() -> list[Area]:
    """The areas the user may give a new volunteer: their own; every area for an admin."""
    query = select(Area).order_by(Area.name)
    if current_user.role != "admin":
        query = query.where(Area.id == current_user.area_id)
    return list(db.session.scalars(query))


def _no_store(page, status=200):
    """A page holding a first-time password: never cached, never kept in history."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def volunteer_list():
    day = scope.today()
    volunteers = list(db.session.scalars(volunteers_in_scope().order_by(User.active.desc(), User.name)))
    return render_template("volunteers/list.html", rows=services.volunteer_rows(db.session, volunteers, day), day=day)


def _record_page(volunteer, errors=None, values=None, status=200):
    day = scope.today()
    history = services.check_history(db.session, volunteer.id)
    checks = []
    for kind in compliance.REQUIRED:
        rows = history.get(kind, [])
        current = services.in_force(rows, day)
        checks.append({"kind": kind, "name": compliance.NAMES[kind], "current": current, "history": rows})
    plain = services.compliance_checks(db.session, [volunteer.id])[volunteer.id]
    warnings = [{"name": compliance.NAMES[w.kind], **w.__dict__} for w in compliance.expiry_warnings(plain, day)]
    recorders = {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(
        {c.recorded_by_id for rows in history.values() for c in rows if c.recorded_by_id})))}
    return render_template(
        "volunteers/volunteer.html", volunteer=volunteer, day=day, checks=checks, warnings=warnings,
        missing=[compliance.NAMES[k] for k in compliance.missing_on(plain, day)],
        pairs=services.volunteer_pairs(db.session, [volunteer.id])[volunteer.id], recorders=recorders,
        kinds=[(k, compliance.NAMES[k]) for k in COMPLIANCE_KINDS], levels=services.DBS_LEVEL_NAMES,
        devices=sign_ins.open_sign_ins(db.session, volunteer), errors=errors or {}, values=values or {}), status


@bp.get("/<uuid:volunteer_id>")
def volunteer(volunteer_id):
    return _record_page(volunteer_or_404(volunteer_id))


@bp.post("/<uuid:volunteer_id>/checks")
def record_check(volunteer_id):
    volunteer = volunteer_or_404(volunteer_id)
    values = {name: request.form.get(name, "") for name in CHECK_FIELDS}
    try:
        check = services.record_check(db.session, volunteer, recorded_by=current_user, day=scope.today(), **values)
    except services.ComplianceError as err:
        db.session.rollback()
        return _record_page(volunteer, errors=err.fields, values=values, status=400)
    db.session.commit()
    until = f", valid until {check.expires_on.day} {check.expires_on:%b %Y}" if check.expires_on else ", with no expiry"
    flash(f"{compliance.NAMES[check.kind]} recorded for {volunteer.name}: completed "
          f"{check.completed_on.day} {check.completed_on:%b %Y}{until}. Earlier records are kept below as history.")
    return redirect(url_for(".volunteer", volunteer_id=volunteer.id) + "#checks", 303)


def _new_page(errors=None, values=None, status=200):
    areas = _areas()
    return render_template("volunteers/new.html", areas=areas, errors=errors or {}, values=values or {}), status


@bp.get("/new")
def new_volunteer():
    return _new_page()


@bp.post("/new")
def create_volunteer():
    values = {name: request.form.get(name, "").strip() for name in ("name", "email", "area_id")}
    area = next((a for a in _areas() if str(a.id) == values["area_id"]), None)
    try:
        volunteer, password = accounts.create_volunteer(db.session, name=values["name"], email=values["email"],
                                                        area=area)
    except accounts.AccountError as err:
        db.session.rollback()
        errors = {field: " ".join(messages).rstrip(".") for field, messages in err.fields.items()}
        return _new_page(errors, values, 400)
    db.session.commit()
    return _no_store(render_template("volunteers/password.html", volunteer=volunteer, password=password, new=True))


@bp.post("/<uuid:volunteer_id>/first-password")
def reset_password(volunteer_id):
    volunteer = volunteer_or_404(volunteer_id)
    if not volunteer.active:
        flash_problem = f"{volunteer.name}’s account is not active, so it was not given a new password."
        return _record_page(volunteer, errors={"reset": flash_problem}, status=409)
    password = accounts.reset_first_password(db.session, volunteer)
    db.session.commit()
    return _no_store(render_template("volunteers/password.html", volunteer=volunteer, password=password, new=False))



# -- A lost phone ------------------------------------------------------------
# Revoking ends the sign-in on the server; at its next contact the phone is
# told so and deletes what it holds (app/accounts/login.py).

@bp.post("/<uuid:volunteer_id>/sign-ins/<uuid:sign_in_id>/revoke")
def revoke_sign_in(volunteer_id, sign_in_id):
    volunteer = volunteer_or_404(volunteer_id)
    row = sign_ins.find(db.session, volunteer, sign_in_id)
    if row is None:
        abort(404)
    if not row.is_open:
        flash(f"That {row.device} was already signed out: nothing changed.")
    else:
        sign_ins.end(db.session, row, reason="revoked", now=utcnow(), by=current_user)
        db.session.commit()
        flash(f"{volunteer.name}’s {row.device} is signed out. The next time it connects it deletes "
              "everything it holds about clients.")
    return redirect(url_for(".volunteer", volunteer_id=volunteer.id), 303)  # the message is at the top


@bp.post("/<uuid:volunteer_id>/sign-ins/revoke")
def revoke_all_sign_ins(volunteer_id):
    volunteer = volunteer_or_404(volunteer_id)
    count = sign_ins.end_all(db.session, volunteer, reason="revoked", now=utcnow(), by=current_user)
    db.session.commit()
    if count:
        flash(f"{volunteer.name} is signed out on {count} phone{'' if count == 1 else 's'} or browser"
              f"{'' if count == 1 else 's'}. Each deletes everything it holds about clients the next time it connects.")
    else:
        flash(f"{volunteer.name} was not signed in anywhere: nothing changed.")
    return redirect(url_for(".volunteer", volunteer_id=volunteer.id), 303)  # the message is at the top
