"""POST/GET/DELETE /api/session (docs/sync-protocol.md, "Authentication") and JSON errors under /api/."""
import pytest

from app.accounts import sign_ins
from app.accounts.models import User
from app.db import utcnow
from app.accounts.services import find_by_email


def test_sign_in_returns_user_and_csrf_token(client, demo):
    response = client.post("/api/session", json={"email": "amira@demo.test", "password": demo})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["name"] == "Amira Khan"
    assert body["user"]["role"] == "volunteer"
    assert set(body["user"]) == {"id", "name", "role"}
    assert len(body["csrf_token"]) >= 32
    assert client.get("/api/session").get_json() == body


def test_sign_in_is_case_insensitive_on_email(client, demo):
    assert client.post("/api/session", json={"email": " Amira@Demo.TEST ", "password": demo}).status_code == 200


def test_phone_session_is_long_lived_and_cookie_is_httponly(client, demo):
    response = client.post("/api/session", json={"email": "ben@demo.test", "password": demo})
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    assert "Expires=" in remember
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Expires=" in session_cookie  # the CSRF token survives a browser restart


def test_wrong_password_and_unknown_email_get_the_same_answer(client, demo):
    wrong = client.post("/api/session", json={"email": "amira@demo.test", "password": "not-it-at-all"})
    unknown = client.post("/api/session", json={"email": "nobody@demo.test", "password": "not-it-at-all"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"


def test_inactive_user_cannot_sign_in_and_loses_open_sessions(app, api, demo, session):
    amira = api("amira@demo.test")
    user = find_by_email(session, "amira@demo.test")
    user.active = False
    session.commit()
    assert amira.get("/api/session").status_code == 401
    response = api().sign_in("amira@demo.test")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_ending_every_sign_in_signs_out_every_device(api, demo, session):
    phone, tablet = api("dev@demo.test"), api("dev@demo.test")
    user = find_by_email(session, "dev@demo.test")
    assert sign_ins.end_all(session, user, reason="password_changed", now=utcnow()) == 2
    session.commit()
    assert phone.get("/api/session").status_code == 401
    assert tablet.get("/api/session").get_json()["error"]["code"] == "unauthorised"


def test_get_session_when_signed_out_is_401_json(client):
    response = client.get("/api/session")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorised"


def test_sign_out_needs_csrf_token(api, demo):
    amira = api("amira@demo.test")
    refused = amira.client.delete("/api/session")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    assert amira.get("/api/session").status_code == 200
    wrong = amira.client.delete("/api/session", headers={"X-CSRF-Token": "not-the-token"})
    assert wrong.status_code == 403
    assert amira.delete("/api/session").status_code == 204
    assert amira.get("/api/session").status_code == 401


def test_csrf_token_changes_at_sign_in(api, demo):
    phone = api("amira@demo.test")
    old_token = phone.csrf
    phone.sign_in("amira@demo.test")
    assert phone.csrf != old_token
    stale = phone.client.delete("/api/session", headers={"X-CSRF-Token": old_token})
    assert stale.status_code == 403
    assert phone.delete("/api/session").status_code == 204


@pytest.mark.parametrize(
    "body, content_type, status, code",
    [
        ('{"email": "amira@demo.test", "password": ', "application/json", 400, "malformed_json"),
        ('["amira@demo.test"]', "application/json", 422, "validation_error"),
        ('{"email": 12, "password": []}', "application/json", 422, "validation_error"),
        ('{"email": "a@b.c", "password": "x", "admin": true}', "application/json", 422, "validation_error"),
        ('{"email": "a@b.c"}', "application/json", 422, "validation_error"),
        ("email=a@b.c&password=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_bad_input_gets_a_json_error_never_a_500(client, demo, body, content_type, status, code):
    response = client.post("/api/session", data=body, content_type=content_type)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]["code"] == code


def test_field_messages_name_the_fields(client):
    response = client.post("/api/session", json={"email": 12, "password": "x", "admin": True})
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"email", "admin"}


def test_huge_body_gets_413_json(client, app):
    big = '{"email": "' + "a" * app.config["MAX_CONTENT_LENGTH"] + '", "password": "x"}'
    response = client.post("/api/session", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.put("/api/session", json={})
    assert response.status_code in (403, 405)
    assert response.is_json


def test_passwords_are_hashed_with_scrypt(session, demo):
    from app.accounts import passwords

    user = session.query(User).filter_by(email="chloe@demo.test").one()
    assert user.password_hash.startswith("scrypt:")
    assert demo not in user.password_hash
    default = passwords.generate_password_hash("x" * 12, method="scrypt")
    assert default.startswith("scrypt:32768:8:1$")


def _cookies(client, *names):
    return {name: client.get_cookie(name).value for name in names if client.get_cookie(name)}


def _put_back(client, cookies):
    for name, value in cookies.items():
        client.set_cookie(name, value)


@pytest.mark.parametrize("kept", [("session", "remember_token"), ("session",), ("remember_token",)])
def test_sign_out_makes_copies_of_the_old_cookies_worthless(api, demo, kept):
    phone = api("amira@demo.test")
    saved = _cookies(phone.client, *kept)
    assert set(saved) == set(kept)
    assert phone.delete("/api/session").status_code == 204
    _put_back(phone.client, saved)
    if "session" not in kept:
        phone.client.delete_cookie("session")
    for url in ("/api/session", "/api/sync/pull"):
        response = phone.get(url)
        assert response.status_code == 401, url
        assert response.get_json()["error"]["code"] == "unauthorised"


def test_sign_out_ends_this_sign_in_only(api, demo):
    """Each phone is a sign-in of its own: signing out of one (or the office
    revoking it) leaves the person's other phone signed in."""
    phone, other_phone = api("ben@demo.test"), api("ben@demo.test")
    assert phone.delete("/api/session").status_code == 204
    assert phone.get("/api/session").status_code == 401
    assert other_phone.get("/api/session").status_code == 200
    assert api("ben@demo.test").get("/api/session").status_code == 200  # signing in again works


def test_sign_out_without_a_session_is_204_and_can_be_repeated(api, demo, client):
    assert client.delete("/api/session").status_code == 204
    phone = api("chloe@demo.test")
    assert phone.delete("/api/session").status_code == 204
    # The queued retry from the phone, still carrying the old CSRF token.
    assert phone.delete("/api/session").status_code == 204
    assert phone.get("/api/session").status_code == 401


def test_the_field_app_refuses_a_coordinator_before_any_session_begins(client, demo):
    """A coordinator at the mentors' app is told where to go, and no session is
    made (so none has to be ended, which would sign them out of the office)."""
    response = client.post("/api/session", json={"email": "coordinator@demo.test", "password": demo, "app": "field"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "field_app_for_mentors"
    assert "office" in response.get_json()["error"]["message"]
    assert client.get("/api/session").status_code == 401
    mentor = client.post("/api/session", json={"email": "amira@demo.test", "password": demo, "app": "field"})
    assert mentor.status_code == 200


def test_the_field_app_flag_does_not_reveal_a_role_without_the_password(client, demo):
    response = client.post("/api/session", json={"email": "coordinator@demo.test", "password": "wrong", "app": "field"})
    assert response.status_code == 401


def test_an_unknown_app_is_a_validation_error(client, demo):
    response = client.post("/api/session", json={"email": "amira@demo.test", "password": demo, "app": "office"})
    assert response.status_code == 422 and "app" in response.get_json()["error"]["fields"]
