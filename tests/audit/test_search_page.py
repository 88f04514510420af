"""Admins search the audit log (/office/audit/); coordinators cannot."""
from app.accounts.services import create_user
from tests.office.test_office_pages import form_token, sign_in


def search(client, **terms):
    token = form_token(client.get("/office/audit/").get_data(as_text=True))
    return client.post("/office/audit/", data={"csrf_token": token, **terms})


def admin(session, demo):
    create_user(session, email="admin@demo.test", name="Ada Admin", role="admin", password=demo)
    session.commit()


def test_an_admin_finds_who_opened_a_claim(client, session, demo):
    from sqlalchemy import select

    from app.expenses.models import ExpenseClaim

    claim_id = session.scalar(select(ExpenseClaim.id).limit(1))
    session.rollback()  # end the read, so this session may write after the requests
    coordinator = client.application.test_client()
    sign_in(coordinator, "coordinator@demo.test", demo)
    coordinator.get(f"/office/expenses/{claim_id}")
    admin(session, demo)
    sign_in(client, "admin@demo.test", demo)

    html = search(client, record_id=str(claim_id), email="coordinator@demo.test", action="view").get_data(as_text=True)
    assert "1 entry" in html and "Carol Coordinator" in html and str(claim_id) in html
    assert "0 entries" in search(client, email="nobody@demo.test").get_data(as_text=True)


def test_bad_dates_are_explained_and_nothing_is_listed(client, session, demo):
    admin(session, demo)
    sign_in(client, "admin@demo.test", demo)
    response = search(client, **{"from": "2026-13-01", "to": "2026-01-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter a real date" in html and 'href="#from"' in html
    response = search(client, **{"from": "2026-02-01", "to": "2026-01-01"})
    assert response.status_code == 400 and "on or after the first day" in response.get_data(as_text=True)


def test_coordinators_do_not_search_the_log(client, demo):
    sign_in(client, "coordinator@demo.test", demo)
    assert client.get("/office/audit/").status_code == 404
    assert "Audit log" not in client.get("/office/").get_data(as_text=True)
