"""Errors under /api/ are JSON, never an HTML page (shape in docs/sync-protocol.md, "Errors")."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


class ApiError(Exception):
    """Raise from an API view to answer with a JSON error."""

    def __init__(self, status: int, message: str, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "error")
        self.fields = fields


def error_response(status: int, message: str, code: str | None = None, fields: dict | None = None):
    body = {"error": {"code": code or _CODES.get(status, "error"), "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return error_response(err.status, err.message, err.code, err.fields)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if not _is_api_request() or err.response is not None:
            return err  # an answer made already (a throttled sign-in, app/accounts/throttle.py)
        message = {
            400: "The request could not be read (is it valid JSON?).",
            413: f"The request is too large (limit {app.config['MAX_CONTENT_LENGTH']} bytes).",
        }.get(err.code, err.description)
        return error_response(err.code or 500, message)

    @app.errorhandler(RecursionError)
    def _too_deep(err: RecursionError):
        # JSON nested about a thousand deep cannot be read by Python at all.
        # app/api_input.py answers it for the views; this answers it for any
        # other reader of a request's JSON (such as the sign-in throttle's).
        if _is_api_request() and "decoding a JSON" in str(err):
            return error_response(400, "The JSON is nested too deeply to read.", "malformed_json")
        return _unexpected(err)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api_request():
            return error_response(500, "Something went wrong on the server; nothing was saved.", "server_error")
        return "Internal Server Error", 500
