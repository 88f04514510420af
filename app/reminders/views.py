"""The reminder-preferences API the field app's settings use (subscribing
to Web Push is app/webpush)."""
from __future__ import annotations

import re
from datetime import time

from flask import Blueprint, jsonify
from flask_login import current_user, login_required
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.api_input import load
from app.db import db
from app.reminders import services
from app.reminders.schedule import MAX_MINUTES_BEFORE, MIN_MINUTES_BEFORE

bp = Blueprint("reminders", __name__, url_prefix="/api")


class EveningTime(fields.String):
    """"HH:MM", 24-hour, London time."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if not re.fullmatch(r"[0-9]{2}:[0-9]{2}", text):
                raise ValueError
            return time(int(text[:2]), int(text[3:]))
        except ValueError:
            raise ValidationError("Give a time of day as HH:MM, for example 18:00.") from None


class JsonBoolean(fields.Boolean):
    """true or false only: not "yes", 1 or "true"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Give true or false.")
        return value


class PreferencesIn(Schema):
    class Meta:
        unknown = RAISE

    enabled = JsonBoolean(required=True)
    evening_time = EveningTime(required=True)
    minutes_before = fields.Integer(
        required=True, strict=True,
        validate=validate.Range(min=MIN_MINUTES_BEFORE, max=MAX_MINUTES_BEFORE,
                                error="Between {min} and {max} minutes before the visit."),
    )


def _preferences_json(prefs) -> dict:
    return {"enabled": prefs.enabled, "evening_time": prefs.evening_time.strftime("%H:%M"),
            "minutes_before": prefs.minutes_before, "time_zone": "Europe/London"}


@bp.get("/reminders/preferences")
@login_required
def get_preferences():
    return jsonify(_preferences_json(services.preferences_of(db.session, current_user.id)))


@bp.put("/reminders/preferences")
@login_required
def put_preferences():
    data = load(PreferencesIn())
    prefs = services.set_preferences(db.session, current_user, **data)
    db.session.commit()
    return jsonify(_preferences_json(prefs))
