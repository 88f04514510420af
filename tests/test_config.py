"""Production cookies and HSTS (issue 12, item 7): the session and remember
cookies carry the __Host- prefix in production only, with what browsers
require of it (Secure, Path=/, no Domain); HSTS only in production unless configured."""
from http.cookies import SimpleCookie

import pytest

from app import create_app
from app.config import HSTS_PRODUCTION, ConfigError
from tests.conftest import DEMO_PASSWORD

HTTPS = "https://mentors.example"


def production_config(tmp_path, database_url=None, **extra):
    from py_vapid import Vapid

    vapid = Vapid()
    vapid.generate_keys()
    config = {"APP_ENV": "production", "INSTANCE_PATH": tmp_path / "instance", "SECRET_KEY": "s" * 20 + "0123456789abcdef",
              "DATABASE_URL": database_url or f"sqlite:///{tmp_path}/p.sqlite",
              "VAPID_PRIVATE_KEY": vapid.private_pem().decode(), "VAPID_SUBJECT": "mailto:office@scheme.example",
              "EVALUATOR_PSEUDONYM_KEY": "p" * 20 + "fedcba9876543210"}
    config.update(extra)
    return config


@pytest.fixture
def production_app(database_url, tmp_path, monkeypatch):
    """A production app on the test's database, with the demo data."""
    from app.db import db
    from app.demo.seed import seed_demo

    for name in ("STRICT_TRANSPORT_SECURITY", "SECRET_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(production_config(tmp_path, database_url))
    with app.app_context():
        seed_demo(db.session, DEMO_PASSWORD)
        db.session.commit()
    yield app
    app.extensions["database"]["engine"].dispose()


def set_cookies(response) -> dict[str, str]:
    """name -> the whole Set-Cookie line."""
    found = {}
    for line in response.headers.getlist("Set-Cookie"):
        name = next(iter(SimpleCookie(line)))
        found[name] = line
    return found


def attributes(line: str) -> dict[str, str]:
    parts = [p.strip() for p in line.split(";")[1:]]
    return {p.partition("=")[0].lower(): p.partition("=")[2] for p in parts}


def assert_host_cookie(line: str) -> None:
    attrs = attributes(line)
    assert "secure" in attrs and attrs["path"] == "/" and "domain" not in attrs, line
    assert "httponly" in attrs and attrs["samesite"].lower() == "lax", line


def test_production_names_the_cookies_with_the_host_prefix(production_app):
    assert production_app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert production_app.config["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"


def test_a_phone_signing_in_in_production_gets_host_cookies_only(production_app):
    phone = production_app.test_client()
    response = phone.post("/api/session", json={"email": "amira@demo.test", "password": DEMO_PASSWORD}, base_url=HTTPS)
    assert response.status_code == 200
    cookies = set_cookies(response)
    assert set(cookies) == {"__Host-session", "__Host-remember_token"}
    for line in cookies.values():
        assert_host_cookie(line)
    # ... and the server reads them back: still signed in, with either one alone.
    assert phone.get("/api/session", base_url=HTTPS).status_code == 200
    remember = phone.get_cookie("__Host-remember_token", domain="mentors.example").value
    phone.delete_cookie("__Host-session", domain="mentors.example")
    again = phone.get("/api/session", base_url=HTTPS)  # the remember cookie alone
    assert again.status_code == 200 and set(set_cookies(again)) == {"__Host-session"}
    # The same value under the plain name is not read: the prefix is the name.
    other = production_app.test_client()
    other.set_cookie("remember_token", remember, domain="mentors.example")
    assert other.get("/api/session", base_url=HTTPS).status_code == 401


def test_the_office_sign_in_in_production_gets_host_cookies(production_app):
    from tests.office.test_office_pages import form_token

    office = production_app.test_client()
    token = form_token(office.get("/sign-in", base_url=HTTPS).get_data(as_text=True))
    response = office.post("/sign-in", base_url=HTTPS,
                           data={"email": "coordinator@demo.test", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookies = set_cookies(response)
    assert "__Host-session" in cookies and "session" not in cookies
    assert_host_cookie(cookies["__Host-session"])
    assert office.get("/office/", base_url=HTTPS).status_code == 200


def test_development_and_testing_keep_the_plain_names_and_no_hsts(app, tmp_path, monkeypatch):
    monkeypatch.delenv("STRICT_TRANSPORT_SECURITY", raising=False)
    dev = create_app({"APP_ENV": "development", "INSTANCE_PATH": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite"})
    for config in (app.config, dev.config):
        # __Host- cookies need https: on http://127.0.0.1 the browser would drop them.
        assert config["SESSION_COOKIE_NAME"] == "session" and config["REMEMBER_COOKIE_NAME"] == "remember_token"
        assert config["SESSION_COOKIE_SECURE"] is False
        assert not config["STRICT_TRANSPORT_SECURITY"]


def test_production_has_hsts_even_if_configured_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("STRICT_TRANSPORT_SECURITY", "")
    assert create_app(production_config(tmp_path)).config["STRICT_TRANSPORT_SECURITY"] == HSTS_PRODUCTION


@pytest.mark.parametrize("override", [
    {"SESSION_COOKIE_NAME": "session"},
    {"REMEMBER_COOKIE_NAME": "remember_token"},
    {"SESSION_COOKIE_DOMAIN": "mentors.example"},
    {"REMEMBER_COOKIE_DOMAIN": ".example"},
    {"SESSION_COOKIE_PATH": "/office"},
    {"REMEMBER_COOKIE_SECURE": False},
])
def test_production_refuses_cookies_browsers_would_drop_or_others_could_shadow(tmp_path, override):
    with pytest.raises(ConfigError, match="COOKIE"):
        create_app(production_config(tmp_path, **override))


@pytest.mark.parametrize("value", ["soon", "0", "-5", "1.5", ""])
def test_a_sign_in_timeout_that_is_not_a_whole_number_stops_the_app_with_its_name(tmp_path, monkeypatch, value):
    from app import create_app

    monkeypatch.setenv("OFFICE_SIGN_IN_IDLE_MINUTES", value)
    with pytest.raises(ConfigError, match="OFFICE_SIGN_IN_IDLE_MINUTES must be a whole number"):
        create_app({"APP_ENV": "testing", "SECRET_KEY": "k" * 40, "INSTANCE_PATH": tmp_path})


def test_sign_in_timeouts_come_from_the_environment(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.setenv("FIELD_SIGN_IN_IDLE_DAYS", "7")
    app = create_app({"APP_ENV": "testing", "SECRET_KEY": "k" * 40, "INSTANCE_PATH": tmp_path})
    assert app.config["FIELD_SIGN_IN_IDLE_DAYS"] == 7 and app.config["OFFICE_SIGN_IN_HOURS"] == 12


@pytest.mark.parametrize("key", [None, "", "changeme", "short-pseudonym-key", "SAME"])
def test_production_refuses_without_a_pseudonym_key_of_its_own(tmp_path, monkeypatch, key):
    """The evaluators' pseudonyms need a real secret, not the SECRET_KEY (docs/operations.md, Secrets)."""
    monkeypatch.delenv("EVALUATOR_PSEUDONYM_KEY", raising=False)
    config = production_config(tmp_path)
    if key is None:
        del config["EVALUATOR_PSEUDONYM_KEY"]
    else:
        config["EVALUATOR_PSEUDONYM_KEY"] = config["SECRET_KEY"] if key == "SAME" else key
    with pytest.raises(ConfigError, match="EVALUATOR_PSEUDONYM_KEY"):
        create_app(config)


def test_production_keeps_the_pseudonym_key_it_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATOR_PSEUDONYM_KEY", "e" * 40)
    config = production_config(tmp_path)
    del config["EVALUATOR_PSEUDONYM_KEY"]
    assert create_app(config).config["EVALUATOR_PSEUDONYM_KEY"] == "e" * 40


def test_development_derives_the_pseudonym_key_from_the_secret_key(tmp_path, monkeypatch):
    """Stable while SECRET_KEY is, and not SECRET_KEY itself."""
    monkeypatch.delenv("EVALUATOR_PSEUDONYM_KEY", raising=False)
    config = {"APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite", "INSTANCE_PATH": tmp_path}
    first = create_app({**config, "SECRET_KEY": "a" * 40}).config["EVALUATOR_PSEUDONYM_KEY"]
    assert first == create_app({**config, "SECRET_KEY": "a" * 40}).config["EVALUATOR_PSEUDONYM_KEY"]
    assert len(first) == 64 and first != "a" * 40
    assert create_app({**config, "SECRET_KEY": "b" * 40}).config["EVALUATOR_PSEUDONYM_KEY"] != first


@pytest.mark.parametrize("value", ["six years", "0", "-72", "72.5", ""])
def test_a_retention_period_that_is_not_a_whole_number_of_months_stops_the_app_with_its_name(tmp_path, monkeypatch,
                                                                                           value):
    monkeypatch.setenv("RETENTION_MONTHS", value)
    with pytest.raises(ConfigError, match="RETENTION_MONTHS must be a whole number"):
        create_app({"APP_ENV": "testing", "SECRET_KEY": "k" * 40, "INSTANCE_PATH": tmp_path})


def test_the_retention_period_is_72_months_unless_the_environment_says(tmp_path, monkeypatch):
    """docs/operations.md, "Retention": six years after the case closed."""
    monkeypatch.delenv("RETENTION_MONTHS", raising=False)
    config = {"APP_ENV": "testing", "SECRET_KEY": "k" * 40, "INSTANCE_PATH": tmp_path}
    assert create_app(config).config["RETENTION_MONTHS"] == 72
    monkeypatch.setenv("RETENTION_MONTHS", "84")
    assert create_app(config).config["RETENTION_MONTHS"] == 84
