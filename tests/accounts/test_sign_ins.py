"""Sign-ins (app/accounts/sign_ins.py): one per phone or browser, ended on the
server; idle and expiry decided by the server, not by the cookie; a phone
revoked by the office (or an admin's command) gets the answer that makes it
wipe itself, and the volunteer's other phones stay signed in."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import SignIn
from app.accounts.services import find_by_email
from app.db import utcnow
from tests.safeguarding.conftest import office, other_area_coordinator  # noqa: F401


@pytest.fixture(autouse=True)
def _demo(demo):
    return demo


def sign_ins_of(session, email):
    session.rollback()
    session.expire_all()  # read what the requests wrote
    user = find_by_email(session, email)
    return list(session.scalars(select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.started_at)))


def age(session, row_id, **changes):
    session.rollback()  # a fresh transaction: on SQLite an old read could not become a write
    session.execute(update(SignIn).where(SignIn.id == row_id).values(**changes))
    session.commit()


def only_remember_cookie(client):
    """A phone restarted: the browser session cookie is gone, the remember cookie stays."""
    client.delete_cookie("session")


def test_each_sign_in_is_a_row_that_keeps_only_a_hash_of_its_secret(api, session):
    phone = api("amira@demo.test")
    [row] = sign_ins_of(session, "amira@demo.test")
    assert row.app == "field" and row.ended_at is None
    remember = phone.client.get_cookie("remember_token").value
    assert str(row.id) in remember
    secret = remember.split("|")[0].split(":")[1]
    assert len(row.secret_hash) == 64 and secret not in row.secret_hash


def test_a_phone_idle_longer_than_the_limit_must_sign_in_again_and_keeps_its_data(app, api, session):
    phone = api("amira@demo.test")
    [row] = sign_ins_of(session, "amira@demo.test")
    age(session, row.id, last_seen_at=utcnow() - timedelta(days=app.config["FIELD_SIGN_IN_IDLE_DAYS"], minutes=1))
    response = phone.get("/api/sync/pull")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorised"  # not a wipe
    [row] = sign_ins_of(session, "amira@demo.test")
    assert row.end_reason == "idle"


def test_a_phone_used_within_the_limit_stays_signed_in_and_its_last_use_moves(app, api, session):
    phone = api("amira@demo.test")
    [row] = sign_ins_of(session, "amira@demo.test")
    earlier = utcnow() - timedelta(days=app.config["FIELD_SIGN_IN_IDLE_DAYS"] - 1)
    age(session, row.id, last_seen_at=earlier)
    assert phone.get("/api/sync/pull").status_code == 200
    [row] = sign_ins_of(session, "amira@demo.test")
    assert row.last_seen_at > earlier + timedelta(days=1)


def test_last_use_is_written_at_most_once_a_minute(api, session):
    phone = api("amira@demo.test")
    [row] = sign_ins_of(session, "amira@demo.test")
    first = row.last_seen_at
    assert phone.get("/api/session").status_code == 200
    [row] = sign_ins_of(session, "amira@demo.test")
    assert row.last_seen_at == first


@pytest.mark.parametrize("cookies", ["both", "remember only"])
def test_the_server_checks_the_expiry_whatever_the_cookie_says(api, session, cookies):
    phone = api("ben@demo.test")
    [row] = sign_ins_of(session, "ben@demo.test")
    age(session, row.id, expires_at=utcnow() - timedelta(seconds=1))
    if cookies == "remember only":
        only_remember_cookie(phone.client)
    response = phone.get("/api/session")
    assert response.status_code == 401
    [row] = sign_ins_of(session, "ben@demo.test")
    assert row.end_reason == "expired"


def test_the_remember_cookie_alone_signs_a_restarted_phone_back_in(api):
    phone = api("ben@demo.test")
    only_remember_cookie(phone.client)
    assert phone.get("/api/session").status_code == 200


def test_an_office_browser_signs_out_after_an_hour_unused(app, office, session):
    browser = office()
    [row] = sign_ins_of(session, "coordinator@demo.test")
    assert row.app == "office"
    assert browser.get("/office/").status_code == 200
    age(session, row.id, last_seen_at=utcnow() - timedelta(minutes=app.config["OFFICE_SIGN_IN_IDLE_MINUTES"] + 1))
    response = browser.get("/office/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_wrong_secret_signs_nobody_in(api, app, session):
    phone = api("amira@demo.test")
    [row] = sign_ins_of(session, "amira@demo.test")
    with app.test_request_context():
        from app.accounts import sign_ins
        from app.accounts.login import timeouts
        from app.db import db

        assert sign_ins.load(db.session, f"{row.id}:not-the-secret", now=utcnow(),
                             timeouts=timeouts(app.config)).user is None
        assert sign_ins.load(db.session, "not-a-uuid:x", now=utcnow(), timeouts=timeouts(app.config)).user is None
    assert phone.get("/api/session").status_code == 200


# -- A lost phone ---------------------------------------------------------------

def volunteer_page(session, email):
    return f"/office/volunteers/{find_by_email(session, email).id}"


def test_the_office_revokes_one_phone_which_is_told_to_wipe_while_the_other_stays(office, api, session):
    lost, kept = api("amira@demo.test"), api("amira@demo.test")
    lost_row = sign_ins_of(session, "amira@demo.test")[0]
    page = volunteer_page(session, "amira@demo.test")
    coordinator = office()
    html = coordinator.get(page).get_data(as_text=True)
    assert "Phones and browsers signed in" in html and html.count("Sign out and wipe<") == 2
    response = coordinator.post_form(page, f"{page}/sign-ins/{lost_row.id}/revoke")
    assert response.status_code == 303
    shown = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "is signed out. The next time it connects it deletes everything" in shown

    for url in ("/api/sync/pull", "/api/session"):
        answer = lost.get(url)
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "device_revoked", url
    # A push with the old CSRF token hears "revoked" too, not "missing token".
    push = lost.post("/api/sync/push", json={"device_id": "x", "schema_version": 1, "mutations": []})
    assert push.get_json()["error"]["code"] == "device_revoked"
    assert kept.get("/api/sync/pull").status_code == 200
    row = next(r for r in sign_ins_of(session, "amira@demo.test") if r.id == lost_row.id)
    assert row.end_reason == "revoked" and row.ended_by_id == find_by_email(session, "coordinator@demo.test").id


def test_the_revoked_answer_is_repeated_until_the_phone_has_wiped_itself(office, api, session):
    lost = api("amira@demo.test")
    [row] = sign_ins_of(session, "amira@demo.test")
    page = volunteer_page(session, "amira@demo.test")
    office().post_form(page, f"{page}/sign-ins/{row.id}/revoke")
    # The first answer may be lost on a bad signal: the next contact hears it again.
    for _ in range(2):
        assert lost.get("/api/sync/pull").get_json()["error"]["code"] == "device_revoked"
    wiped = lost.client.post("/api/session/wipe")
    assert wiped.status_code == 204
    assert wiped.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    cleared = " ".join(wiped.headers.getlist("Set-Cookie"))
    assert "remember_token=;" in cleared
    assert lost.get("/api/sync/pull").get_json()["error"]["code"] == "unauthorised"
    # Signing in again on that phone works, and is a new sign-in.
    assert lost.sign_in("amira@demo.test").status_code == 200
    assert lost.get("/api/sync/pull").status_code == 200


def test_revoking_all_ends_every_sign_in_of_the_volunteer_only(office, api, session):
    phones = [api("amira@demo.test"), api("amira@demo.test")]
    ben = api("ben@demo.test")
    page = volunteer_page(session, "amira@demo.test")
    response = office().post_form(page, f"{page}/sign-ins/revoke")
    assert response.status_code == 303
    assert all(p.get("/api/sync/pull").get_json()["error"]["code"] == "device_revoked" for p in phones)
    assert ben.get("/api/sync/pull").status_code == 200


def test_a_coordinator_of_another_area_cannot_revoke(office, other_area_coordinator, api, session):
    phone = api("amira@demo.test")
    [row] = sign_ins_of(session, "amira@demo.test")
    page = volunteer_page(session, "amira@demo.test")
    elsewhere = office(other_area_coordinator)
    # Their own page gives the form token; the volunteer is not theirs.
    response = elsewhere.post_form("/office/volunteers/", f"{page}/sign-ins/{row.id}/revoke")
    assert response.status_code == 404
    response = elsewhere.post_form("/office/volunteers/", f"{page}/sign-ins/revoke")
    assert response.status_code == 404
    assert phone.get("/api/sync/pull").status_code == 200


def test_a_sign_in_of_another_person_cannot_be_revoked_through_this_volunteers_page(office, api, session):
    api("amira@demo.test")
    ben = api("ben@demo.test")
    ben_row = sign_ins_of(session, "ben@demo.test")[0]
    page = volunteer_page(session, "amira@demo.test")
    assert office().post_form(page, f"{page}/sign-ins/{ben_row.id}/revoke").status_code == 404
    assert ben.get("/api/sync/pull").status_code == 200


def test_a_deactivated_volunteers_phone_is_told_to_wipe(api, session):
    phone = api("dev@demo.test")
    user = find_by_email(session, "dev@demo.test")
    user.active = False
    session.commit()
    assert phone.get("/api/sync/pull").get_json()["error"]["code"] == "device_revoked"


def test_signing_out_is_not_a_revocation(api, session):
    phone = api("chloe@demo.test")
    assert phone.delete("/api/session").status_code == 204
    assert phone.get("/api/sync/pull").get_json()["error"]["code"] == "unauthorised"
    [row] = sign_ins_of(session, "chloe@demo.test")
    assert row.end_reason == "signed_out"


def test_the_admin_command_lists_and_revokes(runner, api, session):
    phone, other = api("amira@demo.test"), api("amira@demo.test")
    rows = sign_ins_of(session, "amira@demo.test")
    listed = runner.invoke(args=["sign-ins", "list", "amira@demo.test"])
    assert listed.exit_code == 0 and all(str(r.id) in listed.output for r in rows)
    result = runner.invoke(args=["sign-ins", "revoke", "amira@demo.test", "--id", str(rows[0].id)])
    assert result.exit_code == 0, result.output
    assert "Revoked 1 sign-in" in result.output
    codes = {p.get("/api/sync/pull").status_code for p in (phone, other)}
    assert codes == {200, 401}
    again = runner.invoke(args=["sign-ins", "revoke", "amira@demo.test", "--id", str(rows[0].id)])
    assert again.exit_code != 0 and "already ended" in again.output
    assert runner.invoke(args=["sign-ins", "revoke", "amira@demo.test"]).exit_code != 0  # neither --id nor --all
    assert runner.invoke(args=["sign-ins", "revoke", "nobody@demo.test", "--all"]).exit_code != 0
    result = runner.invoke(args=["sign-ins", "revoke", "amira@demo.test", "--all"])
    assert "Revoked 1 sign-in" in result.output
