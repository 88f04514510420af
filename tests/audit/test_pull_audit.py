"""Every pull is audited per client whose records it served (issue 12, item
3): a view by that mentor, from that address; a pull that brings nothing new
writes nothing, and a mentor's own expenses are not logged as a view."""
from sqlalchemy import select

from app.accounts.services import find_by_email
from app.audit.models import AuditEntry
from app.clients.models import Client
from tests.sync.conftest import Phone


def pull_entries(session):
    session.rollback()
    session.expire_all()
    return [(e.user_id, e.record_kind, e.record_id, e.action) for e in session.scalars(
        select(AuditEntry).where(AuditEntry.route == "GET /api/sync/pull").order_by(AuditEntry.id))]


def test_a_pull_is_audited_once_per_client_it_served(api, demo, session):
    amira = Phone(api("amira@demo.test"))
    amira.pull_all()
    amira_id = find_by_email(session, "amira@demo.test").id
    clients = {str(c.id): c.name for c in session.scalars(select(Client))}
    entries = pull_entries(session)
    assert {clients[e[2]] for e in entries} == {"Margaret Hill", "George Turner"}
    assert len(entries) == 2 and all(e[0] == amira_id and e[1] == "client" and e[3] == "view" for e in entries)

    amira.pull_all()  # nothing new: nothing served, nothing logged
    assert len(pull_entries(session)) == 2


def test_a_mentors_own_expenses_are_not_a_view_of_anyone(api, demo, session):
    chloe = Phone(api("chloe@demo.test"))
    changes, _, _ = chloe.pull_all()
    assert any(c["kind"] == "expense_claim" for c in changes)  # her own, served
    chloe_id = str(find_by_email(session, "chloe@demo.test").id)
    assert all(e[2] != chloe_id for e in pull_entries(session))
