"""Office pages of referrals (/office/referrals/): the list, recording an
emailed referral, and a referral with its checklist, decision and history."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from app.db import db
from app.office.views import coordinators_only
from app.referrals import services
from app.referrals.models import OUTCOME_WORDS

bp = Blueprint("referrals", __name__, url_prefix="/office/referrals", template_folder="templates",
               static_folder="static", static_url_path="/static")
bp.before_request(coordinators_only)

STATE_WORDS = {"waiting": "Waiting", "more_information": "Need more information", "accepted": "Accepted",
               "declined": "Declined"}


@bp.app_template_filter("uk_date")
def uk_date(day) -> str:
    """A day as the office reads it: "27 Mar 2026" (empty when there is none)."""
    return f"{day.day} {day:%b %Y}" if day else ""


def page_exists(path: str) -> bool:
    """Whether some page answers GET ``path`` (so this page never links to a 404)."""
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return False
    return not endpoint.startswith("referrals.") and endpoint != "static"


@bp.get("/")
def referral_list():
    status = request.args.get("status", "open")
    if status not in services.STATUS_FILTERS:
        status = "open"
    waiting = request.args.get("waiting", "")
    waiting_over = int(waiting) if waiting.isdigit() and int(waiting) in services.WAITING_CHOICES else None
    area_id = None
    areas = services.active_areas(db.session) if current_user.role == "admin" else []
    if areas and request.args.get("area"):
        try:
            area_id = uuid.UUID(request.args["area"])
        except ValueError:
            area_id = None
    rows = services.referral_list(db.session, current_user, status=status, area_id=area_id,
                                  waiting_over=waiting_over)
    return render_template(
        "referrals/list.html", rows=rows, status=status, waiting_over=waiting_over, area_id=area_id,
        areas=areas, status_filters=services.STATUS_FILTERS, waiting_choices=services.WAITING_CHOICES,
        state_words=STATE_WORDS,
    )


def _new_page(status=200, errors=None, values=None, duplicates=None, age=None):
    return render_template(
        "referrals/new.html", errors=errors or {}, values=values or {"consent_given": False},
        duplicates=duplicates or [], age=age, areas=services.active_areas(db.session),
        today=services.today_in_london().isoformat(), limits=services.LIMITS,
    ), status


# The fields in the order the form shows them (the error summary follows it).
FORM_ORDER = ("area_id", "referred_by", "referrer_contact", "received_on", "name", "preferred_name",
              "date_of_birth", "phone", "address", "main_issues", "desired_outcome", "risks", "other_information")


@bp.get("/new")
def new():
    return _new_page()


@bp.post("/new")
def create():
    data = services.check_referral(request.form, user=current_user, session=db.session,
                                   today=services.today_in_london())
    if data.errors:
        errors = {name: data.errors[name] for name in FORM_ORDER if name in data.errors}
        return _new_page(400, errors, data.values, age=data.age)
    if request.form.get("create_anyway") != "yes":
        duplicates = services.find_duplicates(db.session, current_user, data.area_id, data.values["name"],
                                              data.date_of_birth)
        if duplicates:
            return _new_page(409, values=data.values, duplicates=duplicates, age=data.age)
    client = services.record_referral(db.session, current_user, data)
    db.session.commit()
    age_words = f" Age {client.age_at_referral} on the date received." if client.age_at_referral is not None else ""
    flash(f"Referral of {client.name} recorded.{age_words} It is waiting for your decision.")
    return redirect(url_for(".referral", client_id=client.id), 303)


def _client_or_404(client_id):
    client = services.referral_in_scope(db.session, current_user, client_id)
    if client is None:
        abort(404)
    return client


def _referral_page(client, status=200, errors=None, values=None, problem=None):
    client_page = f"/office/clients/{client.id}"
    past = services.history(db.session, client.id)
    if values is None and past:  # the judgement of the will to change carries over to the next decision
        values = {"will_to_change": past[-1].will_to_change, "will_note": past[-1].will_note or ""}
    return render_template(
        "referrals/referral.html", client=client, facts=services.facts_of(db.session, client),
        checklist=services.checklist_for(db.session, client), history=past,
        errors=errors or {}, values=values or {}, problem=problem, outcome_words=OUTCOME_WORDS,
        state_words=STATE_WORDS, today=services.today_in_london(),
        client_page=client_page if page_exists(client_page) else None,
        pairs_page="/office/pairs/" if page_exists("/office/pairs/") else (
            "/office/pairs" if page_exists("/office/pairs") else None),
        area_name=client_area_name(client),
    ), status


def client_area_name(client):
    from app.areas.models import Area

    area = db.session.get(Area, client.area_id)
    return area.name if area else ""


@bp.get("/<uuid:client_id>")
def referral(client_id):
    return _referral_page(_client_or_404(client_id))


@bp.post("/<uuid:client_id>/decision")
def decide(client_id):
    client = _client_or_404(client_id)
    data = services.check_decision(request.form, age=client.age_at_referral, today=services.today_in_london())
    if data.errors:
        order = ("will_note", "outcome", "reason", "review_on", "age_override_reason")
        errors = {name: data.errors[name] for name in order if name in data.errors}
        return _referral_page(client, 400, errors, dict(request.form))
    try:
        services.decide(db.session, client, current_user, data)
    except services.ReferralError as err:
        db.session.rollback()
        return _referral_page(_client_or_404(client_id), 409, problem=str(err))
    db.session.commit()
    if data.outcome == "accepted":
        flash(f"Referral accepted. {client.name} is now an active client: assign them a pair.")
    elif data.outcome == "declined":
        flash(f"Referral declined. {client.name} will not be taken on; the reason is kept in the history.")
    else:
        flash(f"Asked for more information. The referral stays waiting, for review on {uk_date(data.review_on)}.")
    return redirect(url_for(".referral", client_id=client.id), 303)
