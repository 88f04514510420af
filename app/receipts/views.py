"""The receipts API: phones upload a receipt by the sha256 of its bytes, and
phones and office pages read it back (docs/sync-protocol.md, "Receipts")."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_file
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from app.db import db
from app.errors import ApiError
from app.receipts import services, storage

bp = Blueprint("receipts", __name__, url_prefix="/api")

CHUNK = 64 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def _not_found() -> ApiError:
    # The same answer for an unknown hash and a forbidden one.
    return ApiError(404, "There is no such receipt, or it is not yours to see.", "not_found")


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"The receipt is too large: at most {limit} bytes. The app sends photos downsized.", "too_large")


def _read_body(limit: int) -> bytes:
    """The request body, refused as soon as it is known to be over ``limit``:
    from Content-Length before reading, and while reading (chunked uploads)."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    # This body's limit instead of MAX_CONTENT_LENGTH (sync bodies). Werkzeug's
    # guard stays a chunk above ours, as a backstop: ours, with its message, answers.
    request.max_content_length = limit + CHUNK
    body = bytearray()
    try:
        stream = request.stream
        while chunk := stream.read(CHUNK):
            body += chunk
            if len(body) > limit:
                raise _too_large(limit)
    except RequestEntityTooLarge:
        raise _too_large(limit) from None
    return bytes(body)


@bp.put("/receipts/<sha256>")
@login_required
def upload(sha256: str):
    if not services.is_sha256(sha256):
        raise ApiError(400, "A receipt's address is the sha256 of its bytes: 64 lower-case hex characters.", "bad_sha256")
    data = _read_body(current_app.config["RECEIPT_MAX_BYTES"])
    root = current_app.config["RECEIPTS_DIR"]
    user_id = current_user.id
    for attempt in (1, 2):
        # End the read the sign-in check began, so the write starts afresh
        # (on SQLite a write from an older snapshot fails instead of waiting).
        db.session.rollback()
        try:
            receipt, created = services.store(db.session, root, user_id, sha256, data)
            db.session.commit()
            break
        except services.ReceiptRejected as err:
            raise ApiError(err.status, err.message, err.code) from None
        except (IntegrityError, OperationalError):
            # Another upload of the same bytes by the same person committed
            # in between: the next try finds its row.
            db.session.rollback()
            if attempt == 2:
                raise
    return jsonify(services.as_json(receipt)), 201 if created else 200


@bp.get("/receipts/<sha256>")  # HEAD too: the phone asks whether the server has it already
@login_required
def read(sha256: str):
    receipt = services.readable(db.session, current_user, sha256)
    if receipt is None:
        raise _not_found()
    path = storage.path_for(current_app.config["RECEIPTS_DIR"], sha256)
    if not path.is_file():
        current_app.logger.error("receipt %s is in the database but its file %s is missing", sha256, path)
        raise _not_found()
    response = send_file(
        path,
        mimetype=receipt.content_type,
        as_attachment=receipt.content_type == "application/pdf",
        download_name=f"receipt-{sha256[:12]}.{EXTENSIONS[receipt.content_type]}",
        conditional=False,
        etag=False,
        max_age=None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
