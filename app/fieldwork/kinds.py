"""What mentors record on their phones, as the sync engine knows it: visits,
GROW goals, progress on them, SARA problems and safeguarding concerns.

Each hangs off a client (its owner, see app/scope.py); progress takes its
client from its goal. Rules across fields are checked on the record as it
would become.
"""
from __future__ import annotations

from datetime import datetime

from marshmallow import fields, validate

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
from app.sync.kinds import (
    LONG_TEXT,
    IsoDate,
    Kind,
    KindSchema,
    OffsetDateTime,
    UuidString,
    register_kind,
    required_text,
    text,
)


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
    start, end = data.get("checked_in_at"), data.get("checked_out_at")
    if start and end and datetime.fromisoformat(end) < datetime.fromisoformat(start):
        return {"checked_out_at": ["Check-out must be after check-in."]}
    return {}


def visit_columns(data: dict) -> dict:
    """The instant of the planned start, for ordering and reminders."""
    if "scheduled_start" in data:
        return {"scheduled_start_at": datetime.fromisoformat(data["scheduled_start"])}
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


VISIT = register_kind(Kind(
    "visit", Visit,
    ("client_id", "scheduled_start", "duration_minutes", "actual_minutes", "location", "status", "notes",
     "checked_in_at", "checked_out_at"),
    owner="client", owner_field="client_id",
    schema=VisitFields(), required=("client_id", "scheduled_start"), defaults={"status": "planned"},
    immutable=("client_id",), problems=visit_problems, derived=visit_columns,
))
GOAL = register_kind(Kind(
    "goal", Goal, ("client_id", "title", "reality", "options", "will", "status", "target_date"),
    owner="client", owner_field="client_id",
    schema=GoalFields(), required=("client_id", "title"), defaults={"status": "active"}, immutable=("client_id",),
))
PROGRESS = register_kind(Kind(
    "progress", Progress, ("client_id", "goal_id", "visit_id", "score", "note", "recorded_at"),
    owner="client", owner_field="client_id",
    schema=ProgressFields(), required=("goal_id",), immutable=("goal_id",), stamped=("recorded_at",),
    references={"goal_id": "goal", "visit_id": "visit"}, owner_from="goal_id",
))
PROBLEM = register_kind(Kind(
    "problem", Problem, ("client_id", "scanning", "analysis", "response", "assessment"),
    owner="client", owner_field="client_id",
    schema=ProblemFields(), required=("client_id",), immutable=("client_id",),
))
# acknowledged_at is read-only on phones: set by the office
# (app/safeguarding/services.py), never in ConcernFields.
CONCERN = register_kind(Kind(
    "concern", Concern, ("client_id", "visit_id", "category", "details", "urgency", "acknowledged_at"),
    owner="client", owner_field="client_id",
    schema=ConcernFields(), required=("client_id", "category", "details"), defaults={"urgency": "normal"},
    references={"visit_id": "visit"},
    write_once="A safeguarding concern cannot be changed or deleted once raised; raise a new one or tell your coordinator.",
    create_scope="report",  # taken even from a pair whose checks have lapsed (app/scope.py)
))
