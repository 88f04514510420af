"""The kinds of record that sync, their fields, and how each is validated.

Field values travel and are compared in their JSON form: UUIDs and dates as
strings, date-times as ISO 8601 strings with the offset the person entered.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from sqlalchemy import Date, Uuid

from app.clients.models import Client
from app.fieldwork.models import (
    CONCERN_CATEGORIES,
    CONCERN_URGENCIES,
    GOAL_STATUSES,
    VISIT_STATUSES,
    Concern,
    Goal,
    Problem,
    Progress,
    Visit,
)

LONG_TEXT = 20_000
# Dates people enter in the field; anything outside is a slip of the finger.
MIN_YEAR, MAX_YEAR = 2000, 2100


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
    class Meta:
        unknown = RAISE


class VisitFields(KindSchema):
    client_id = UuidString()
    scheduled_start = OffsetDateTime()
    duration_minutes = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=24 * 60))  # planned
    actual_minutes = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=24 * 60))
    location = text(300)
    status = fields.String(validate=validate.OneOf(VISIT_STATUSES))
    notes = text()
    checked_in_at = OffsetDateTime(allow_none=True)
    checked_out_at = OffsetDateTime(allow_none=True)


def visit_problems(data: dict) -> dict:
    """Rules across fields, checked on the record as it would become."""
    start, end = data.get("checked_in_at"), data.get("checked_out_at")
    if start and end and datetime.fromisoformat(end) < datetime.fromisoformat(start):
        return {"checked_out_at": ["Check-out must be after check-in."]}
    return {}


class GoalFields(KindSchema):
    client_id = UuidString()
    title = required_text(300)
    reality = text()
    options = text()
    will = text()
    status = fields.String(validate=validate.OneOf(GOAL_STATUSES))
    target_date = IsoDate(allow_none=True)


class ProgressFields(KindSchema):
    goal_id = UuidString()
    visit_id = UuidString(allow_none=True)
    score = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=10))
    note = text()
    recorded_at = OffsetDateTime()


class ProblemFields(KindSchema):
    client_id = UuidString()
    scanning = text()
    analysis = text()
    response = text()
    assessment = text()


class ConcernFields(KindSchema):
    client_id = UuidString()
    visit_id = UuidString(allow_none=True)
    category = fields.String(validate=validate.OneOf(CONCERN_CATEGORIES))
    details = required_text(LONG_TEXT)
    urgency = fields.String(validate=validate.OneOf(CONCERN_URGENCIES))


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    fields: tuple[str, ...]  # what a phone sees in ``data``
    schema: Schema | None = None  # None: read-only on phones
    required: tuple[str, ...] = ()  # needed on create
    defaults: dict = field(default_factory=dict)  # set on create when not given
    immutable: tuple[str, ...] = ()  # fixed once created
    write_once: bool = False  # phones may create, never change or delete
    problems: object = None  # data -> {field: [messages]} for rules across fields
    stamped: tuple[str, ...] = ()  # set on create to the server's time when not given

    @property
    def table(self):
        return self.model.__table__

    @property
    def phone_writable(self) -> bool:
        return self.schema is not None


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("client", Client, ("name", "preferred_name", "phone", "address", "risks", "main_issues",
                                "desired_outcome", "status")),
        Kind("visit", Visit, ("client_id", "scheduled_start", "duration_minutes", "actual_minutes", "location",
                              "status", "notes", "checked_in_at", "checked_out_at"),
             VisitFields(), required=("client_id", "scheduled_start"), defaults={"status": "planned"},
             immutable=("client_id",), problems=visit_problems),
        Kind("goal", Goal, ("client_id", "title", "reality", "options", "will", "status", "target_date"),
             GoalFields(), required=("client_id", "title"), defaults={"status": "active"}, immutable=("client_id",)),
        Kind("progress", Progress, ("client_id", "goal_id", "visit_id", "score", "note", "recorded_at"),
             ProgressFields(), required=("goal_id",), immutable=("goal_id",), stamped=("recorded_at",)),
        Kind("problem", Problem, ("client_id", "scanning", "analysis", "response", "assessment"),
             ProblemFields(), required=("client_id",), immutable=("client_id",)),
        # acknowledged_at is read-only on phones: set by the office
        # (app/safeguarding/services.py), never in ConcernFields.
        Kind("concern", Concern, ("client_id", "visit_id", "category", "details", "urgency", "acknowledged_at"),
             ConcernFields(), required=("client_id", "category", "details"), defaults={"urgency": "normal"},
             write_once=True),
    )
}


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


def _converter(column_type):
    if isinstance(column_type, Uuid):
        return uuid.UUID
    if isinstance(column_type, Date):
        return date.fromisoformat
    return None


@lru_cache(maxsize=None)
def _converters(kind_name: str) -> dict:
    columns = KINDS[kind_name].table.c
    return {name: _converter(columns[name].type) for name in KINDS[kind_name].fields}


def column_values(kind: Kind, data: dict) -> dict:
    """JSON-form field values turned into column values, with derived columns."""
    converters = _converters(kind.name)
    out = {}
    for name, value in data.items():
        convert = converters[name]
        out[name] = convert(value) if convert is not None and value is not None else value
    if kind.name == "visit" and "scheduled_start" in data:
        out["scheduled_start_at"] = datetime.fromisoformat(data["scheduled_start"])
    return out
