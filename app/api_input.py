"""Reading JSON bodies under /api/ with marshmallow, one clear error for bad input."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, ValidationError

from app.errors import ApiError


def json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON (Content-Type: application/json).")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "The request body is not valid JSON.", "malformed_json")
    if not isinstance(data, dict):
        raise ApiError(422, "The request body must be a JSON object.")
    return data


def load(schema: Schema, data: dict | None = None) -> dict:
    try:
        return schema.load(json_body() if data is None else data)
    except ValidationError as err:
        raise ApiError(422, "Some fields are missing or invalid.", fields=err.messages) from None
