"""A world with a client of every kind of record (tests/authorisation_fixtures.py),
made through the office's forms and the real sync push, on each backend."""
from __future__ import annotations

import pytest

from tests.authorisation_fixtures import build_world


@pytest.fixture
def world(app, tmp_path):
    app.config["RECEIPTS_DIR"] = str(tmp_path / "receipts")
    return build_world(app)


def signed_in(app, world, role):
    """A test client carrying the cookies ``role`` got at its own sign-in."""
    client = app.test_client()
    for name, value in world.cookies[role].items():
        client.set_cookie(name, value)
    return client
