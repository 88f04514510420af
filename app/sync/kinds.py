"""A kind of synced record, as a feature declares it, and the registry of kinds.

The engine knows no feature: each feature package declares its kinds (the
fields phones see, how they are validated, the rules across fields and who
owns a record) in its own ``kinds.py`` and registers them; app/kinds.py
imports them all. See docs/architecture.md, "Adding a kind".

Field values travel and are compared in their JSON form: UUIDs and dates as
strings, date-times as ISO 8601 strings with the offset the person entered.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from sqlalchemy import Date, Uuid

LONG_TEXT = 20_000
# Dates people enter in the field; anything outside is a slip of the finger.
MIN_YEAR, MAX_YEAR = 2000, 2100


# -- field types features build their schemas from -------------------------
class OffsetDateTime(fields.String):
    """ISO 8601 date-time that must carry its UTC offset; kept as entered."""

    default_error_messages = {
        "offset": "Give a date and time with its UTC offset, like 2026-11-25T14:30:00+00:00.",
        "range": f"Give a date between {MIN_YEAR} and {MAX_YEAR}.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise self.make_error("offset") from None
        if parsed.tzinfo is None:
            raise self.make_error("offset")
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise self.make_error("range")
        return parsed.isoformat()


class IsoDate(fields.Date):
    default_error_messages = {"range": f"Give a date between {MIN_YEAR} and {MAX_YEAR}."}

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise self.make_error("range")
        return parsed.isoformat()


class UuidString(fields.UUID):
    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


def text(max_length=LONG_TEXT, **kw):
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), **kw)


def required_text(max_length):
    return fields.String(validate=validate.Length(min=1, max=max_length))


class KindSchema(Schema):
    """The phone-writable fields of a kind; unknown fields are refused."""

    class Meta:
        unknown = RAISE


# -- a kind ------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    fields: tuple[str, ...]  # what a phone sees in ``data``
    # Who owns a record (an owner type registered in app/sync/owners.py) and
    # the column that holds the owner's id ("id" when the record is the owner).
    owner: str
    owner_field: str
    schema: Schema | None = None  # None: read-only on phones
    required: tuple[str, ...] = ()  # needed on create
    defaults: dict = field(default_factory=dict)  # set on create when not given
    immutable: tuple[str, ...] = ()  # fixed once created
    stamped: tuple[str, ...] = ()  # set on create to the server's time when not given
    problems: Callable[[dict], dict] | None = None  # data -> {field: [messages]}, rules across fields
    # field -> kind of the record it names: that record must exist, be in
    # scope, not be deleted, and have the same owner when it has the same
    # type of owner (a volunteer's journey may name a visit to a client).
    references: Mapping[str, str] = field(default_factory=dict)
    owner_from: str | None = None  # a reference whose record's owner this record takes (set by the server)
    owned_by_author: bool = False  # the owner is the user who creates it (set by the server)
    derived: Callable[[dict], dict] | None = None  # JSON-form data -> values of columns phones never see
    write_once: str | None = None  # phones may create, never change or delete; the message saying so
    # Creates are checked against this scope of the owner type instead of the
    # usual one (OwnerType.extra_scopes): a safeguarding concern is taken from
    # a pair that can no longer see its client.
    create_scope: str | None = None
    # (before, after, referenced) -> {field: [messages]}: a feature's rule on a
    # change as a whole, with the records the kind references (their data, or
    # None); ``before`` is None for a create, ``after`` None for a delete.
    # For workflow and locks, such as a submitted claim that may not change.
    guard: Callable[[dict | None, dict | None, dict], dict] | None = None
    # (session, ids of the owners whose records of this kind a push changed),
    # run in the push's transaction after it wrote them: for values worked out
    # on the server across records (take change numbers with changes.stamp).
    after_write: Callable[[object, set], None] | None = None
    read_only: str = "These records are changed in the office, not from the field app."

    @property
    def table(self):
        return self.model.__table__

    @property
    def phone_writable(self) -> bool:
        return self.schema is not None


# -- the registry ------------------------------------------------------------
KINDS: dict[str, Kind] = {}  # in the order they were registered


def register_kind(kind: Kind) -> Kind:
    """Make ``kind`` known to the engine (once; registering it again is a no-op)."""
    existing = KINDS.get(kind.name)
    if existing is not None and existing is not kind:
        raise ValueError(f"A different kind {kind.name!r} is already registered.")
    KINDS[kind.name] = kind
    _converters.cache_clear()
    return kind


def is_kind(name) -> bool:
    return name in KINDS


# -- values ------------------------------------------------------------------
def checked_fields(kind: Kind, changes: dict) -> dict:
    """Validate and normalise phone-sent field values (a partial record).

    Each field is checked by its own marshmallow field, which is the bulk of
    a push's cost done the cheap way; anything odd goes through the whole
    schema, which has the last word and the messages.
    """
    known = kind.schema.fields
    if changes.keys() <= known.keys():
        try:
            return {name: known[name].deserialize(value, name, changes) for name, value in changes.items()}
        except ValidationError:
            pass  # the whole schema below gives the messages
    return kind.schema.load(changes, partial=True)


def json_value(value):
    """A column value in its JSON form."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def data_of(kind: Kind, row) -> dict:
    """The phone-facing fields of a row (an ORM object or a row mapping)."""
    get = row.__getitem__ if hasattr(row, "keys") else lambda name: getattr(row, name)
    return {name: json_value(get(name)) for name in kind.fields}


def owner_of(kind: Kind, row) -> uuid.UUID:
    """The id of a row's owner (a row mapping)."""
    return row[kind.owner_field]


def _converter(column_type):
    if isinstance(column_type, Uuid):
        return uuid.UUID
    if isinstance(column_type, Date):
        return date.fromisoformat
    return None


@lru_cache(maxsize=None)
def _converters(kind_name: str) -> dict:
    kind = KINDS[kind_name]
    columns = kind.table.c
    return {name: _converter(columns[name].type) for name in kind.fields}


def column_values(kind: Kind, data: dict) -> dict:
    """JSON-form field values turned into column values, with derived columns."""
    converters = _converters(kind.name)
    out = {}
    for name, value in data.items():
        convert = converters[name]
        out[name] = convert(value) if convert is not None and value is not None else value
    if kind.derived is not None:
        out.update(kind.derived(data))
    return out
