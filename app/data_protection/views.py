"""The subject access export's two buttons: on the client record and on a
volunteer's page (docs/operations.md, "Subject access requests").

Both are POSTs (an export is a disclosure, not a page to reload or
prefetch). Scope is the office's: a coordinator exports the clients and
volunteers of their area, an admin anyone's; any other id answers 404 like
the pages themselves, with nothing exported. The audit hook (app/audit/
hooks.py) names these endpoints' entries "export": the entry commits in the
same transaction as the export, before the zip is sent, and a refused
attempt is logged with its 404 as every refusal is.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, current_app
from flask_login import current_user

from app.casework.views import client_or_404
from app.data_protection import export
from app.data_protection.personal_data import CLIENT, PERSON
from app.data_protection.rows import find
from app.db import db, utcnow
from app.office.views import coordinators_only
from app.volunteers.views import volunteer_or_404

bp = Blueprint("data_protection", __name__, url_prefix="/office", template_folder="templates")
bp.before_request(coordinators_only)


def _zip(subject: str, record_id, who: str) -> Response:
    at = utcnow()
    found = find(db.session, subject, record_id)
    data = export.build(db.session, found, who=who, by=f"{current_user.name} ({current_user.email})", at=at,
                        receipts_dir=current_app.config.get("RECEIPTS_DIR"))
    db.session.commit()  # the audit entry of this export (hooks.py) commits here, or nothing is sent
    slug = re.sub(r"[^a-z0-9]+", "-", who.lower()).strip("-")[:40] or "person"
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="subject-access-{slug}-{at:%Y-%m-%d}.zip"',
        "Cache-Control": "no-store"})


@bp.post("/clients/<uuid:client_id>/subject-access")
def export_client(client_id):
    client = client_or_404(client_id)
    return _zip(CLIENT, client.id, client.name)


@bp.post("/volunteers/<uuid:volunteer_id>/subject-access")
def export_volunteer(volunteer_id):
    volunteer = volunteer_or_404(volunteer_id)
    return _zip(PERSON, volunteer.id, volunteer.name)
