"""app/wsgi.py behind a TLS proxy: with TRUSTED_PROXIES=1 the client's real
address comes from X-Forwarded-For (the sign-in throttle counts per real
address); without it the header is ignored (a client cannot choose its address)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import request

from app.config import ConfigError
from app.wsgi import behind_proxies, trusted_proxies

PROXY = "10.0.0.2"  # the proxy, as gunicorn sees it
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seen(app):
    """A route that answers with the address and scheme the app believes."""
    app.add_url_rule("/_seen", "seen", lambda: f"{request.remote_addr} {request.scheme}")
    return app


def ask(app, headers):
    return app.test_client().get("/_seen", headers=headers, environ_base={"REMOTE_ADDR": PROXY}).get_data(as_text=True)


def test_trusted_proxies_is_a_small_number():
    assert trusted_proxies({}) == 0
    assert trusted_proxies({"TRUSTED_PROXIES": "1"}) == 1
    assert trusted_proxies({"TRUSTED_PROXIES": " 2 "}) == 2
    for wrong in ("yes", "-1", "1.5", "99"):
        with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
            trusted_proxies({"TRUSTED_PROXIES": wrong})


def test_behind_one_proxy_the_client_address_and_scheme_are_the_forwarded_ones(seen):
    seen.wsgi_app = behind_proxies(seen.wsgi_app, 1)
    # The client claimed an address itself; only the entry our proxy appended counts.
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https"}
    assert ask(seen, headers) == "203.0.113.7 https"
    assert ask(seen, {}) == f"{PROXY} http"


def test_without_trusted_proxies_forwarded_headers_are_ignored(seen):
    seen.wsgi_app = behind_proxies(seen.wsgi_app, 0)
    assert ask(seen, {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}) == f"{PROXY} http"


def test_the_sign_in_throttle_counts_each_real_address_behind_the_proxy(app, demo):
    app.config.update(SIGN_IN_LIMIT_PER_ADDRESS="2 per 15 minutes", SIGN_IN_LIMIT_PER_ACCOUNT="50 per 15 minutes")
    app.wsgi_app = behind_proxies(app.wsgi_app, 1)
    client = app.test_client()

    def guess(address, email):
        return client.post("/api/session", json={"email": email, "password": "wrong-password"},
                           headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": PROXY}).status_code

    assert [guess("203.0.113.7", f"p{i}@demo.test") for i in range(3)] == [401, 401, 429]
    # Another person behind the same proxy is not held up by the first one's guesses.
    assert guess("203.0.113.8", "someone@demo.test") == 401


@pytest.mark.parametrize("value, wrapped", [("1", True), ("", False)])
def test_the_gunicorn_entry_point_reads_trusted_proxies(tmp_path, value, wrapped):
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite'}",
           "SECRET_KEY": "s" * 40, "TRUSTED_PROXIES": value}
    done = subprocess.run([sys.executable, "-c", "from app.wsgi import app; print(type(app.wsgi_app).__name__)"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (done.stdout.strip() == "ProxyFix") is wrapped


def test_a_wrong_trusted_proxies_stops_gunicorn_with_one_line(tmp_path):
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite'}",
           "SECRET_KEY": "s" * 40, "TRUSTED_PROXIES": "yes"}
    done = subprocess.run([sys.executable, "-c", "import app.wsgi"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Configuration error: TRUSTED_PROXIES must be")
