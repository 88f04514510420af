"""Sign-ins and refused sign-ins are audited (issue 12, item 3): the account
they were for, never what was typed; a successful one in the same
transaction as the sign-in it opened."""
import pytest
from sqlalchemy import select

from app.accounts.models import SignIn
from app.accounts.services import find_by_email
from app.audit.models import AuditEntry
from tests.safeguarding.conftest import Office, form_token


def entries(session):
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("sign_in", "sign_in_failed")))
                                .order_by(AuditEntry.id)))


def test_a_phone_sign_in_is_audited_with_the_sign_in_it_opened(api, demo, session):
    api("amira@demo.test")
    [entry] = entries(session)
    amira = find_by_email(session, "amira@demo.test")
    row = session.scalar(select(SignIn).where(SignIn.user_id == amira.id))
    assert (entry.action, entry.user_id, entry.route, entry.status) == ("sign_in", amira.id, "POST /api/session", 200)
    assert (entry.record_kind, entry.record_id) == ("sign_in", str(row.id))
    assert entry.ip == "127.0.0.1"


@pytest.mark.parametrize("email, password, status, known", [
    ("amira@demo.test", "wrong-password-1", 401, True),
    ("nobody@demo.test", "wrong-password-1", 401, False),
    ("coordinator@demo.test", None, 403, True),  # the field app refuses a coordinator
])
def test_refused_phone_sign_ins_are_audited_without_what_was_typed(client, demo, session, email, password, status, known):
    response = client.post("/api/session", json={"email": email, "password": password or demo, "app": "field"})
    assert response.status_code == status
    [entry] = entries(session)
    account = find_by_email(session, email)
    assert entry.action == "sign_in_failed" and entry.status == status
    assert entry.user_id == (account.id if known else None)
    stored = " ".join(str(v) for v in (entry.route, entry.record_kind, entry.record_id))
    assert "wrong-password" not in stored and email not in stored


def test_office_sign_ins_and_refusals_are_audited(app, demo, session):
    Office(app.test_client()).sign_in("coordinator@demo.test")
    browser = app.test_client()
    token = form_token(browser.get("/sign-in").get_data(as_text=True))
    assert browser.post("/sign-in", data={"email": "coordinator@demo.test", "password": "nope-nope-nope",
                                          "csrf_token": token}).status_code == 400
    token = form_token(browser.get("/sign-in").get_data(as_text=True))
    assert browser.post("/sign-in", data={"email": "amira@demo.test", "password": demo,
                                          "csrf_token": token}).status_code == 403  # a mentor at the office
    coordinator = find_by_email(session, "coordinator@demo.test")
    amira = find_by_email(session, "amira@demo.test")
    assert [(e.action, e.user_id, e.status) for e in entries(session)] == [
        ("sign_in", coordinator.id, 200), ("sign_in_failed", coordinator.id, 400), ("sign_in_failed", amira.id, 403)]
