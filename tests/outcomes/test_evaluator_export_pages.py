"""The evaluators' export in the office (/office/evaluators/): the page with
its data dictionary, the download, bad choices (400, the page says what to
fix), a coordinator asking for another area (403, nothing exported), and
every export, refused or not, in the audit log. SQLite and PostgreSQL.
The rows themselves: test_evaluator_export.py."""
from __future__ import annotations

import csv
import html
import io

from sqlalchemy import select

from app import days
from app.accounts.models import User
from app.areas.models import Area
from app.audit.models import AuditEntry
from app.clients.models import Client
from app.outcomes.evaluator_export import COLUMNS
from tests.safeguarding.conftest import office, other_area_coordinator  # noqa: F401  (fixtures)

PAGE = "/office/evaluators/"
EXPORT = "/office/evaluators/export.csv"


def text(response):
    return html.unescape(response.get_data(as_text=True))


def area_id(session, name):
    found = session.scalar(select(Area.id).where(Area.name == name))
    session.rollback()  # end the read (SQLite)
    return found


def audit(session):
    session.rollback()
    return session.execute(select(AuditEntry.action, AuditEntry.route, AuditEntry.status, AuditEntry.user_id,
                                  AuditEntry.record_kind, AuditEntry.record_id)
                           .where(AuditEntry.route.like("% /office/evaluators/%")).order_by(AuditEntry.id)).all()


def user_id(session, email):
    found = session.scalar(select(User.id).where(User.email == email))
    session.rollback()
    return found


def test_a_coordinator_sees_their_own_area_and_the_data_dictionary(office, other_area_coordinator):
    body = text(office().get(PAGE))
    assert "<h1>Export for evaluators</h1>" in body
    assert ">County Durham</option>" in body and "Darlington" not in body and "All areas" not in body
    for column in COLUMNS:
        assert f"<code>{column}</code>" in body
    assert "<code>before_12_to_7</code>" in body and "<code>demand_total</code>" in body
    assert 'href="/office/evaluators/data-dictionary.csv"' in body


def test_the_demand_page_links_to_the_export(office, session):
    client = session.scalars(select(Client).order_by(Client.name)).first()
    session.rollback()
    assert f'href="{PAGE}"' in text(office().get(f"/office/clients/{client.id}/demand"))


def test_a_coordinator_downloads_their_area_and_it_is_audited_as_an_export(office, session):
    durham = area_id(session, "County Durham")
    response = office().get(EXPORT, query_string={"area": str(durham), "include": ["demand", "wellbeing"]})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=evaluators-county-durham-{days.today().isoformat()}.csv")
    assert response.headers["Cache-Control"] == "private, no-store"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == list(COLUMNS)
    taken_on = session.scalars(select(Client).where(Client.status.in_(("active", "closed")))).all()
    session.rollback()
    assert len(table) == 1 + 20 * len(taken_on)  # the demo has no wellbeing checks: 20 demand rows each
    assert {row[1] for row in table[1:]} == {"County Durham"}
    for client in taken_on:
        assert client.name not in response.get_data(as_text=True)
    assert audit(session) == [("export", "GET /office/evaluators/export.csv", 200,
                               user_id(session, "coordinator@demo.test"), "area", str(durham))]


def test_an_admin_exports_every_area(office, other_area_coordinator, session):
    response = office("admin@demo.test").get(EXPORT, query_string={"area": "all", "include": "demand"})
    assert response.status_code == 200
    assert "filename=evaluators-all-areas-" in response.headers["Content-Disposition"]
    assert "All areas" in text(office("admin@demo.test").get(PAGE))


def test_a_coordinator_asking_for_another_area_is_refused_and_the_refusal_audited(office, other_area_coordinator,
                                                                                  session):
    darlington = area_id(session, "Darlington")
    me = office()
    for area in (str(darlington), "all"):
        response = me.get(EXPORT, query_string={"area": area, "include": "demand"})
        assert response.status_code == 403 and response.mimetype == "text/html"
        assert "Content-Disposition" not in response.headers
        assert '<h2 class="notification-title">Nothing was exported</h2>' in text(response)
        assert "Nothing was exported." in text(response)
    assert "You can export only your own area’s clients, not Darlington’s." in text(
        me.get(EXPORT, query_string={"area": str(darlington), "include": "demand"})).replace("'", "’")
    entries = audit(session)
    assert [(e.action, e.status, e.record_kind, e.record_id) for e in entries] == [
        ("export", 403, "area", str(darlington)), ("export", 403, "area", "all"), ("export", 403, "area", str(darlington))]
    assert {e.user_id for e in entries} == {user_id(session, "coordinator@demo.test")}


def test_bad_choices_get_the_page_back_with_what_to_fix(office, session):
    durham = area_id(session, "County Durham")
    me = office()
    response = me.get(EXPORT, query_string={"area": str(durham)})
    body = text(response)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert 'class="error-summary"' in body and 'href="#include-demand"' in body
    assert "Choose what to include: demand counts, wellbeing checks or both." in body
    assert f'<option value="{durham}" selected>' in body  # the area chosen is kept
    response = me.get(EXPORT, query_string={"area": "nowhere", "include": "demand"})
    assert response.status_code == 400 and "Choose one of the areas listed." in text(response)
    assert [(e.action, e.status, e.record_id) for e in audit(session)] == [
        ("export", 400, str(durham)), ("export", 400, None)]  # "nowhere" is not an area: not kept


def test_the_data_dictionary_downloads(office):
    response = office().get("/office/evaluators/data-dictionary.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["field", "value", "meaning"]
    assert ["measure", "demand_total"] == table[[r[:2] for r in table].index(["measure", "demand_total"])][:2]
