"""Fixtures: an app on a fresh database per test, on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL too."""
from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import text

from app import create_app, migrate
from app.accounts import passwords
from app.config import normalise_database_url
from app.db import Base, make_engine

# Cheap hashing keeps seeding fast; the default cost is tested on its own.
passwords.HASH_METHOD = "scrypt:1024:8:1"

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
DEMO_PASSWORD = "test-demo-password"


def pytest_report_header(config):
    return f"database backends: {', '.join(BACKENDS)}" + ("" if PG_URL else " (set TEST_DATABASE_URL for PostgreSQL)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def reset_postgres_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_url():
    url = normalise_database_url(PG_URL)
    reset_postgres_schema(url)
    migrate.upgrade(url)
    return url


# Reference data the migrations seed (and tests rely on): kept between tests.
SEEDED_TABLES = {"mileage_rates"}


def empty_postgres_tables(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name not in SEEDED_TABLES)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO sync_counter (id, value) VALUES (1, 0)"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    empty_postgres_tables(url)
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "APP_ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "INSTANCE_PATH": tmp_path / "instance",
        }
    )
    yield app
    app.extensions["database"]["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A database session of the test's own, outside any request: requests
    made by the test client get sessions (and app contexts) of their own."""
    s = app.extensions["database"]["sessionmaker"]()
    yield s
    s.close()


@pytest.fixture
def demo(app):
    """The demo data, loaded through the real seeding service."""
    from app.db import db
    from app.demo.seed import seed_demo

    with app.app_context():
        seed_demo(db.session, DEMO_PASSWORD)
        db.session.commit()
    return DEMO_PASSWORD


class ApiClient:
    """A signed-in JSON client: sends the CSRF token on unsafe methods."""

    def __init__(self, client):
        self.client = client
        self.csrf = None

    def sign_in(self, email, password=DEMO_PASSWORD):
        response = self.client.post("/api/session", json={"email": email, "password": password})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def _headers(self):
        return {"X-CSRF-Token": self.csrf} if self.csrf else {}

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, **kw):
        return self.client.post(url, headers=self._headers(), **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self._headers(), **kw)


@pytest.fixture
def api(app):
    """A factory of signed-in API clients, one per person: ``api("amira@demo.test")``."""

    def make(email=None, password=DEMO_PASSWORD):
        c = ApiClient(app.test_client())
        if email:
            assert c.sign_in(email, password).status_code == 200
        return c

    return make


@pytest.fixture
def webpush_service():
    """A local HTTP Web Push service (tests/webpush/test_subscriptions_api.py)
    that records what it is sent; the tests decrypt the payloads and check the
    VAPID claims and signature (``assert_signed_by``)."""
    from tests.webpush.test_subscriptions_api import WebPushService

    service = WebPushService()
    yield service
    service.close()


@pytest.fixture
def pg_database_url(request):
    """An emptied PostgreSQL database for tests that only make sense there
    (concurrency). Without TEST_DATABASE_URL they are skipped, except in CI,
    where that is a failure."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL is not set: CI must run the PostgreSQL tests")
        pytest.skip("set TEST_DATABASE_URL to run the PostgreSQL concurrency tests")
    url = request.getfixturevalue("pg_url")
    empty_postgres_tables(url)
    return url
