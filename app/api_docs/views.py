"""GET /api/openapi.json: the description of the JSON API (app/api_docs/spec.py)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from app.api_docs.spec import openapi, served

bp = Blueprint("api_docs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(served(openapi(), current_app.url_map))
