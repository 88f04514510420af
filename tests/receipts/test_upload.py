"""PUT /api/receipts/<sha256>: checks, idempotency, races, storage on disk."""
import io
import threading

import pytest

from app.receipts import storage
from tests.receipts import JPEG, PDF, PNG, files_in, put, rows, sha


@pytest.mark.parametrize("data, content_type", [(JPEG, "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf")])
def test_upload_stores_the_file_by_its_hash_and_again_is_the_same_answer(api, demo, app, session, data, content_type):
    amira = api("amira@demo.test")
    digest = sha(data)
    first = put(amira, data, content_type=content_type)
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == {"sha256": digest, "content_type": content_type, "size": len(data)}
    path = storage.path_for(app.config["RECEIPTS_DIR"], digest)
    assert path.read_bytes() == data and path.parent.name == digest[:2]
    assert files_in(app) == [f"{digest[:2]}/{digest}"]
    mtime = path.stat().st_mtime_ns

    again = put(amira, data, content_type=content_type)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert path.stat().st_mtime_ns == mtime and files_in(app) == [f"{digest[:2]}/{digest}"]
    assert rows(session) == 1


def test_the_type_comes_from_the_bytes_not_the_header(api, demo):
    response = put(api("amira@demo.test"), PNG, content_type="application/octet-stream")
    assert response.status_code == 201 and response.get_json()["content_type"] == "image/png"


def test_the_same_bytes_from_a_second_person_are_one_file_and_two_rows(api, demo, app, session):
    assert put(api("amira@demo.test"), JPEG).status_code == 201
    second = put(api("ben@demo.test"), JPEG)
    assert second.status_code == 201  # new for Ben: says nothing about who else has it
    assert len(files_in(app)) == 1 and rows(session) == 2


def test_a_racing_double_upload_leaves_one_file_and_one_row(api, demo, app, session):
    phones = [api("amira@demo.test"), api("amira@demo.test")]  # her phone and her tablet
    start = threading.Barrier(2)
    answers = [None, None]

    def upload(i):
        start.wait()
        answers[i] = put(phones[i], JPEG)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200, 201], [a.get_json() for a in answers]
    assert answers[0].get_json() == answers[1].get_json()
    assert files_in(app) == [f"{sha(JPEG)[:2]}/{sha(JPEG)}"] and rows(session) == 1


def test_writers_of_the_same_bytes_at_once_all_succeed_and_leave_one_file(tmp_path):
    digest = sha(JPEG)
    start = threading.Barrier(8)
    errors = []

    def write():
        start.wait()
        try:
            storage.save(tmp_path, digest, JPEG)
        except Exception as err:  # pragma: no cover - the test fails on it
            errors.append(err)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [f"{digest[:2]}/{digest}"]
    assert storage.path_for(tmp_path, digest).read_bytes() == JPEG


def refused(response, status, code, app, session):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == code
    assert files_in(app) == [] and rows(session) == 0  # nothing written
    return response.get_json()["error"]["message"]


def test_a_photo_that_did_not_arrive_whole_is_refused(api, demo, app, session):
    message = refused(put(api("amira@demo.test"), JPEG[:-10], digest=sha(JPEG)), 422, "sha256_mismatch", app, session)
    assert message == "The photo did not arrive whole; the app will send it again."


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize("data, content_type", [
    (GIF, "image/gif"),
    (HTML, "text/html"),
    (HTML, "image/jpeg"),                          # a lying header
    (b"hello \xff\xd8\xff not at the start", "image/jpeg"),
    (b"\xff\xd8 two bytes of JPEG only", "image/jpeg"),
    (b"\x89PNG\r\n not quite", "image/png"),
    (b"%PDF without the dash", "application/pdf"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
], ids=["gif", "html", "html-as-jpeg", "jpeg-magic-later", "short-jpeg-magic", "broken-png", "pdf-no-dash", "webp"])
def test_anything_but_jpeg_png_or_pdf_by_content_is_refused(api, demo, app, session, data, content_type):
    refused(put(api("amira@demo.test"), data, content_type=content_type), 415, "unsupported_type", app, session)


def test_text_behind_a_real_jpeg_signature_is_taken_as_a_jpeg(api, demo, app):
    """Decided: the check is the signature (FF D8 FF), not a full decode. Such
    a file is served back only as image/jpeg with nosniff, never as a page."""
    data = b"\xff\xd8\xff<html><script>alert(1)</script></html>"
    assert put(api("amira@demo.test"), data, content_type="text/html").get_json()["content_type"] == "image/jpeg"
    response = api("amira@demo.test").get(f"/api/receipts/{sha(data)}")
    assert response.mimetype == "image/jpeg" and response.headers["X-Content-Type-Options"] == "nosniff"


def test_oversize_is_refused_from_content_length(api, demo, app, session):
    app.config["RECEIPT_MAX_BYTES"] = len(JPEG) - 1
    message = refused(put(api("amira@demo.test"), JPEG), 413, "too_large", app, session)
    assert str(len(JPEG) - 1) in message
    app.config["RECEIPT_MAX_BYTES"] = len(JPEG)
    assert put(api("amira@demo.test"), JPEG).status_code == 201  # exactly the limit is fine


class MustNotBeRead(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the body was read although its Content-Length is over the limit")

    readline = readinto = read1 = read


def test_oversize_is_refused_from_content_length_before_reading(api, demo, app, session):
    app.config["RECEIPT_MAX_BYTES"] = 1000
    amira = api("amira@demo.test")
    response = amira.client.put(f"/api/receipts/{sha(JPEG)}", input_stream=MustNotBeRead(b"x" * 1001),
                                headers={"Content-Type": "image/jpeg",
                                         "X-CSRF-Token": amira.csrf})
    refused(response, 413, "too_large", app, session)


def test_oversize_is_refused_while_reading_a_body_without_length(api, demo, app, session):
    app.config["RECEIPT_MAX_BYTES"] = len(JPEG) - 1  # one byte over
    amira = api("amira@demo.test")
    response = amira.client.put(f"/api/receipts/{sha(JPEG)}", input_stream=io.BytesIO(JPEG),
                                headers={"Content-Type": "image/jpeg", "Transfer-Encoding": "chunked",
                                         "X-CSRF-Token": amira.csrf},
                                environ_overrides={"wsgi.input_terminated": True})
    refused(response, 413, "too_large", app, session)


def test_a_body_without_length_within_the_limit_is_read(api, demo, app):
    app.config["RECEIPT_MAX_BYTES"] = len(JPEG)
    amira = api("amira@demo.test")
    response = amira.client.put(f"/api/receipts/{sha(JPEG)}", input_stream=io.BytesIO(JPEG),
                                headers={"Content-Type": "image/jpeg", "Transfer-Encoding": "chunked",
                                         "X-CSRF-Token": amira.csrf},
                                environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201, response.get_json()


def test_the_receipt_limit_is_not_the_sync_bodies_limit(api, demo, app):
    """A receipt may be bigger than MAX_CONTENT_LENGTH (sync bodies)."""
    app.config["MAX_CONTENT_LENGTH"] = 100
    assert put(api("amira@demo.test"), JPEG).status_code == 201


def test_an_empty_body_is_refused(api, demo, app, session):
    refused(put(api("amira@demo.test"), b""), 400, "empty_body", app, session)


@pytest.mark.parametrize("digest", [sha(JPEG).upper(), sha(JPEG)[:63], sha(JPEG) + "0", "g" * 64, "receipt.jpg"])
def test_a_bad_address_is_refused(api, demo, app, session, digest):
    refused(put(api("amira@demo.test"), JPEG, digest=digest), 400, "bad_sha256", app, session)


def test_the_address_is_checked_before_the_body_is_read(api, demo, app, session):
    app.config["RECEIPT_MAX_BYTES"] = 10
    refused(put(api("amira@demo.test"), JPEG, digest="not-a-hash"), 400, "bad_sha256", app, session)


def test_signed_out_is_refused(api, demo, app, session):
    refused(put(api(), JPEG), 401, "unauthorised", app, session)


def test_without_the_csrf_header_is_refused(api, demo, app, session):
    refused(put(api("amira@demo.test"), JPEG, csrf=False), 403, "csrf_failed", app, session)
    refused(put(api("amira@demo.test"), JPEG, csrf=False, headers={"X-CSRF-Token": "wrong"}), 403, "csrf_failed", app, session)
