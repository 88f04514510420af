"""Headers (issue 12, item 7): no-store on everything with personal data, the
field app shell and static files keeping their own caching, HSTS in production."""
import pytest
from flask import Response
from sqlalchemy import select

from app import create_app
from app.clients.models import Client
from app.config import HSTS_PRODUCTION
from app.security_headers import personal
from tests.office.test_office_pages import sign_in
from tests.receipts import JPEG, put, sha
from tests.test_config import production_app


def no_store(response) -> bool:
    return "no-store" in [part.strip() for part in response.headers.get("Cache-Control", "").split(",")]


def office_get_paths(app):
    """Every office page that takes no parameter, as the app has them now (new pages included)."""
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/office") and "GET" in rule.methods and not rule.arguments})


def test_every_office_page_is_no_store(app, client, demo, session):
    assert sign_in(client, "coordinator@demo.test", demo).status_code == 302
    paths = office_get_paths(app)
    assert "/office/" in paths and "/office/referrals/" in paths and len(paths) >= 8
    client_id = session.scalar(select(Client.id).limit(1))
    for path in paths + [f"/office/clients/{client_id}", f"/office/referrals/{client_id}"]:
        response = client.get(path)
        assert response.status_code < 500, path
        assert no_store(response), f"{path} answered Cache-Control: {response.headers.get('Cache-Control')!r}"


def test_office_redirects_and_refusals_are_no_store_too(client, api, demo):
    assert no_store(client.get("/office/"))  # signed out: a redirect to sign in
    mentor = api("amira@demo.test")
    assert no_store(mentor.get("/office/"))  # a mentor: turned away


@pytest.mark.parametrize("path", ["/sign-in", "/account/new-password"])
def test_account_pages_are_no_store(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert no_store(response)


def test_sign_in_answers_and_sign_out_are_no_store(client, demo):
    assert no_store(sign_in(client, "coordinator@demo.test", "wrong-password"))
    assert no_store(sign_in(client, "coordinator@demo.test", demo))
    assert no_store(client.post("/sign-out"))


def test_receipts_and_json_are_no_store(api, demo):
    amira = api("amira@demo.test")
    assert put(amira, JPEG).status_code == 201
    response = amira.get(f"/api/receipts/{sha(JPEG)}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert no_store(response)
    assert no_store(amira.get("/api/sync/pull"))
    assert no_store(amira.get("/api/receipts/" + "0" * 64))  # a 404 too


def test_a_laxer_cache_a_view_sets_on_a_personal_page_is_overridden(app, client):
    @app.get("/office/_cached-by-mistake")
    def cached_by_mistake():
        return Response("<p>Margaret Hill</p>", mimetype="text/html", headers={"Cache-Control": "public, max-age=600"})

    response = client.get("/office/_cached-by-mistake")
    assert response.headers["Cache-Control"] == "no-store"


def test_any_other_html_page_is_no_store(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and no_store(response)


@pytest.mark.parametrize("path", ["/", "/sw.js", "/manifest.webmanifest", "/static/js/main.js", "/static/app.css"])
def test_the_field_app_shell_keeps_its_own_caching(client, path):
    # The service worker keeps the shell offline; the HTTP cache must revalidate
    # it (no-cache), and no-store would stop nothing but make it slower.
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


def test_icons_stay_cached(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and "max-age=604800" in response.headers["Cache-Control"]
    assert not no_store(response)


def test_which_paths_count_as_personal():
    for path in ("/office", "/office/", "/office/clients/x", "/api/receipts/x", "/sign-in", "/sign-out",
                 "/account/new-password"):
        assert personal(path), path
    for path in ("/", "/sw.js", "/static/js/main.js", "/officer", "/sign-in-help", "/manifest.webmanifest"):
        assert not personal(path), path


def test_no_hsts_in_testing(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


def test_hsts_in_development_only_when_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("STRICT_TRANSPORT_SECURITY", raising=False)
    config = {"APP_ENV": "development", "INSTANCE_PATH": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite"}
    assert "Strict-Transport-Security" not in create_app(dict(config)).test_client().get("/sign-in").headers
    monkeypatch.setenv("STRICT_TRANSPORT_SECURITY", "max-age=300")
    headers = create_app(dict(config)).test_client().get("/sign-in").headers
    assert headers["Strict-Transport-Security"] == "max-age=300"


@pytest.mark.parametrize("path", ["/", "/sign-in", "/sw.js", "/favicon.ico", "/api/session"])
def test_hsts_on_every_response_in_production(production_app, path):
    response = production_app.test_client().get(path, base_url="https://mentors.example")
    assert response.headers["Strict-Transport-Security"] == HSTS_PRODUCTION == "max-age=63072000; includeSubDomains"
