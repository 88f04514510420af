"""POST /api/sync/push and GET /api/sync/pull (docs/sync-protocol.md)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required
from marshmallow import RAISE, Schema, fields, validate

from app.api_input import json_body, load
from app.db import db
from app.errors import ApiError
from app.sync import pull as pulling
from app.sync.push import MAX_MUTATIONS, SCHEMA_VERSION, push

bp = Blueprint("sync", __name__, url_prefix="/api/sync")


class PushRequest(Schema):
    class Meta:
        unknown = RAISE

    device_id = fields.UUID(required=True)
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Equal(
        SCHEMA_VERSION, error=f"This server speaks schema_version {SCHEMA_VERSION}; update the app."))
    mutations = fields.List(fields.Raw(), required=True)


@bp.post("/push")
@login_required
def push_view():
    body = json_body()
    mutations = body.get("mutations")
    if isinstance(mutations, list) and len(mutations) > MAX_MUTATIONS:
        raise ApiError(413, f"Send at most {MAX_MUTATIONS} mutations per push; send the rest in another.",
                       "batch_too_large")
    data = load(PushRequest(), body)
    results = push(db.session, current_user, data["device_id"], data["mutations"])
    return jsonify({"results": results})


@bp.get("/pull")
@login_required
def pull_view():
    unknown = set(request.args) - {"cursor", "limit"}
    if unknown:
        raise ApiError(400, f"Unknown parameter(s): {', '.join(sorted(unknown))}.")
    try:
        limit = pulling.parse_limit(request.args.get("limit"))
    except ValueError as err:
        raise ApiError(400, str(err), "bad_limit", fields={"limit": [str(err)]}) from None
    try:
        cursor = pulling.Cursor.decode(request.args.get("cursor"))
        body = pulling.pull(db.session, current_user, cursor, limit)
        db.session.commit()  # what the pull's listeners wrote (the audit log)
        return jsonify(body)
    except pulling.BadCursor as err:
        raise ApiError(400, str(err), "bad_cursor", fields={"cursor": [str(err)]}) from None
