"""Flask-Login wired to sign-ins (app/accounts/sign_ins.py): who is signed in
on each request, and the answer a revoked phone gets."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, redirect, request, url_for
from flask_login import LoginManager, current_user

from app.accounts import sign_ins, throttle
from app.db import db, utcnow
from app.errors import error_response

login_manager = LoginManager()

DEVICE_REVOKED = ("This phone has been signed out by the office, and what it held about your clients has been "
                  "deleted from it. Sign in again if you still volunteer with the scheme.")


# The phone asks for this once it has deleted its data, for the browser to
# clear the rest: cookies, caches, the service worker (app/accounts/views.py).
WIPE_PATH = "/api/session/wipe"


def _may_follow_a_revocation() -> bool:
    """Wiping, and signing in anew (a new sign-in of its own)."""
    return request.path == WIPE_PATH or (request.method == "POST" and request.path == "/api/session")


def timeouts(config) -> sign_ins.Timeouts:
    return sign_ins.Timeouts(
        field_idle=timedelta(days=config["FIELD_SIGN_IN_IDLE_DAYS"]),
        field_expiry=config["REMEMBER_COOKIE_DURATION"],  # REMEMBER_DAYS: the cookie and the server agree
        office_idle=timedelta(minutes=config["OFFICE_SIGN_IN_IDLE_MINUTES"]),
        office_expiry=timedelta(hours=config["OFFICE_SIGN_IN_HOURS"]),
    )


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    throttle.init_app(app)  # password guesses, before any view checks one
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = None

    @login_manager.user_loader
    def _load_user(login_id: str):
        from flask import current_app

        loaded = sign_ins.load(db.session, login_id, now=utcnow(), timeouts=timeouts(current_app.config))
        g.sign_in = loaded.sign_in if loaded.user else None
        g.sign_in_wiped = loaded.wipe
        if loaded.sign_in is not None and loaded.user is None:
            db.session.commit()  # the sign-in ended as idle, expired or deactivated: keep why
        return loaded.user

    @login_manager.unauthorized_handler
    def _unauthorised():
        if request.path.startswith("/api/"):
            return error_response(401, "Sign in to continue.", "unauthorised")
        return redirect(url_for("accounts.sign_in", next=request.path))

    # Registered before the CSRF check, so a revoked phone hears "revoked",
    # not "missing token".
    @app.before_request
    def _check_sign_in():
        if request.endpoint == "static":
            return None
        if not current_user.is_authenticated:
            # Said at every contact until the phone has wiped itself (it
            # then asks for WIPE_PATH), so a lost answer is said again.
            if g.get("sign_in_wiped") and request.path.startswith("/api/") and not _may_follow_a_revocation():
                return error_response(401, DEVICE_REVOKED, "device_revoked")
            return None
        row = g.get("sign_in")
        now = utcnow()
        if row is not None and sign_ins.needs_touch(row, now):
            sign_ins.touch(db.session, row.id, now)
            db.session.commit()
        return None
