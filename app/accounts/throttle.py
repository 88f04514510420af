"""Throttling password guesses (Flask-Limiter): per account and per address.

Only refused attempts count (a person who types their password right is never
slowed down); once an account or an address has had too many, every attempt
on it is answered 429 with Retry-After until the window passes, even with the
right password, so guessing costs the guesser time and the server no scrypt.
Counts live in memory, or in Redis when RATELIMIT_STORAGE_URI is set (more
than one web process: docs/operations.md).
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.accounts.passwords import MIN_PASSWORD_LENGTH
from app.api_input import json_body, text_problem
from app.errors import ApiError, error_response

limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="fixed-window")

def init_app(app: Flask) -> None:
    # SIGN_IN_LIMIT_PER_ACCOUNT / _PER_ADDRESS and RATELIMIT_STORAGE_URI: app/config.py
    limiter.init_app(app)


def _account() -> str:
    """The account an attempt is for, as typed (normalised), from a JSON body
    or a form. A body the view will refuse anyway counts under no account."""
    try:
        email = (json_body() if request.is_json else request.form).get("email")
    except ApiError:
        email = None
    if not isinstance(email, str) or text_problem(email):
        return "account:"
    return "account:" + email.strip().lower()[:254]


def _refused(response) -> bool:
    return response.status_code in (400, 401, 403)


def _breach(limit):
    """The answer once a limit is reached: in words, with how long to wait
    (Retry-After is added by Flask-Limiter)."""
    minutes = max(1, math.ceil((limit.reset_at - 1 - time.time()) / 60))  # reset_at rounds up a second
    message = (f"Too many attempts to sign in. Wait {minutes} minute{'' if minutes == 1 else 's'} and try again. "
               "If you have forgotten your password, ask your coordinator for a new first-time password.")
    if request.path.startswith("/api/"):
        response, status = error_response(429, message, "too_many_attempts")
        response.status_code = status
        return response
    template = "accounts/new_password.html" if request.path.startswith("/account/") else "accounts/sign_in.html"
    page = render_template(template, errors={"email": message}, email=request.form.get("email", ""),
                           min_length=MIN_PASSWORD_LENGTH)
    return current_app.response_class(page, status=429, mimetype="text/html")


def password_attempts(view):
    """Decorate a view that checks a password (POST only)."""
    per_account = limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"], key_func=_account,
                                methods=["POST"], deduct_when=_refused, on_breach=_breach,
                                scope="password-per-account")
    per_address = limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], key_func=get_remote_address,
                                methods=["POST"], deduct_when=_refused, on_breach=_breach,
                                scope="password-per-address")
    return per_account(per_address(view))
