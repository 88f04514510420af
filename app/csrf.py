"""CSRF protection.

The token lives in the signed session cookie. API clients send it back in the
``X-CSRF-Token`` header on every unsafe method; office forms send it as a
hidden field. Signing in through the API needs no token: it is JSON only,
which a cross-site form cannot send without a CORS preflight.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from flask_login import current_user

from app.errors import ApiError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
EXEMPT = {("POST", "/api/session")}


def csrf_token() -> str:
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(32)
    return session["csrf_token"]


def rotate_csrf_token() -> str:
    session.pop("csrf_token", None)
    return csrf_token()


def _valid(sent: str | None) -> bool:
    expected = session.get("csrf_token")
    return bool(sent and expected and hmac.compare_digest(sent, expected))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def _check_csrf():
        if request.method in SAFE_METHODS or (request.method, request.path) in EXEMPT:
            return None
        if request.path.startswith("/api/"):
            if not current_user.is_authenticated:
                return None  # the view answers 401: the phone must sign in, not fetch a token
            if not _valid(request.headers.get("X-CSRF-Token")):
                raise ApiError(403, "Missing or wrong X-CSRF-Token header; sign in again to get a new one.", "csrf_failed")
            return None
        if not _valid(request.form.get("csrf_token")):
            abort(400, "The form expired. Go back, reload the page and try again.")
        return None
