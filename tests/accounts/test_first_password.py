"""First-time passwords: the office makes a volunteer's account (or resets a
forgotten password); both sign-ins refuse the first-time password with a
message and a link until the volunteer sets their own at /account/new-password."""
import logging
import re

import pytest
from sqlalchemy import select

from app.accounts.models import User
from tests.safeguarding.conftest import Office, form_token, office  # noqa: F401

NEW = "a long new password"


def first_password_of(html):
    return re.search(r'<code>([a-z0-9-]+)</code>', html).group(1)


@pytest.fixture
def new_volunteer(office):
    """Fay Brown's account, made in the office -> (office client, first-time password)."""
    coordinator = office()
    page = coordinator.get("/office/volunteers/new").get_data(as_text=True)
    area_id = re.search(r'name="area_id" value="([^"]+)"', page).group(1)
    response = coordinator.post_form("/office/volunteers/new", "/office/volunteers/new",
                                     {"name": "Fay Brown", "email": "fay@example.org", "area_id": area_id})
    assert response.status_code == 200
    return coordinator, first_password_of(response.get_data(as_text=True))


def set_password(client, email, current, new, repeat=None):
    token = form_token(client.get("/account/new-password").get_data(as_text=True))
    return client.post("/account/new-password", data={
        "csrf_token": token, "email": email, "current_password": current, "new_password": new,
        "repeat_password": new if repeat is None else repeat})


def office_sign_in(client, email, password):
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_the_field_app_refuses_a_first_password_until_it_is_changed(app, new_volunteer, caplog):
    caplog.set_level(logging.DEBUG)
    _, first = new_volunteer
    phone = app.test_client()
    response = phone.post("/api/session", json={"email": "fay@example.org", "password": first, "app": "field"})
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "password_change_required" and "/account/new-password" in error["message"]
    assert phone.get("/api/session").status_code == 401  # no session was made
    # A wrong password is still just wrong: nothing says the account exists.
    wrong = phone.post("/api/session", json={"email": "fay@example.org", "password": "not-it-at-all"})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_credentials"

    browser = app.test_client()
    assert set_password(browser, "fay@example.org", first, NEW).status_code == 200
    response = phone.post("/api/session", json={"email": "fay@example.org", "password": NEW, "app": "field"})
    assert response.status_code == 200 and response.get_json()["user"]["name"] == "Fay Brown"
    assert phone.post("/api/session", json={"email": "fay@example.org", "password": first}).status_code == 401
    assert first not in caplog.text and NEW not in caplog.text


def test_the_office_sign_in_refuses_a_first_password_with_the_link(app, office, session):
    coordinator = office()
    url = "/office/volunteers/"
    # A coordinator given a first-time password is refused the office too.
    carol = session.scalar(select(User).where(User.email == "coordinator@demo.test"))
    from app.accounts.services import reset_first_password
    first = reset_first_password(session, carol)
    session.commit()
    assert coordinator.get(url).status_code == 302  # the reset signed her out everywhere
    browser = app.test_client()
    response = office_sign_in(browser, "coordinator@demo.test", first)
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and 'href="/account/new-password"' in html
    assert "Set a new password first" in html and 'value="coordinator@demo.test"' in html
    assert browser.get(url).status_code == 302
    response = set_password(browser, "coordinator@demo.test", first, NEW)
    assert "Sign in to the office" in response.get_data(as_text=True)
    assert office_sign_in(browser, "coordinator@demo.test", NEW).status_code == 302
    assert browser.get(url).status_code == 200


def test_a_mentor_at_the_office_sign_in_is_told_to_set_a_password(app, new_volunteer):
    _, first = new_volunteer
    response = office_sign_in(app.test_client(), "fay@example.org", first)
    assert response.status_code == 403 and "/account/new-password" in response.get_data(as_text=True)


@pytest.mark.parametrize("current, new, repeat, field, message", [
    ("wrong-password", NEW, NEW, "email", "Email or first-time password is incorrect"),
    (None, "short", "short", "new_password", "too short. Use at least 10 characters"),
    (None, NEW, NEW + "x", "repeat_password", "The two new passwords are different"),
    (None, "SAME", "SAME", "new_password", "different from the first-time password"),
    ("", NEW, NEW, "current_password", "Enter the first-time password"),
])
def test_the_change_page_checks_and_changes_nothing_on_error(app, new_volunteer, session, current, new, repeat,
                                                             field, message):
    _, first = new_volunteer
    current = first if current is None else current
    new, repeat = (first, first) if new == "SAME" else (new, repeat)
    browser = app.test_client()
    response = set_password(browser, "fay@example.org", current, new, repeat)
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert f'<a href="#{field}">' in html and message in html
    assert 'value="fay@example.org"' in html and first not in html and NEW not in html
    session.rollback()
    assert session.scalar(select(User).where(User.email == "fay@example.org")).must_change_password
    assert app.test_client().post("/api/session", json={"email": "fay@example.org", "password": first}) \
        .get_json()["error"]["code"] == "password_change_required"


def test_an_own_password_cannot_be_changed_on_this_page(app, demo):
    response = set_password(app.test_client(), "amira@demo.test", demo, NEW)
    assert response.status_code == 400 and "already has its own password" in response.get_data(as_text=True)


def test_reset_for_a_forgotten_password_signs_the_phone_out(app, office, api, session, caplog):
    caplog.set_level(logging.DEBUG)
    phone = api("amira@demo.test")
    assert phone.get("/api/session").status_code == 200
    amira = session.scalar(select(User.id).where(User.email == "amira@demo.test"))
    session.rollback()
    url = f"/office/volunteers/{amira}"
    response = office().post_form(url, f"{url}/first-password")
    first = first_password_of(response.get_data(as_text=True))
    assert first not in response.request.url and "Location" not in response.headers
    assert phone.get("/api/session").status_code == 401
    refused = app.test_client().post("/api/session", json={"email": "amira@demo.test", "password": first})
    assert refused.get_json()["error"]["code"] == "password_change_required"
    assert set_password(app.test_client(), "amira@demo.test", first, NEW).status_code == 200
    assert app.test_client().post("/api/session", json={"email": "amira@demo.test", "password": NEW}).status_code == 200
    assert first not in caplog.text and NEW not in caplog.text
