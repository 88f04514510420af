"""Signing in and out: the JSON session API for the field app, and a plain
sign-in page for the office."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.accounts import services, sign_ins
from app.accounts.login import WIPE_PATH, timeouts
from app.accounts.throttle import password_attempts
from app.accounts.passwords import MIN_PASSWORD_LENGTH
from app.accounts.schemas import SignInSchema, UserOut
from app.api_input import load
from app.audit import log as audit_log
from app.csrf import csrf_token, rotate_csrf_token
from app.db import db, utcnow
from app.errors import ApiError

bp = Blueprint("accounts", __name__)

INVALID_CREDENTIALS = "Email or password is incorrect."
NEW_PASSWORD_PATH = "/account/new-password"
PASSWORD_CHANGE_REQUIRED = (f"You need to set a new password before you can sign in. Set it at {NEW_PASSWORD_PATH} "
                            "with the first-time password the office gave you.")
FIELD_APP_IS_FOR_MENTORS = "This app is for mentors. Coordinators use the office pages at /office/ on a computer."


def _session_body():
    return {"user": UserOut().dump(current_user), "csrf_token": csrf_token()}


@bp.post("/api/session")
@password_attempts
def api_sign_in():
    data = load(SignInSchema())
    user = services.authenticate(db.session, data["email"], data["password"])
    if user is None:
        _refused(data["email"], 401)
        raise ApiError(401, INVALID_CREDENTIALS, "invalid_credentials")
    if user.must_change_password:
        # A first-time password from the office: no session until it is changed.
        _refused(data["email"], 403)
        raise ApiError(403, PASSWORD_CHANGE_REQUIRED, "password_change_required")
    if data["app"] == "field" and user.role != "volunteer":
        # Phones hold only a pair's clients; refused before any session
        # exists, so nothing needs signing out (which would end the
        # coordinator's office sessions too).
        _refused(data["email"], 403)
        raise ApiError(403, FIELD_APP_IS_FOR_MENTORS, "field_app_for_mentors")
    _start_sign_in(user, "field")
    # Phones keep a long-lived session (and its CSRF token) across restarts.
    session.permanent = True
    login_user(user, remember=True)
    rotate_csrf_token()
    return jsonify(_session_body())


def _start_sign_in(user, app: str) -> None:
    """Open a sign-in, and audit it in the same transaction."""
    login_id = sign_ins.start(db.session, user, app=app, device=sign_ins.describe_device(request.user_agent.string),
                              now=utcnow(), timeouts=timeouts(current_app.config))
    _audit("sign_in", user.id, 200, sign_in_id=login_id.partition(":")[0])
    db.session.commit()


def _refused(email: str, status: int) -> None:
    """A refused sign-in is audited with the account it was for, if any (a
    run of them on one account is an attack on it), never with what was typed."""
    db.session.rollback()
    account = services.find_by_email(db.session, email)
    _audit("sign_in_failed", account.id if account else None, status)
    db.session.commit()


def _audit(action: str, user_id, status: int, sign_in_id=None) -> None:
    audit_log.record(db.session, action=action, route=f"{request.method} {request.path}", user_id=user_id,
                     record_kind="sign_in" if sign_in_id else None, record_id=sign_in_id, status=status,
                     ip=request.remote_addr)


@bp.get("/api/session")
def api_current_session():
    if not current_user.is_authenticated:
        raise ApiError(401, "Not signed in.", "unauthorised")
    return jsonify(_session_body())


def _end_session() -> None:
    """Sign out for real: the sign-in ends on the server, so every copy of
    this browser's session and remember cookies is worthless (the person's
    other phones stay signed in). Safe to call when nobody is signed in."""
    row = g.get("sign_in") if current_user.is_authenticated else None
    if row is not None:
        sign_ins.end(db.session, row, reason="signed_out", now=utcnow())
        db.session.commit()
    logout_user()
    rotate_csrf_token()


@bp.delete("/api/session")
def api_sign_out():
    # No session is fine: a phone repeats a sign-out it queued while offline.
    _end_session()
    return "", 204


@bp.post(WIPE_PATH)
def api_wipe():
    """The last step of a phone's wipe (a revoked phone, or a sign-out): the
    browser clears this site's cookies, caches, storage and service worker.
    Needs no session: a revoked phone has none."""
    _end_session()
    response = make_response("", 204)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def _safe_next(target: str | None) -> str:
    """Only same-site paths, never another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("office.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@password_attempts
def sign_in():
    errors = {}
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        if not email:
            errors["email"] = "Enter your email address."
        if not password:
            errors["password"] = "Enter your password."
        if not errors:
            user = services.authenticate(db.session, email, password)
            if user is None:
                _refused(email, 400)
                errors["email"] = INVALID_CREDENTIALS
            elif user.must_change_password:
                _refused(email, 403)
                return render_template("accounts/sign_in.html", errors={}, email=email,
                                       must_change_password=True), 403
            elif not user.uses_office:
                # A mentor who found this page: signing them in would only
                # lead to a page they may not open. Point them to their app.
                _refused(email, 403)
                return render_template("office/for_coordinators.html", signed_in=False), 403
            else:
                _start_sign_in(user, "office")
                login_user(user)
                rotate_csrf_token()
                return redirect(_safe_next(request.args.get("next")))
    status = 400 if errors else 200
    return render_template("accounts/sign_in.html", errors=errors, email=email), status


@bp.post("/sign-out")
def sign_out():
    _end_session()
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account/new-password", methods=["GET", "POST"])
@password_attempts
def new_password():
    """Replace the first-time password the office gave with one's own; for
    mentors and coordinators alike, signed out (both sign-ins refuse a
    first-time password). Passwords are never put back into the form."""
    errors = {}
    email = request.form.get("email", "").strip() if request.method == "POST" else ""
    if request.method == "POST":
        try:
            user = services.set_own_password(
                db.session, email=email, current=request.form.get("current_password", ""),
                new=request.form.get("new_password", ""), repeat=request.form.get("repeat_password", ""))
        except services.AccountError as err:
            db.session.rollback()
            errors = {field: " ".join(messages) for field, messages in err.fields.items()}
        else:
            db.session.commit()
            return render_template("accounts/new_password_set.html", user=user)
    status = 400 if errors else 200
    return render_template("accounts/new_password.html", errors=errors, email=email,
                           min_length=MIN_PASSWORD_LENGTH), status
