"""The subject access export (app/data_protection/export.py): every row
about the person, by table, as the map (personal_data.py) says; someone
else's details withheld; scope as the office's; audited."""
from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import date

from sqlalchemy import select, text

from app.audit.models import AuditEntry
from app.data_protection.export import WITHHELD
from app.data_protection.personal_data import CLIENT, PERSON, TABLES
from app.db import Base
from tests.authorisation_fixtures import form_token, marker, receipt_bytes
from tests.data_protection.conftest import more_of_area_a, rows_about, signed_in
from tests.sync.conftest import mutation


def export(app, world, role, url):
    client = signed_in(app, world, role)
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def unzip(response) -> tuple[dict, dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["everything.json"]), files


def _key(table, row):
    return tuple(str(row[c.name]) for c in table.primary_key.columns)


def test_a_clients_export_holds_every_row_about_them_in_every_table_the_map_gives_clients(app, world):
    more_of_area_a(app, world)
    expected = rows_about(app, CLIENT, world.a.client_id)
    data, files = unzip(export(app, world, "coordinator_a", f"/office/clients/{world.a.client_id}/subject-access"))
    tables = data["tables"]
    for name, entry in TABLES.items():
        if entry.owner != CLIENT:
            continue
        assert expected.get(name), f"the world has no {name} row for the client: the test would prove nothing"
    for name, rows in expected.items():
        table = Base.metadata.tables[name]
        exported = {_key(table, r): r for r in tables.get(name, [])}
        for row in rows:
            assert _key(table, row) in exported, f"{name} {_key(table, row)} is missing"
            if TABLES[name].owner == CLIENT:  # the client's own: every identifying column as held
                for column in TABLES[name].identifying:
                    held = row[column]
                    shown = exported[_key(table, row)][column]
                    assert shown == (held if held is None or isinstance(held, (str, dict, list)) else str(held)), \
                        (name, column)
        assert not rows or f"{name}.csv" in files
    # Not a foreign key: the changes phones sent about the client's records, named by id.
    synced_ids = {r["id"] for name, rows in expected.items() if TABLES[name].owner == CLIENT
                  and "rev" in Base.metadata.tables[name].c for r in rows}
    mutations = Base.metadata.tables["sync_mutations"]
    with app.extensions["database"]["engine"].connect() as conn:
        sent = {str(m) for m in conn.scalars(select(mutations.c.mutation_id).where(mutations.c.record_id.in_(synced_ids)))}
    assert len(sent) >= 8 and sent <= {m["mutation_id"] for m in tables["sync_mutations"]}
    client_row = tables["clients"][0]
    assert client_row["name"] == f"Cliff {marker('A')} Client" and client_row["address"] == f"3 Test Road {marker('A')}"
    assert tables["sync_conflicts"] and tables["referral_decisions"] and tables["concern_actions"]
    # The audit trail: the coordinators' and mentors' views of the client's record.
    assert any(e["record_id"] == str(world.a.client_id) for e in tables["audit_entries"])
    summary = files["summary.txt"].decode()
    assert f"About: Cliff {marker('A')} Client (client)" in summary and "Exported by: Cora MARKA Coordinator" in summary
    assert "clients.csv: 1 row: the referral and client record" in summary
    assert b"Cliff MARKA Client" in files["clients.csv"]


def _journey_to_the_visit(app, world):
    """Mentor 1's claim for the drive to client A's visit (the places are the mentor's, not the client's)."""
    phone = signed_in(app, world, "mentor_a1")
    csrf = phone.get("/api/session").get_json()["csrf_token"]
    claim = uuid.uuid4()
    r = phone.post("/api/sync/push", headers={"X-CSRF-Token": csrf}, json={
        "device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [
            mutation("expense_claim", claim, "create", {"title": "Drives EXPA1"}),
            mutation("expense_item", uuid.uuid4(), "create", {
                "claim_id": str(claim), "item_type": "journey", "spent_on": date.today().isoformat(),
                "from_place": "Home EXPA1 lane", "to_place": "Visit EXPA1 road", "miles_tenths": 31,
                "vehicle": "car_van", "visit_id": str(world.a.records["visit"])})]})
    assert r.status_code == 200 and all(x["status"] == "applied" for x in r.get_json()["results"]), r.get_json()


def test_a_clients_export_gives_only_names_of_the_volunteers_and_nobody_elses_details(app, world):
    _journey_to_the_visit(app, world)
    data, files = unzip(export(app, world, "admin", f"/office/clients/{world.a.client_id}/subject-access"))
    everything = b" ".join(files.values()).decode("utf-8", "replace")
    for other in (marker("B"), "mentor1.marka@example.test", "Home EXPA1", "Visit EXPA1", "Drives EXPA1", "Una MARKA Unassigned", "Rita MARKA"):
        assert other not in everything, other
    names = {p["name"] for p in data["people"]}
    assert "Mentor1 MARKA Volunteer" in names and set(data["people"][0]) == {"id", "name", "role"}
    journeys = data["tables"]["expense_items"]  # the journey to the client's visit: amounts yes, places no
    assert [(j["from_place"], j["to_place"], j["miles_tenths"]) for j in journeys] == [(WITHHELD, WITHHELD, 31)]
    assert all(e.get("ip") in (None, WITHHELD) for e in data["tables"]["audit_entries"])
    assert "users" not in data["tables"] and "sign_ins" not in data["tables"]


def test_a_volunteers_export_holds_their_rows_and_what_they_did_and_their_receipt(app, world):
    more_of_area_a(app, world)
    mentor = world.a.mentor_ids[0]
    expected = rows_about(app, PERSON, mentor)
    data, files = unzip(export(app, world, "coordinator_a", f"/office/volunteers/{mentor}/subject-access"))
    tables = data["tables"]
    for name in ("users", "sign_ins", "compliance_checks", "pair_memberships", "reminder_preferences",
                 "webpush_subscriptions", "expense_claims", "expense_items", "receipts", "sync_mutations",
                 "audit_entries"):
        assert expected.get(name), f"the world has no {name} row for the mentor: the test would prove nothing"
    for name, rows in expected.items():
        table = Base.metadata.tables[name]
        exported = {_key(table, r) for r in tables.get(name, [])}
        missing = [_key(table, r) for r in rows if _key(table, r) not in exported]
        assert not missing, (name, missing)
    assert tables["users"][0]["email"] == "mentor1.marka@example.test"
    assert "password_hash" not in tables["users"][0]
    assert all(set(s) >= {"id", "user_id"} and "secret_hash" not in s for s in tables["sign_ins"])
    assert "endpoint" not in tables["webpush_subscriptions"][0]
    # What they did: the visit they wrote is there, the client's notes in it are not.
    visit = next(v for v in tables["visits"] if v["id"] == str(world.a.records["visit"]))
    assert visit["notes"] == WITHHELD and visit["created_by_id"] == str(mentor)
    assert "Cliff MARKA Client" not in b" ".join(files.values()).decode("utf-8", "replace")
    assert f"receipts/{world.a.receipt_sha256}.jpg" in files
    assert files[f"receipts/{world.a.receipt_sha256}.jpg"] == receipt_bytes("A")
    assert any(e["user_id"] == str(mentor) and e["ip"] not in (None, WITHHELD) for e in tables["audit_entries"])


def test_an_export_is_audited_as_an_export_in_its_own_transaction(app, world, session):
    url = f"/office/clients/{world.a.client_id}/subject-access"
    data, _ = unzip(export(app, world, "coordinator_a", url))
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(e.user_id, e.record_kind, e.record_id, e.route, e.status) for e in entries] == [
        (world.a.coordinator_id, "client", str(world.a.client_id), "POST /office/clients/<uuid:client_id>/subject-access",
         None)]


def test_a_coordinator_of_another_area_gets_a_404_page_nothing_exported_and_the_refusal_audited(app, world, session):
    for url, kind, record_id in ((f"/office/clients/{world.a.client_id}/subject-access", "client", world.a.client_id),
                                 (f"/office/volunteers/{world.a.mentor_ids[0]}/subject-access", "volunteer",
                                  world.a.mentor_ids[0])):
        response = export(app, world, "coordinator_b", url)
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "Page not found" in response.get_data(as_text=True)
        assert marker("A") not in response.get_data(as_text=True)
        session.rollback()  # a fresh read: the request committed after this session's last one
        entry = session.scalars(select(AuditEntry).where(AuditEntry.record_id == str(record_id))
                                .order_by(AuditEntry.id.desc())).first()
        assert (entry.user_id, entry.action, entry.record_kind, entry.status) == (
            world.b.coordinator_id, "export", kind, 404)


def test_a_mentor_cannot_export_and_an_admin_can_export_anyone(app, world):
    response = export(app, world, "mentor_a1", f"/office/volunteers/{world.a.mentor_ids[0]}/subject-access")
    assert response.status_code == 403
    for letter in ("a", "b"):
        aw = getattr(world, letter)
        data, _ = unzip(export(app, world, "admin", f"/office/volunteers/{aw.mentor_ids[1]}/subject-access"))
        assert data["tables"]["users"][0]["id"] == str(aw.mentor_ids[1])


def test_the_buttons_are_on_the_client_record_and_the_volunteer_page(app, world):
    client = signed_in(app, world, "coordinator_a")
    for page, action in ((f"/office/clients/{world.a.client_id}", f"/office/clients/{world.a.client_id}/subject-access"),
                         (f"/office/volunteers/{world.a.mentor_ids[0]}",
                          f"/office/volunteers/{world.a.mentor_ids[0]}/subject-access")):
        html = client.get(page).get_data(as_text=True)
        assert f'action="{action}"' in html and "Export everything we hold (subject access)" in html


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(app, world, session):
    session.execute(text("UPDATE clients SET risks = '=HYPERLINK(\"x\")' WHERE id = :id"),
                    {"id": world.a.client_id.hex if app.config["DATABASE_URL"].startswith("sqlite") else world.a.client_id})
    session.commit()
    _, files = unzip(export(app, world, "coordinator_a", f"/office/clients/{world.a.client_id}/subject-access"))
    assert "'=HYPERLINK" in files["clients.csv"].decode()


def test_a_closed_and_an_anonymised_client_can_still_be_exported(app, world):
    """A closed case has the sync engine's scope events; an anonymised one only its blanks left."""
    from tests.data_protection.test_retention import LONG_AGO, close_case, run

    close_case(app, world, world.a.client_id, LONG_AGO)
    url = f"/office/clients/{world.a.client_id}/subject-access"
    data, _ = unzip(export(app, world, "coordinator_a", url))
    assert data["tables"]["sync_scope_events"] and data["tables"]["clients"][0]["status"] == "closed"
    assert run(app, "--older-than-months", "72").exit_code == 0
    data, files = unzip(export(app, world, "coordinator_a", url))
    assert data["tables"]["clients"][0]["name"].startswith("Anonymised client ")
    assert "Cliff" not in b" ".join(files.values()).decode("utf-8", "replace")
