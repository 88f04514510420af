"""Generated requests against every operation of GET /api/openapi.json
(schemathesis, bounded): no server error, and every answer as described
(status, content type, body). Signed in as a mentor with the CSRF token, on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL: both must accept and
refuse the same values. Requests that fit the description and requests that
do not (negative data) are both sent.

schemathesis's own pytest loader (``from_fixture``) does not run under
pytest 9, so each operation is a parametrized test that draws cases from
the operation's hypothesis strategy.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import features  # noqa: F401  (the kinds, which the description lists)
from app.api_docs.spec import openapi
from tests.conftest import DEMO_PASSWORD

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation and database: the whole file runs in well under a minute.
# API_FUZZ_EXAMPLES=1000 for a longer hunt by hand.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", 40))
METHODS = ("get", "put", "post", "delete", "head")
# Every operation described; one whose route the app lacks fails (the description is wrong).
OPERATIONS = [(path, method) for path, item in openapi()["paths"].items() for method in item if method in METHODS]


class Mentor:
    """A signed-in mentor's cookies and CSRF token, as headers; signs in
    again after a generated sign-out."""

    def __init__(self, app):
        self.app = app
        self.sign_in()

    def sign_in(self):
        client = self.app.test_client()
        response = client.post("/api/session", json={"email": "amira@demo.test", "password": DEMO_PASSWORD})
        assert response.status_code == 200
        self.cookies = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
        self.headers = {"X-CSRF-Token": response.get_json()["csrf_token"]}

    def still_signed_in(self) -> bool:
        client = self.app.test_client()
        for name, value in self.cookies.items():
            client.set_cookie(name, value)
        return client.get("/api/session").status_code == 200


@pytest.mark.parametrize("path,method", OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_generated_requests_get_described_answers(app, demo, path, method):
    app.config["WEBPUSH_SERVICE_HOSTS"] = ("push.invalid",)  # a generated subscription never reaches the internet
    served = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    if path not in served.raw_schema["paths"] or method not in served.raw_schema["paths"][path]:
        pytest.fail(f"/api/openapi.json describes {method.upper()} {path}, which the app has no route for")
    operation = served[path][method.upper()]
    mentor = Mentor(app)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize="API_FUZZ_EXAMPLES" not in os.environ, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_described(case):
        case.cookies = dict(mentor.cookies)  # the security scheme's generated cookie would sign the mentor out
        case.call_and_validate(headers={**(case.headers or {}), **mentor.headers}, checks=CHECKS)
        if method == "delete" and path == "/api/session" or not mentor.still_signed_in():
            mentor.sign_in()

    answers_as_described()
