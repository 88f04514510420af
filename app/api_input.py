"""Reading JSON bodies under /api/ with marshmallow, one clear error for bad input.

Bad input is a 4xx, never a 500 (docs/sync-protocol.md, "Errors"): a body
that is not JSON (NaN and Infinity are not JSON either) or is nested more
than ``MAX_DEPTH`` deep is 400 ``malformed_json``; text that cannot be stored
(a NUL or a lone UTF-16 surrogate, below) is 422 with the
field it is in. A schema's ``Raw`` fields are left to whoever reads them:
the sync push checks each mutation on its own, so one bad entry does not
block the rest of a phone's outbox.
"""
from __future__ import annotations

import json
import re

from flask import request
from marshmallow import Schema, ValidationError, fields

from app.errors import ApiError

NOT_JSON = "The request body is not valid JSON."


# -- what JSON input must be before anything stores it (pure: the sync push uses these too)
#
# Python's JSON reader accepts text no database can store: a lone UTF-16
# surrogate ("\\ud800": half of a pair, not a character, which cannot be
# written as UTF-8) and the NUL character ("\\u0000", which PostgreSQL's text
# refuses while SQLite keeps it). Both are refused everywhere, so SQLite and
# PostgreSQL accept and refuse the same values. Nesting is bounded too: JSON
# nested hundreds deep is no one's data, and Python cannot read it at all
# beyond about a thousand.
MAX_DEPTH = 32  # a push body is 4 deep for plain values; anything near this is not data

_BAD = re.compile("[\x00\ud800-\udfff]")

NUL_MESSAGE = "This text contains a NUL character (\\u0000), which cannot be stored. Remove it and try again."
SURROGATE_MESSAGE = ("This text contains half of a UTF-16 surrogate pair (\\ud800-\\udfff), which is not a character "
                     "and cannot be stored. Retype it and try again.")
KEY_MESSAGE = "A key of this object contains a character that cannot be stored (NUL or a lone surrogate)."
DEPTH_MESSAGE = f"The JSON is nested more than {MAX_DEPTH} levels deep."


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None."""
    found = _BAD.search(text)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` (decoded JSON) nests lists and objects deeper than ``limit``.
    Iterative: it must not itself run out of stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad(text: str) -> bool:
    # Fast: "in" is a memchr, and an ASCII string (known in O(1)) has no surrogate.
    return "\x00" in text or (not text.isascii() and _SURROGATE.search(text) is not None)


def _has_bad_text(value) -> bool:
    """The quick look for text_problems: most input has none."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            if _bad(item):
                return True
        elif type(item) is dict:
            for key, child in item.items():
                if _bad(key):
                    return True
                if type(child) is str:
                    if _bad(child):
                        return True
                elif type(child) is dict or type(child) is list:
                    stack.append(child)
        elif type(item) is list:
            stack.extend(item)
    return False


def text_problems(value) -> list[tuple[tuple, str]]:
    """Every place in ``value`` (decoded JSON) holding text that cannot be
    stored: (path of keys and list indexes, message). A bad key is reported
    at the object that holds it, so the key is never echoed back. Iterative."""
    if not _has_bad_text(value):
        return []
    problems = []
    stack = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            message = text_problem(item)
            if message:
                problems.append((path, message))
        elif isinstance(item, dict):
            for key, child in item.items():
                if text_problem(key):
                    problems.append((path, KEY_MESSAGE))
                else:
                    stack.append((path + (key,), child))
        elif isinstance(item, list):
            stack.extend((path + (index,), child) for index, child in enumerate(item))
    problems.reverse()
    return problems


def as_field_errors(problems: list[tuple[tuple, str]]) -> dict:
    """Problems as marshmallow-like field errors: nested by path, a list of
    messages at each leaf; problems of the whole object under ``_schema``."""
    errors: dict = {}
    for path, message in problems:
        node = errors
        for step in path[:-1]:
            child = node.get(step)
            if not isinstance(child, dict):
                child = node[step] = {}
            node = child
        leaf = path[-1] if path else "_schema"
        if isinstance(node.get(leaf), dict):
            node = node[leaf]
            leaf = "_schema"
        messages = node.setdefault(leaf, [])
        if message not in messages:
            messages.append(message)
    return errors


# -- reading a request ----------------------------------------------------


def _not_a_json_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _parse(data: bytes):
    try:
        return json.loads(data, parse_constant=_not_a_json_constant)
    except RecursionError:
        raise ApiError(400, DEPTH_MESSAGE, "malformed_json") from None
    except ValueError:  # also UnicodeDecodeError: bytes that are not UTF-8
        raise ApiError(400, NOT_JSON, "malformed_json") from None


def json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON (Content-Type: application/json).")
    data = _parse(request.get_data(cache=True))
    if too_deep(data, MAX_DEPTH):
        raise ApiError(400, DEPTH_MESSAGE, "malformed_json")
    if not isinstance(data, dict):
        raise ApiError(422, "The request body must be a JSON object.")
    return data


def _checked_elsewhere(schema: Schema) -> set[str]:
    """Keys of ``Raw`` fields (or lists of them): the schema takes them as
    they come, and what reads them checks them."""
    keys = set()
    for name, field in schema.fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if type(inner) is fields.Raw:
            keys.add(field.data_key or name)
    return keys


def storable_text_errors(schema: Schema, data: dict) -> dict:
    """Field errors for text in ``data`` that cannot be stored (app/json_checks.py)."""
    skip = _checked_elsewhere(schema)
    return as_field_errors([(path, message) for path, message in text_problems(data)
                            if not (path and path[0] in skip)])


def load(schema: Schema, data: dict | None = None) -> dict:
    data = json_body() if data is None else data
    bad_text = storable_text_errors(schema, data)
    if bad_text:
        raise ApiError(422, "Some fields are missing or invalid.", fields=bad_text)
    try:
        return schema.load(data)
    except ValidationError as err:
        raise ApiError(422, "Some fields are missing or invalid.", fields=err.messages) from None
