"""The audit log (app/audit): every office request leaves an entry, by one
mechanism no page can leave out; entries commit with the work; the log is
append-only in the database itself."""
import uuid

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError

from app.accounts.services import find_by_email
from app.audit.models import AuditEntry
from app.clients.models import Client
from app.expenses.models import ExpenseClaim
from app.fieldwork.models import Concern
from tests.office.test_office_pages import form_token, sign_in

# Where a route names a record, one of these is used (others: an unknown id, which still audits).
EXAMPLES = {"claim_id": ExpenseClaim, "client_id": Client, "concern_id": Concern}


def entries(session):
    """The entries of office work (sign-ins have their own, tests/audit/test_sign_in_audit.py)."""
    session.rollback()  # a new transaction: see what the requests committed
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action.notin_(("sign_in", "sign_in_failed")))
                                .order_by(AuditEntry.id)))


def example_id(session, name):
    model = EXAMPLES.get(name)
    found = session.scalar(select(model.id).limit(1)) if model else None
    return found or uuid.uuid4()


def test_every_office_page_writes_an_audit_entry(app, client, session, demo):
    sign_in(client, "coordinator@demo.test", demo)
    coordinator = find_by_email(session, "coordinator@demo.test")
    pages = [rule for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/office") and "GET" in rule.methods and not rule.endpoint.endswith("static")]
    assert len(pages) >= 5  # the walk really walks
    for rule in pages:
        args = {name: example_id(session, name) for name in rule.arguments}
        url = rule.build(args, append_unknown=False)[1]
        before = len(entries(session))
        response = client.get(url)
        after = entries(session)
        assert len(after) > before, f"{rule.rule} wrote no audit entry"
        entry = after[-1]
        assert entry.user_id == coordinator.id and entry.route == f"GET {rule.rule}", rule.rule
        assert entry.action in ("view", "export") and entry.status == response.status_code
        named = [name for name in rule.arguments if name.endswith("_id")]
        if named:
            assert (entry.record_kind, entry.record_id) == (named[0].removesuffix("_id"), str(args[named[0]]))


def test_a_change_commits_its_entry_with_the_work(client, session, demo):
    sign_in(client, "coordinator@demo.test", demo)
    claim = session.scalar(select(ExpenseClaim).where(ExpenseClaim.status == "submitted"))
    page = client.get(f"/office/expenses/{claim.id}").get_data(as_text=True)
    client.post(f"/office/expenses/{claim.id}/approve", data={"csrf_token": form_token(page)})
    session.rollback()
    assert session.get(ExpenseClaim, claim.id).status == "approved"
    [entry] = [e for e in entries(session) if e.action == "change"]
    assert (entry.record_kind, entry.record_id, entry.route) == (
        "claim", str(claim.id), "POST /office/expenses/<uuid:claim_id>/approve")


def test_a_refused_change_and_a_mentor_at_the_office_are_recorded_too(client, session, demo):
    sign_in(client, "coordinator@demo.test", demo)
    claim = session.scalar(select(ExpenseClaim).where(ExpenseClaim.status == "submitted"))
    page = client.get(f"/office/expenses/{claim.id}").get_data(as_text=True)
    client.post(f"/office/expenses/{claim.id}/reject", data={"csrf_token": form_token(page), "reason": ""})
    [refused] = [e for e in entries(session) if e.action == "change"]
    assert refused.status == 400

    mentor = client.application.test_client()
    sign_in(mentor, "amira@demo.test", demo)  # the office does not sign a mentor in
    mentor.get("/office/")
    assert (entries(session)[-1].user_id, entries(session)[-1].status) == (None, 302)


def test_a_mentor_signed_in_to_the_field_app_is_recorded_at_the_office_door(api, session, demo):
    amira = api("amira@demo.test")
    assert amira.get("/office/").status_code == 403
    entry = entries(session)[-1]
    assert (entry.user_id, entry.route, entry.status) == (find_by_email(session, "amira@demo.test").id, "GET /office/", 403)


def test_the_finance_export_is_recorded_as_an_export(client, session, demo):
    sign_in(client, "coordinator@demo.test", demo)
    client.get("/office/expenses/export.csv?from=2026-01-01&to=2026-12-31")
    assert entries(session)[-1].action == "export"


def test_the_log_is_append_only_in_the_database(session, demo, client):
    sign_in(client, "coordinator@demo.test", demo)
    client.get("/office/")
    [entry] = entries(session)
    for statement in (update(AuditEntry).values(route="rewritten"), delete(AuditEntry)):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(statement)
            session.flush()
        session.rollback()
    assert len(entries(session)) == 1
