"""GET/HEAD /api/receipts/<sha256>: only its uploaders, their area's
coordinators and admins; anyone else gets the same 404 as for no receipt."""
import pytest

from app.accounts.services import create_user
from tests.conftest import DEMO_PASSWORD
from tests.receipts import JPEG, PDF, PNG, put, sha


@pytest.fixture
def people(app, demo, session):
    """Beside the demo: a coordinator of another area, and an admin."""
    create_user(session, email="dana@darlington.test", name="Dana Other", role="coordinator",
                password=DEMO_PASSWORD, area_name="Darlington")
    create_user(session, email="admin@demo.test", name="Ada Admin", role="admin", password=DEMO_PASSWORD)
    session.commit()


@pytest.fixture
def receipt(api, people):
    assert put(api("amira@demo.test"), JPEG).status_code == 201
    return sha(JPEG)


@pytest.mark.parametrize("who", ["amira@demo.test", "coordinator@demo.test", "admin@demo.test"])
def test_the_uploader_their_coordinator_and_an_admin_may_read_it(api, receipt, who):
    response = api(who).get(f"/api/receipts/{receipt}")
    assert response.status_code == 200
    assert response.data == JPEG
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert not response.headers.get("Content-Disposition", "").startswith("attachment")


@pytest.mark.parametrize("who", ["ben@demo.test", "chloe@demo.test", "dana@darlington.test"])
def test_anyone_else_gets_the_same_404_as_for_a_missing_receipt(api, receipt, who):
    person = api(who)
    forbidden = person.get(f"/api/receipts/{receipt}")
    missing = person.get(f"/api/receipts/{sha(b'no such receipt')}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.data == missing.data
    assert forbidden.headers == missing.headers
    for method in ("HEAD",):
        a = person.client.open(f"/api/receipts/{receipt}", method=method)
        b = person.client.open(f"/api/receipts/{sha(b'no such receipt')}", method=method)
        assert a.status_code == b.status_code == 404 and a.headers == b.headers


def test_the_partner_mentor_may_read_it_once_they_upload_the_same_bytes(api, receipt):
    ben = api("ben@demo.test")
    assert ben.get(f"/api/receipts/{receipt}").status_code == 404
    assert put(ben, JPEG).status_code == 201
    assert ben.get(f"/api/receipts/{receipt}").data == JPEG


def test_head_tells_the_phone_whether_the_server_has_it(api, receipt):
    amira = api("amira@demo.test")
    response = amira.client.head(f"/api/receipts/{receipt}")
    assert response.status_code == 200 and response.data == b""
    assert int(response.headers["Content-Length"]) == len(JPEG) and response.mimetype == "image/jpeg"
    assert amira.client.head(f"/api/receipts/{sha(PNG)}").status_code == 404


def test_a_pdf_is_served_as_an_attachment(api, people):
    amira = api("amira@demo.test")
    assert put(amira, PDF, content_type="application/pdf").status_code == 201
    response = amira.get(f"/api/receipts/{sha(PDF)}")
    assert response.status_code == 200 and response.data == PDF and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_signed_out_cannot_read(api, receipt):
    assert api().get(f"/api/receipts/{receipt}").status_code == 401


@pytest.mark.parametrize("address", ["ABC", sha(JPEG).upper(), "..%2F..%2Fsecret_key"])
def test_a_bad_address_reads_as_not_found(api, receipt, address):
    assert api("admin@demo.test").get(f"/api/receipts/{address}").status_code == 404
