"""The office schedule (/office/schedule/): visits by pair and by client, and
planning a visit for a pair's client."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.db import db
from app.office.views import coordinators_only
from app.pairs.views import visible_pairs
from app.schedule import services
from app.volunteers.models import MentorPair

bp = Blueprint("schedule", __name__, url_prefix="/office/schedule", template_folder="templates")
bp.before_request(coordinators_only)
LONDON = ZoneInfo("Europe/London")
STATUS_WORDS = {"planned": "Planned", "completed": "Done", "cancelled": "Cancelled", "no_show": "No-show"}


def _date(text):
    """A day typed the UK way (25/12/2026, or 25/12/26), or as 2026-12-25."""
    text = (text or "").strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year + 2000 if year < 100 else year, month, day)
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _time(text):
    """A time of day as hours and minutes: 14:30, 9:05 or 14.30."""
    parts = (text or "").strip().replace(".", ":").split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[1]) != 2:
        return None
    try:
        return time(int(parts[0]), int(parts[1]))
    except ValueError:
        return None


def _uuid(text):
    try:
        return uuid.UUID(text)
    except (TypeError, ValueError):
        return None


def _page(errors=None, values=None, problem=None, status=200):
    args = request.args
    today = datetime.now(LONDON).date()
    filter_errors = {}
    start, end = _date(args.get("from")) if args.get("from") else today - timedelta(days=7), \
        _date(args.get("to")) if args.get("to") else today + timedelta(days=28)
    if start is None:
        filter_errors["from"] = "Enter the first day as a real date, for example 27/11/2026"
        start = today - timedelta(days=7)
    if end is None:
        filter_errors["to"] = "Enter the last day as a real date, for example 27/11/2026"
        end = today + timedelta(days=28)
    if end < start:
        filter_errors["to"] = "The last day must be the same as or after the first day"
        end = start
    if (end - start).days > 366:
        filter_errors["to"] = "Show at most a year at a time"
        end = start + timedelta(days=366)
    pairs = list(db.session.scalars(visible_pairs().order_by(MentorPair.name)))
    plannable = services.plannable_clients(db.session, current_user)
    pair_id = _uuid(args.get("pair_id")) if args.get("pair_id") else None
    if pair_id is not None and pair_id not in {p.id for p in pairs}:
        pair_id = None
    client_id = _uuid(args.get("client_id")) if args.get("client_id") else None
    clients = services.clients_in_scope(db.session, current_user)
    if client_id is not None and client_id not in {c.id for c in clients}:
        client_id = None
    grace = services.grace_minutes()
    rows = services.visits(db.session, current_user, start=start, end=end, pair_id=pair_id, client_id=client_id,
                           grace=timedelta(minutes=grace))
    return render_template(
        "schedule/schedule.html", rows=rows, pairs=pairs, clients=clients, plannable=plannable,
        start=start, end=end, pair_id=pair_id, client_id=client_id, status_words=STATUS_WORDS,
        filter_errors=filter_errors, errors=errors or {}, values=values or {}, problem=problem,
        counts={s: sum(1 for r in rows if r.visit.status == s) for s in STATUS_WORDS},
        overdue=sum(1 for r in rows if r.overdue), grace=grace), status


@bp.get("/")
def schedule():
    return _page()


@bp.post("/visits")
def plan():
    form = request.form
    values = {k: form.get(k, "") for k in ("client_id", "day", "time", "length", "location")}
    errors = {}
    plannable = {str(c.id) for c, _ in services.plannable_clients(db.session, current_user)}
    if values["client_id"] not in plannable:
        errors["plan-client_id"] = "Choose a client who is with a pair"
    day = _date(values["day"])
    if day is None:
        errors["day"] = "Enter the day of the visit as a real date, for example 27/11/2026"
    at = _time(values["time"])
    if at is None:
        errors["time"] = "Enter the time as hours and minutes, for example 14:30"
    length = values["length"].strip()
    if not length.isdigit() or not 1 <= int(length) <= services.LENGTH_MAX:
        errors["length"] = f"Enter the length in minutes, a whole number from 1 to {services.LENGTH_MAX}"
    if len(values["location"]) > services.LOCATION_MAX:
        errors["location"] = f"Where must be {services.LOCATION_MAX} characters or fewer"
    if errors:
        return _page(errors, values, status=400)
    try:
        visit = services.plan_visit(db.session, current_user, uuid.UUID(values["client_id"]), day, at,
                                    int(length), values["location"])
    except services.PlanError as err:
        db.session.rollback()
        return _page(values=values, problem=f"{err} The visit was not planned.", status=409)
    db.session.commit()
    local = visit.scheduled_start_at.astimezone(LONDON)
    flash(f"Visit planned for {local.strftime('%a %d %b %Y, %H:%M')}. "
          "The pair’s phones get it at their next sync.")
    return redirect(url_for(".schedule", client_id=values["client_id"], **{"from": day.strftime("%d/%m/%Y")}), 303)
