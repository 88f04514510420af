"""The OpenAPI 3 description of the JSON API under /api/, kept by hand.

Every /api/ route must be described here: tests/api_docs/test_openapi.py fails
for a route that is not, and tests/api_docs/test_schemathesis.py sends
generated requests to each operation and checks the answers against this
description (no server error, status, content type and body as described).
The rules behind each field are in docs/sync-protocol.md; this says the
shapes. Only the list of kinds comes from the code (the registry of kinds),
so that a new kind needs no edit here. What is served leaves out operations
the app has no route for (``served``): a description may be written before
its route lands.
"""
from __future__ import annotations

import re

from app.sync.kinds import KINDS
from app.sync.push import MAX_MUTATIONS, SCHEMA_VERSION
from app.sync.pull import MAX_LIMIT

JSON = "application/json"
UUID = {"type": "string", "format": "uuid"}
NULLABLE_OBJECT = {"type": "object", "nullable": True, "additionalProperties": True}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


def _json_body(schema: dict, description: str | None = None) -> dict:
    body = {"required": True, "content": {JSON: {"schema": schema}}}
    if description:
        body["description"] = description
    return body


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


NO_CONTENT = {"description": "Done; no body."}
UNAUTHORISED = _error("Not signed in (`unauthorised`).")
CSRF = _error("Signed in, but the `X-CSRF-Token` header is missing or wrong (`csrf_failed`).")
MALFORMED = _error("The body is not JSON, or is nested more than 32 deep (`malformed_json`).")
TOO_LARGE = _error("The body is over the server's limit (`too_large`).")
NOT_JSON = _error("The body was not sent as `application/json` (`unsupported_media_type`).")
INVALID = _error("A field is missing or invalid, or holds text that cannot be stored, such as a NUL or a lone "
                 "UTF-16 surrogate (`validation_error`, with `fields`).")


def _json_errors(*, signed_in: bool = True, csrf: bool = True) -> dict:
    """The answers every JSON body can get besides its own."""
    out = {"400": MALFORMED, "413": TOO_LARGE, "415": NOT_JSON, "422": INVALID}
    if signed_in:
        out["401"] = UNAUTHORISED
    if csrf:
        out["403"] = CSRF
    return out


def _schemas() -> dict:
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": True,
                                   "description": "Messages by field (nested as the body is)."},
                    },
                },
            },
        },
        "User": {
            "type": "object",
            "required": ["id", "name", "role"],
            "properties": {"id": UUID, "name": {"type": "string"},
                           "role": {"type": "string", "enum": ["volunteer", "coordinator", "admin"]}},
        },
        "Session": {
            "type": "object",
            "required": ["user", "csrf_token"],
            "properties": {"user": _ref("User"), "csrf_token": {"type": "string",
                                                               "description": "Send it as `X-CSRF-Token`."}},
        },
        "SignIn": {
            "type": "object",
            "required": ["email", "password"],
            "properties": {
                "email": {"type": "string", "minLength": 1, "maxLength": 254},
                "password": {"type": "string", "minLength": 1, "maxLength": 1024},
                "app": {"type": "string", "enum": ["field"], "nullable": True,
                        "description": "`field`: the mentors' app; anyone but a volunteer is refused."},
            },
        },
        "Mutation": {
            "type": "object",
            "description": "One queued edit (docs/sync-protocol.md, \"Mutation fields\"). A mutation that is not "
                           "valid is answered by a `rejected` result, never by an HTTP error.",
            "required": ["mutation_id", "kind", "id", "op"],
            "additionalProperties": False,
            "properties": {
                "mutation_id": UUID,
                "kind": {"type": "string", "enum": list(KINDS)},
                "id": UUID,
                "op": {"type": "string", "enum": ["create", "update", "delete"]},
                "base_rev": {"type": "integer", "minimum": 0, "nullable": True},
                "base": {"type": "object", "additionalProperties": True},
                "changes": {"type": "object", "additionalProperties": True},
                "resolves": {"type": "array", "items": UUID, "maxItems": 100},
            },
        },
        "PushRequest": {
            "type": "object",
            "required": ["device_id", "schema_version", "mutations"],
            "additionalProperties": False,
            "properties": {
                "device_id": UUID,
                "schema_version": {"type": "integer", "enum": [SCHEMA_VERSION]},
                "mutations": {"type": "array", "maxItems": MAX_MUTATIONS, "items": _ref("Mutation")},
            },
        },
        "MutationResult": {
            "type": "object",
            "required": ["mutation_id", "status"],
            "properties": {
                "mutation_id": {"type": "string", "nullable": True},
                "status": {"type": "string", "enum": ["applied", "merged", "conflict", "rejected"]},
                "rev": {"type": "integer", "minimum": 1},
                "conflicts": {"type": "array", "items": UUID},
                "errors": {"type": "object", "additionalProperties": True},
            },
        },
        "PushResponse": {
            "type": "object",
            "required": ["results"],
            "properties": {"results": {"type": "array", "items": _ref("MutationResult")}},
        },
        "Change": {
            "type": "object",
            "required": ["kind", "id", "rev", "deleted", "data"],
            "properties": {"kind": {"type": "string"}, "id": UUID, "rev": {"type": "integer"},
                           "deleted": {"type": "boolean"}, "data": NULLABLE_OBJECT},
        },
        "Conflict": {
            "type": "object",
            "required": ["id", "kind", "record_id", "field", "raised_by", "created_at"],
            "properties": {"id": UUID, "kind": {"type": "string"}, "record_id": UUID, "field": {"type": "string"},
                           "base": {}, "mine": {}, "theirs": {}, "raised_by": UUID,
                           "raised_by_name": {"type": "string"}, "created_at": {"type": "string"}},
        },
        "SettledConflict": {
            "type": "object",
            "required": ["id", "kind", "record_id", "field", "resolved_at"],
            "properties": {"id": UUID, "kind": {"type": "string"}, "record_id": UUID, "field": {"type": "string"},
                           "resolved_by": {"type": "string", "nullable": True},
                           "resolved_by_name": {"type": "string", "nullable": True},
                           "resolved_at": {"type": "string"}},
        },
        "PullResponse": {
            "type": "object",
            "required": ["changes", "removed", "conflicts", "settled", "cursor", "has_more"],
            "additionalProperties": True,
            "description": "Also the sections features add (`pair`, `mileage`): an object or null each.",
            "properties": {
                "changes": {"type": "array", "items": _ref("Change")},
                "removed": {"type": "array", "items": {"type": "object", "required": ["kind", "id"],
                                                       "properties": {"kind": {"type": "string"}, "id": UUID}}},
                "conflicts": {"type": "array", "items": _ref("Conflict")},
                "settled": {"type": "array", "items": _ref("SettledConflict")},
                "cursor": {"type": "string"},
                "has_more": {"type": "boolean"},
                "pair": NULLABLE_OBJECT,
                "mileage": NULLABLE_OBJECT,
            },
        },
        "Receipt": {
            "type": "object",
            "required": ["sha256", "content_type", "size"],
            "properties": {"sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                           "content_type": {"type": "string",
                                            "enum": ["image/jpeg", "image/png", "application/pdf"]},
                           "size": {"type": "integer", "minimum": 1}},
        },
        "Preferences": {
            "type": "object",
            "required": ["enabled", "evening_time", "minutes_before"],
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "evening_time": {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$",
                                 "description": "HH:MM, 24-hour, London time."},
                "minutes_before": {"type": "integer", "minimum": 5, "maximum": 24 * 60},
            },
        },
        "PreferencesOut": {
            "type": "object",
            "required": ["enabled", "evening_time", "minutes_before", "time_zone"],
            "properties": {"enabled": {"type": "boolean"}, "evening_time": {"type": "string"},
                           "minutes_before": {"type": "integer"}, "time_zone": {"type": "string"}},
        },
        "Subscription": {
            "type": "object",
            "required": ["endpoint", "keys"],
            "additionalProperties": False,
            "description": "As the browser's `PushSubscription.toJSON()` gives it.",
            "properties": {
                "endpoint": {"type": "string", "maxLength": 2000,
                             "description": "https address of a known Web Push service."},
                "keys": {"type": "object", "required": ["p256dh", "auth"], "additionalProperties": False,
                         "properties": {"p256dh": {"type": "string", "maxLength": 200},
                                        "auth": {"type": "string", "maxLength": 100}}},
                "expirationTime": {"nullable": True},
            },
        },
        "Endpoint": {
            "type": "object",
            "required": ["endpoint"],
            "additionalProperties": False,
            "properties": {"endpoint": {"type": "string", "maxLength": 2000}},
        },
    }


SHA256_PARAMETER = {"name": "sha256", "in": "path", "required": True,
                    "description": "The sha256 of the receipt's bytes: 64 lower-case hex characters.",
                    "schema": {"type": "string"}}
RECEIPT_FILE = {"description": "The receipt, with its type, `Cache-Control: private, no-store`.",
                "content": {t: {"schema": {"type": "string", "format": "binary"}}
                            for t in ("image/jpeg", "image/png", "application/pdf")}}
RECEIPT_MISSING = _error("No such receipt, or not yours to see (`not_found`): the same answer either way.")


def _paths() -> dict:
    return {
        "/api/openapi.json": {
            "get": {"summary": "This description.", "tags": ["docs"], "security": [],
                    "responses": {"200": _ok({"type": "object"})}},
        },
        "/api/session": {
            "post": {
                "summary": "Sign in (docs/sync-protocol.md, \"Authentication\"). Needs no CSRF token.",
                "tags": ["session"], "security": [],
                "requestBody": _json_body(_ref("SignIn")),
                "responses": {
                    "200": _ok(_ref("Session"), "Signed in: a session cookie and a remember cookie are set."),
                    "401": _error("Email or password is incorrect (`invalid_credentials`)."),
                    "403": _error("`password_change_required`, or `field_app_for_mentors`."),
                    "429": _error("Too many attempts (`too_many_requests`)."),
                    **_json_errors(signed_in=False, csrf=False),
                },
            },
            "get": {
                "summary": "Who is signed in, and the current CSRF token.", "tags": ["session"],
                "responses": {"200": _ok(_ref("Session")), "401": UNAUTHORISED},
            },
            "delete": {
                "summary": "Sign out on the server (also when nobody is signed in).", "tags": ["session"],
                "responses": {"204": NO_CONTENT, "403": CSRF},
            },
        },
        "/api/session/wipe": {
            "post": {
                "summary": "The last step of a phone's wipe: signs out (if signed in) and answers "
                           "`Clear-Site-Data`, for the browser to clear this site's cookies, caches and storage.",
                "tags": ["session"],
                "responses": {"204": NO_CONTENT, "403": CSRF},
            },
        },
        "/api/sync/push": {
            "post": {
                "summary": "Send queued edits (docs/sync-protocol.md, \"POST /api/sync/push\").", "tags": ["sync"],
                "requestBody": _json_body(_ref("PushRequest")),
                "responses": {
                    "200": _ok(_ref("PushResponse"), "One result per mutation, in order."),
                    **_json_errors(),
                    "413": _error("Over 1000 mutations (`batch_too_large`), or the body is too large (`too_large`)."),
                },
            },
        },
        "/api/sync/pull": {
            "get": {
                "summary": "What changed since the cursor (docs/sync-protocol.md, \"GET /api/sync/pull\").",
                "tags": ["sync"],
                "parameters": [
                    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "As the last pull gave it; none for a first full pull."},
                    {"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
                ],
                "responses": {
                    "200": _ok(_ref("PullResponse")),
                    "400": _error("`bad_cursor`, `bad_limit`, or an unknown parameter (`bad_request`)."),
                    "401": UNAUTHORISED,
                },
            },
        },
        "/api/receipts/{sha256}": {
            "parameters": [SHA256_PARAMETER],
            "put": {
                "summary": "Upload a receipt's bytes (docs/sync-protocol.md, \"Receipts\").", "tags": ["receipts"],
                "requestBody": {"required": True, "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {
                    "201": _ok(_ref("Receipt"), "Stored."),
                    "200": _ok(_ref("Receipt"), "This user had sent these bytes already."),
                    "400": _error("`bad_sha256`, or `empty_body`."),
                    "401": UNAUTHORISED, "403": CSRF,
                    "413": _error("Over the receipt size limit (`too_large`)."),
                    "415": _error("Not a JPEG, PNG or PDF by its first bytes (`unsupported_type`)."),
                    "422": _error("The bytes' sha256 is not the address (`sha256_mismatch`)."),
                },
            },
            "get": {
                "summary": "A receipt's file.", "tags": ["receipts"],
                "responses": {"200": RECEIPT_FILE, "401": UNAUTHORISED, "404": RECEIPT_MISSING},
            },
            "head": {
                "summary": "Whether the server has the receipt: the headers of GET, no body.", "tags": ["receipts"],
                "responses": {"200": {"description": "It has."}, "401": {"description": "Not signed in."},
                              "404": {"description": "No such receipt, or not yours to see."}},
            },
        },
        "/api/reminders/preferences": {
            "get": {
                "summary": "The visit-reminder settings (defaults if never set).", "tags": ["reminders"],
                "responses": {"200": _ok(_ref("PreferencesOut")), "401": UNAUTHORISED},
            },
            "put": {
                "summary": "Set the visit-reminder settings.", "tags": ["reminders"],
                "requestBody": _json_body(_ref("Preferences")),
                "responses": {"200": _ok(_ref("PreferencesOut")), **_json_errors()},
            },
        },
        "/api/webpush/key": {
            "get": {
                "summary": "The server's VAPID public key, for PushManager.subscribe().", "tags": ["webpush"],
                "responses": {"200": _ok({"type": "object", "required": ["public_key"],
                                          "properties": {"public_key": {"type": "string"}}}),
                              "401": UNAUTHORISED},
            },
        },
        "/api/webpush/subscriptions": {
            "post": {
                "summary": "Turn on notifications for this browser.", "tags": ["webpush"],
                "requestBody": _json_body(_ref("Subscription")),
                "responses": {"201": _ok({"type": "object", "required": ["subscribed"],
                                          "properties": {"subscribed": {"type": "boolean"}}}),
                              **_json_errors()},
            },
            "delete": {
                "summary": "Turn off notifications for this browser.", "tags": ["webpush"],
                "requestBody": _json_body(_ref("Endpoint")),
                "responses": {"204": NO_CONTENT, **_json_errors()},
            },
        },
        "/api/webpush/test": {
            "post": {
                "summary": "Send a test notification to this user's browsers.", "tags": ["webpush"],
                "responses": {
                    "200": _ok({"type": "object", "required": ["sent", "gone", "failed"],
                                "properties": {k: {"type": "integer", "minimum": 0}
                                               for k in ("sent", "gone", "failed")}}),
                    "401": UNAUTHORISED, "403": CSRF,
                    "404": _error("Notifications are not turned on for this account (`not_subscribed`)."),
                },
            },
        },
    }


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/api/receipts/<sha256>`` is ``/api/receipts/{sha256}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def served(spec: dict, url_map) -> dict:
    """``spec`` with only the operations ``url_map`` has a route for."""
    methods: dict[str, set] = {}
    for rule in url_map.iter_rules():
        methods.setdefault(openapi_path(rule.rule), set()).update(m.lower() for m in rule.methods)
    paths = {}
    for path, item in spec["paths"].items():
        kept = {key: value for key, value in item.items() if key not in OPERATIONS or key in methods.get(path, ())}
        if any(key in OPERATIONS for key in kept):
            paths[path] = kept
    return {**spec, "paths": paths}


OPERATIONS = ("get", "put", "post", "delete", "patch", "head", "options")


def openapi() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Community Peer Mentors JSON API",
            "version": str(SCHEMA_VERSION),
            "description": (
                "The JSON API of the field app (docs/sync-protocol.md). Sign in with POST /api/session: the "
                "server sets a session cookie and answers a `csrf_token`, which every POST, PUT and DELETE "
                "under /api/ sends back in the `X-CSRF-Token` header (403 `csrf_failed` without it). Errors "
                "share one shape (`Error`). Bad input is a 4xx, never a 5xx."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"sessionCookie": []}],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                                  "description": "Set by POST /api/session; unsafe methods also need "
                                                 "the X-CSRF-Token header."},
            },
        },
    }
