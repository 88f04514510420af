import pytest
from sqlalchemy import text

from app import create_app
from app.config import ConfigError, normalise_database_url


def test_testing_config(app):
    assert app.config["TESTING"] is True
    assert app.config["APP_ENV"] == "testing"


@pytest.mark.parametrize("key", [None, "", "dev", "short-key", "change-me"])
def test_production_refuses_without_a_real_secret_key(tmp_path, monkeypatch, key):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"APP_ENV": "production", "INSTANCE_PATH": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"}
    if key is not None:
        config["SECRET_KEY"] = key
    with pytest.raises(ConfigError) as err:
        create_app(config)
    message = str(err.value)
    assert "SECRET_KEY" in message and "\n" not in message


def production_config(tmp_path, **extra):
    from py_vapid import Vapid

    vapid = Vapid()
    vapid.generate_keys()
    config = {"APP_ENV": "production", "INSTANCE_PATH": tmp_path, "SECRET_KEY": "x" * 20 + "0123456789abcdef",
              "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite", "VAPID_PRIVATE_KEY": vapid.private_pem().decode(),
              "VAPID_SUBJECT": "mailto:office@scheme.example",
              "EVALUATOR_PSEUDONYM_KEY": "p" * 20 + "fedcba9876543210"}
    config.update(extra)
    return config


def test_production_starts_with_a_real_secret_key(tmp_path):
    app = create_app(production_config(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("missing", ["VAPID_PRIVATE_KEY", "VAPID_SUBJECT"])
def test_production_refuses_without_webpush_keys(tmp_path, monkeypatch, missing):
    monkeypatch.delenv(missing, raising=False)
    config = production_config(tmp_path)
    del config[missing]
    with pytest.raises(ConfigError, match="VAPID"):
        create_app(config)


def test_development_makes_a_vapid_key_once(tmp_path):
    config = {"APP_ENV": "development", "INSTANCE_PATH": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite"}
    first = create_app(dict(config)).extensions["vapid"]["public_key"]
    assert create_app(dict(config)).extensions["vapid"]["public_key"] == first
    assert len(first) == 87  # an uncompressed P-256 point, base64url


def test_wsgi_entry_point_says_what_is_wrong_in_one_line(tmp_path):
    import subprocess
    import sys

    env = {"APP_ENV": "production", "PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/w.sqlite"}
    result = subprocess.run([sys.executable, "-c", "import app.wsgi"], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "SECRET_KEY" in result.stderr


def test_unknown_app_env_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="APP_ENV"):
        create_app({"APP_ENV": "staging", "INSTANCE_PATH": tmp_path})


def test_development_generates_a_secret_key_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite"}
    first = create_app({**config, "INSTANCE_PATH": tmp_path})
    second = create_app({**config, "INSTANCE_PATH": tmp_path})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_development_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"APP_ENV": "development", "INSTANCE_PATH": tmp_path})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'peer_mentors.sqlite'}"


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_uses_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app({"APP_ENV": "testing", "INSTANCE_PATH": tmp_path, "SECRET_KEY": "k" * 40,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/pragmas.sqlite"})
    engine = app.extensions["database"]["engine"]
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_every_response_has_a_strict_csp(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
