"""Configuration from the environment.

APP_ENV chooses the profile: ``development`` (default), ``production`` or
``testing``. Everything else comes from environment variables or from the
mapping passed to ``create_app`` (tests use that).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to fix."""


# Values that look like a secret but are not one.
_PLACEHOLDER_KEYS = {"", "dev", "changeme", "change-me", "secret", "please-change-me"}
MIN_SECRET_KEY_LENGTH = 32
# Strict-Transport-Security in production: two years, subdomains too
# (docs/operations.md, "Headers and cookies in production").
HSTS_PRODUCTION = "max-age=63072000; includeSubDomains"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL came with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _dev_secret_key(instance_path: Path) -> str:
    """A random key made once and kept in instance/, so sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    if not value.strip().isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number of 1 or more, not {value!r}")
    return int(value)


def load_config(app, overrides: dict | None = None) -> None:
    overrides = dict(overrides or {})
    env_name = overrides.pop("APP_ENV", None) or os.environ.get("APP_ENV", "development")
    if env_name not in ("development", "production", "testing"):
        raise ConfigError(f"APP_ENV must be development, production or testing, not {env_name!r}")
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)

    c = app.config
    c["APP_ENV"] = env_name
    c["TESTING"] = env_name == "testing"
    c["DATABASE_URL"] = os.environ.get(
        "DATABASE_URL", f"sqlite:///{instance_path / 'peer_mentors.sqlite'}"
    )
    c["SECRET_KEY"] = os.environ.get("SECRET_KEY")
    c["DEMO_PASSWORD"] = os.environ.get("DEMO_PASSWORD", "demo-mentors-2026")
    # Bodies bigger than this get 413; a sync batch of 1,000 visits fits easily.
    c["MAX_CONTENT_LENGTH"] = int(os.environ.get("MAX_CONTENT_LENGTH", 4 * 1024 * 1024))
    production = env_name == "production"
    # In production the cookies carry the __Host- prefix: browsers then take
    # them only if Secure, Path=/ and with no Domain, so no other host (a
    # subdomain, a plain-HTTP page on the network) can set or shadow them.
    # Only the server reads them (the field app never does), and a change of
    # name signs everyone out once.
    c["SESSION_COOKIE_NAME"] = "__Host-session" if production else "session"
    c["REMEMBER_COOKIE_NAME"] = "__Host-remember_token" if production else "remember_token"
    c["SESSION_COOKIE_PATH"] = c["REMEMBER_COOKIE_PATH"] = "/"
    c["SESSION_COOKIE_DOMAIN"] = c["REMEMBER_COOKIE_DOMAIN"] = None
    c["SESSION_COOKIE_HTTPONLY"] = True
    c["SESSION_COOKIE_SAMESITE"] = "Lax"
    c["SESSION_COOKIE_SECURE"] = production
    c["REMEMBER_COOKIE_HTTPONLY"] = True
    c["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    c["REMEMBER_COOKIE_SECURE"] = production
    # Sent on every response (app/security_headers.py) when set: always in
    # production, elsewhere only if configured (a test server behind HTTPS).
    c["STRICT_TRANSPORT_SECURITY"] = os.environ.get("STRICT_TRANSPORT_SECURITY") or (
        HSTS_PRODUCTION if production else None)
    # Phones stay signed in for a long time so a mentor is never locked out mid-visit.
    c["REMEMBER_COOKIE_DURATION"] = timedelta(days=int(os.environ.get("REMEMBER_DAYS", 90)))
    c["PERMANENT_SESSION_LIFETIME"] = timedelta(days=int(os.environ.get("REMEMBER_DAYS", 90)))
    # Sign-ins (app/accounts/sign_ins.py): a phone may go weeks between visits,
    # and a lost one is revoked by the office; office browsers sit on shared desks.
    c["FIELD_SIGN_IN_IDLE_DAYS"] = _whole_number("FIELD_SIGN_IN_IDLE_DAYS", 30)
    c["OFFICE_SIGN_IN_IDLE_MINUTES"] = _whole_number("OFFICE_SIGN_IN_IDLE_MINUTES", 60)
    c["OFFICE_SIGN_IN_HOURS"] = _whole_number("OFFICE_SIGN_IN_HOURS", 12)
    # Password guesses (app/accounts/throttle.py, Flask-Limiter notation):
    # a mentor mistyping gets many tries, a guesser few; many people may share
    # one address. Counts in memory, or Redis with more than one process.
    c["SIGN_IN_LIMIT_PER_ACCOUNT"] = os.environ.get("SIGN_IN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    c["SIGN_IN_LIMIT_PER_ADDRESS"] = os.environ.get("SIGN_IN_LIMIT_PER_ADDRESS", "50 per 15 minutes")
    c["RATELIMIT_STORAGE_URI"] = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Web Push (app/webpush): the VAPID key and contact, and where the
    # server may send Web Push messages (the browsers' Web Push services).
    c["VAPID_PRIVATE_KEY"] = os.environ.get("VAPID_PRIVATE_KEY")
    c["VAPID_SUBJECT"] = os.environ.get("VAPID_SUBJECT", "mailto:coordinators@localhost")
    c["WEBPUSH_SERVICE_HOSTS"] = ("fcm.googleapis.com", "android.googleapis.com", "push.services.mozilla.com",
                                  "push.apple.com", "notify.windows.com")
    c["WEBPUSH_HTTP_HOSTS"] = ()
    # Receipts (app/receipts): photos and PDFs kept outside the database, one
    # file per sha256; uploads above RECEIPT_MAX_BYTES (default 10 MiB) get 413.
    c["RECEIPTS_DIR"] = os.environ.get("RECEIPTS_DIR", str(instance_path / "receipts"))
    c["RECEIPT_MAX_BYTES"] = int(os.environ.get("RECEIPT_MAX_BYTES", 10 * 1024 * 1024))
    # Retention (app/data_protection/retention.py): a client's personal data is
    # anonymised this many months after the case closed or the referral was
    # declined (docs/operations.md, "Retention").
    c["RETENTION_MONTHS"] = _whole_number("RETENTION_MONTHS", 72)
    # The evaluators' export (app/outcomes/evaluator_export.py): clients'
    # pseudonyms are an HMAC under this key, so they stay the same between
    # exports while it does. A secret of its own in production (a new
    # SECRET_KEY must not change every pseudonym); elsewhere derived below.
    c["EVALUATOR_PSEUDONYM_KEY"] = os.environ.get("EVALUATOR_PSEUDONYM_KEY")
    c.update(overrides)
    c["DATABASE_URL"] = normalise_database_url(c["DATABASE_URL"])

    key = c.get("SECRET_KEY") or ""
    if env_name == "production":
        if key.lower() in _PLACEHOLDER_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        _check_production_cookies_and_hsts(c)
        if not c.get("VAPID_PRIVATE_KEY") or "localhost" in c["VAPID_SUBJECT"]:
            raise ConfigError(
                "VAPID_PRIVATE_KEY (a PEM EC key) and VAPID_SUBJECT (mailto: or https: contact) must be set "
                "in production for visit reminders (see README: Production)"
            )
        _check_pseudonym_key(c)
    elif not key:
        c["SECRET_KEY"] = _dev_secret_key(instance_path)
    if not c.get("EVALUATOR_PSEUDONYM_KEY"):
        c["EVALUATOR_PSEUDONYM_KEY"] = hmac.new(c["SECRET_KEY"].encode(), b"evaluator pseudonyms",
                                                hashlib.sha256).hexdigest()


def _check_pseudonym_key(c) -> None:
    """Production: a random key of its own, not SECRET_KEY (changing that
    signs everyone out; it must not also change every client's pseudonym)."""
    pseudonym_key = c.get("EVALUATOR_PSEUDONYM_KEY") or ""
    if (pseudonym_key.lower() in _PLACEHOLDER_KEYS or len(pseudonym_key) < MIN_SECRET_KEY_LENGTH
            or pseudonym_key == c["SECRET_KEY"]):
        raise ConfigError(
            "EVALUATOR_PSEUDONYM_KEY must be set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, not the SECRET_KEY, in production: it makes the clients' "
            "pseudonyms in the evaluators' export (see docs/operations.md, Secrets)"
        )


def _check_production_cookies_and_hsts(c) -> None:
    """A __Host- cookie that is not Secure, Path=/ and without Domain is one
    browsers drop silently (nobody could sign in): refuse to start instead."""
    for prefix in ("SESSION", "REMEMBER"):
        name = c[f"{prefix}_COOKIE_NAME"]
        if not name.startswith("__Host-"):
            raise ConfigError(f"{prefix}_COOKIE_NAME must start with __Host- in production, not {name!r}")
        if c[f"{prefix}_COOKIE_SECURE"] is not True or c[f"{prefix}_COOKIE_PATH"] != "/" or c[f"{prefix}_COOKIE_DOMAIN"]:
            raise ConfigError(f"{prefix}_COOKIE_NAME {name!r} needs {prefix}_COOKIE_SECURE on, "
                              f"{prefix}_COOKIE_PATH '/' and no {prefix}_COOKIE_DOMAIN")
    if not c.get("STRICT_TRANSPORT_SECURITY"):
        c["STRICT_TRANSPORT_SECURITY"] = HSTS_PRODUCTION
