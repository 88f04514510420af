"""Office pages for mentor pairs (/office/pairs/).

A coordinator sees and changes the pairs of their area, an admin every pair;
another area's pair answers 404. The rules (two cleared volunteers of the
pair's area, no ending a pair that still has clients) are in
app/volunteers/services.py; a refusal changes nothing and says why.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import User
from app.areas.models import Area
from app.clients.models import Client, ClientAssignment
from app.days import today
from app.db import db
from app.office.views import coordinators_only
from app.scope import area_scope, client_scope, pair_scope, volunteer_scope
from app.volunteers import compliance
from app.volunteers import services
from app.volunteers.models import MentorPair, PairMembership

bp = Blueprint("pairs", __name__, url_prefix="/office/pairs", template_folder="templates")
bp.before_request(coordinators_only)


def visible_pairs():
    return select(MentorPair).where(MentorPair.id.in_(pair_scope(current_user)))


def pair_or_404(pair_id) -> MentorPair:
    pair = db.session.scalar(visible_pairs().where(MentorPair.id == pair_id))
    if pair is None:
        abort(404)
    return pair


def volunteers_of_area(area_id) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.id.in_(volunteer_scope(current_user)), User.area_id == area_id, User.active)
        .order_by(User.name)))


def member_rows(pair: MentorPair, day) -> list[dict]:
    rows = []
    for membership in sorted(services.current_members(db.session, pair), key=lambda m: m.user.name):
        missing = services.missing_checks(db.session, membership.user_id, day)
        rows.append({"id": membership.user_id, "name": membership.user.name,
                     "missing": [compliance.NAMES[k] for k in missing]})
    return rows


def pair_clients(pair: MentorPair) -> list[Client]:
    return list(db.session.scalars(
        select(Client).join(ClientAssignment, ClientAssignment.client_id == Client.id)
        .where(ClientAssignment.pair_id == pair.id, ClientAssignment.ended_at.is_(None),
               Client.id.in_(client_scope(current_user)))
        .order_by(Client.name)))


def user_in_scope(user_id) -> User | None:
    try:
        user_id = uuid.UUID(str(user_id))
    except ValueError:
        return None
    return db.session.scalar(select(User).where(User.id == user_id, User.id.in_(volunteer_scope(current_user))))


@bp.get("/")
def pairs():
    day = today()
    rows = [{"pair": p, "members": member_rows(p, day), "clients": pair_clients(p)}
            for p in db.session.scalars(visible_pairs().order_by(MentorPair.active.desc(), MentorPair.name))]
    return render_template("pairs/list.html", rows=rows, day=day)


def _areas():
    return list(db.session.scalars(select(Area).where(Area.id.in_(area_scope(current_user))).order_by(Area.name)))


def _new_page(errors=None, values=None, problem=None, status=200):
    values = values or {}
    areas = _areas()
    area_id = values.get("area_id") or (str(current_user.area_id) if current_user.area_id else
                                         (str(areas[0].id) if areas else ""))
    area = next((a for a in areas if str(a.id) == area_id), None)
    volunteers = volunteers_of_area(area.id) if area else []
    day = today()
    choices = [{"id": v.id, "name": v.name, "missing": services.missing_checks(db.session, v.id, day)}
               for v in volunteers]
    return render_template("pairs/new.html", areas=areas, area_id=area_id, volunteers=choices,
                           errors=errors or {}, values=values, problem=problem), status


@bp.get("/new")
def new_pair():
    return _new_page(values={"area_id": request.args.get("area_id", "")})


@bp.post("/new")
def create_pair():
    form = request.form
    values = {k: form.get(k, "") for k in ("name", "area_id", "volunteer_1", "volunteer_2")}
    errors = {}
    name = values["name"].strip()
    if not name:
        errors["name"] = "Enter a name for the pair"
    elif len(name) > services.PAIR_NAME_MAX:
        errors["name"] = f"The pair's name must be {services.PAIR_NAME_MAX} characters or fewer"
    area = next((a for a in _areas() if str(a.id) == values["area_id"]), None)
    if area is None:
        errors["area_id"] = "Choose the pair's area"
    first, second = user_in_scope(values["volunteer_1"]), user_in_scope(values["volunteer_2"])
    if first is None:
        errors["volunteer_1"] = "Choose the first volunteer"
    if second is None:
        errors["volunteer_2"] = "Choose the second volunteer"
    elif first is not None and first.id == second.id:
        errors["volunteer_2"] = "Choose a different volunteer from the first: mentors visit in pairs"
    if errors:
        return _new_page(errors, values, status=400)
    try:
        pair = services.create_pair(db.session, name, area.id, [first, second], today())
    except services.PairError as err:
        db.session.rollback()
        return _new_page(values=values, problem=f"{err} The pair was not made.", status=409)
    db.session.commit()
    flash(f"Pair {pair.name} made, with {first.name} and {second.name}. "
          "You can now give it clients from each client's record.")
    return redirect(url_for(".pair", pair_id=pair.id), 303)


def _pair_page(pair, errors=None, values=None, problem=None, status=200):
    day = today()
    members = member_rows(pair, day)
    member_ids = {m["id"] for m in members}
    candidates = [{"id": v.id, "name": v.name, "missing": services.missing_checks(db.session, v.id, day)}
                  for v in volunteers_of_area(pair.area_id) if v.id not in member_ids]
    history = db.session.execute(
        select(User.name, PairMembership.joined_at, PairMembership.left_at)
        .join(User, User.id == PairMembership.user_id)
        .where(PairMembership.pair_id == pair.id).order_by(PairMembership.joined_at.desc())).all()
    return render_template("pairs/pair.html", pair=pair, members=members, candidates=candidates,
                           clients=pair_clients(pair), history=history, errors=errors or {},
                           values=values or {}, problem=problem, pair_size=services.PAIR_SIZE), status


@bp.get("/<uuid:pair_id>")
def pair(pair_id):
    return _pair_page(pair_or_404(pair_id))


def _refused(pair_id, err, what="Nothing was changed."):
    db.session.rollback()
    return _pair_page(pair_or_404(pair_id), problem=f"{err} {what}", status=409)


@bp.post("/<uuid:pair_id>/members")
def add_member(pair_id):
    pair = pair_or_404(pair_id)
    volunteer = user_in_scope(request.form.get("volunteer_id", ""))
    if volunteer is None:
        return _pair_page(pair, errors={"volunteer_id": "Choose a volunteer to add"}, status=400)
    try:
        services.add_member(db.session, pair, volunteer, today())
    except services.PairError as err:
        return _refused(pair_id, err)
    db.session.commit()
    flash(f"{volunteer.name} is now in pair {pair.name}. Their phone gets the pair's clients at its next sync.")
    return redirect(url_for(".pair", pair_id=pair.id), 303)


@bp.post("/<uuid:pair_id>/members/<uuid:volunteer_id>/remove")
def remove_member(pair_id, volunteer_id):
    pair = pair_or_404(pair_id)
    volunteer = user_in_scope(volunteer_id)
    if volunteer is None:
        abort(404)
    try:
        services.remove_member(db.session, pair, volunteer.id)
    except services.PairError as err:
        return _refused(pair_id, err)
    db.session.commit()
    flash(f"{volunteer.name} has left pair {pair.name}. Their phone drops the pair's clients at its next sync.")
    return redirect(url_for(".pair", pair_id=pair.id), 303)


@bp.post("/<uuid:pair_id>/end")
def end(pair_id):
    pair = pair_or_404(pair_id)
    try:
        services.end_pair(db.session, pair)
    except services.PairError as err:
        return _refused(pair_id, err, "The pair was not ended.")
    db.session.commit()
    flash(f"Pair {pair.name} has ended. Its members and history are kept; you can restart it.")
    return redirect(url_for(".pair", pair_id=pair.id), 303)


@bp.post("/<uuid:pair_id>/restart")
def restart(pair_id):
    pair = pair_or_404(pair_id)
    try:
        services.restart_pair(db.session, pair, today())
    except services.PairError as err:
        return _refused(pair_id, err, "The pair was not restarted.")
    db.session.commit()
    flash(f"Pair {pair.name} is active again.")
    return redirect(url_for(".pair", pair_id=pair.id), 303)
