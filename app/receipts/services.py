"""Receipts: checking an upload, storing it once, and who may read it.

Plain values in, no Flask. The view reads the body (within the size limit)
and commits.
"""
from __future__ import annotations

import hashlib
import re
import uuid

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.receipts import storage
from app.receipts.models import Receipt

SHA256 = re.compile(r"[0-9a-f]{64}")

# The type is told by the first bytes, never by a header or a name. A body
# that starts with a JPEG's FF D8 FF is taken as a JPEG even if the rest is
# not a valid picture: it is served back only as image/jpeg with nosniff, so
# no browser treats it as a page or a script.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)

NOT_WHOLE = "The photo did not arrive whole; the app will send it again."


class ReceiptRejected(Exception):
    """An upload refused; ``status``, ``code`` and ``message`` go back to the phone."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def is_sha256(value: str) -> bool:
    return bool(SHA256.fullmatch(value))


def content_type_of(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def check(sha256: str, data: bytes) -> str:
    """The content type of ``data`` uploaded as ``sha256``, or ReceiptRejected."""
    if not is_sha256(sha256):
        raise ReceiptRejected(400, "bad_sha256", "A receipt's address is the sha256 of its bytes: 64 lower-case hex characters.")
    if not data:
        raise ReceiptRejected(400, "empty_body", "The upload was empty; send the photo's bytes as the body.")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ReceiptRejected(422, "sha256_mismatch", NOT_WHOLE)
    content_type = content_type_of(data)
    if content_type is None:
        raise ReceiptRejected(415, "unsupported_type", "A receipt must be a JPEG or PNG photo, or a PDF.")
    return content_type


def store(session: Session, root: str, user_id: uuid.UUID, sha256: str, data: bytes) -> tuple[Receipt, bool]:
    """Keep ``data`` as ``sha256`` for ``user_id``: (the record, True if new for them).

    Checks first, so nothing is written for a refused upload. The file is
    written unless it is there already; then the row is inserted in a
    SAVEPOINT, as the first statement of the transaction (so that on SQLite
    it waits for a concurrent writer instead of failing on an old snapshot).
    If that person's row is already there (the same bytes again, or a second
    upload racing this one), nothing is written and the existing row is the
    answer. The same bytes from someone else add their row and reuse the file.
    """
    content_type = check(sha256, data)
    storage.save(root, sha256, data)
    receipt = Receipt(sha256=sha256, uploaded_by_id=user_id, content_type=content_type, size_bytes=len(data))
    try:
        with session.begin_nested():
            session.add(receipt)
    except IntegrityError:
        existing = session.get(Receipt, (sha256, user_id))
        if existing is None:
            raise  # not the key: something else is wrong
        return existing, False
    return receipt, True


def readable(session: Session, user: User, sha256: str) -> Receipt | None:
    """The receipt if ``user`` may read it: someone who uploaded these bytes,
    a coordinator of the area of someone who did, or an admin. None for an
    unknown hash and a forbidden one alike."""
    if not user.active or not is_sha256(sha256):
        return None
    query = select(Receipt).join(User, User.id == Receipt.uploaded_by_id).where(Receipt.sha256 == sha256)
    if user.role == "admin":
        pass
    elif user.role == "coordinator" and user.area_id is not None:
        query = query.where(or_(Receipt.uploaded_by_id == user.id,
                                (User.area_id == user.area_id)))
    else:
        query = query.where(Receipt.uploaded_by_id == user.id)
    return session.scalars(query.order_by(Receipt.created_at).limit(1)).first()


def as_json(receipt: Receipt) -> dict:
    return {"sha256": receipt.sha256, "content_type": receipt.content_type, "size": receipt.size_bytes}
