"""The push and reminder-preferences API the field app's settings use."""
from __future__ import annotations

import re
from datetime import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify
from flask_login import current_user, login_required
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from app.api_input import load
from app.db import db
from app.errors import ApiError
from app.reminders import services
from app.reminders.schedule import MAX_MINUTES_BEFORE, MIN_MINUTES_BEFORE

bp = Blueprint("reminders", __name__, url_prefix="/api")


def _allowed_endpoint(url: str) -> bool:
    """Only real push services: the server will POST to this address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = current_app.config["PUSH_SERVICE_HOSTS"]
    if parts.scheme != "https" and not (parts.scheme == "http" and host in current_app.config["PUSH_HTTP_HOSTS"]):
        return False
    return any(host == suffix or host.endswith("." + suffix) for suffix in allowed)


class Keys(Schema):
    class Meta:
        unknown = RAISE

    p256dh = fields.String(required=True, validate=validate.Length(min=80, max=200))
    auth = fields.String(required=True, validate=validate.Length(min=16, max=100))


class SubscriptionIn(Schema):
    class Meta:
        unknown = RAISE

    endpoint = fields.String(required=True, validate=validate.Length(max=2000))
    keys = fields.Nested(Keys, required=True)
    expirationTime = fields.Raw(allow_none=True, load_default=None)  # sent by PushSubscription.toJSON()

    @validates("endpoint")
    def _endpoint(self, value, **kwargs):
        if not _allowed_endpoint(value):
            raise ValidationError("This is not the address of a known push service.")


class EndpointIn(Schema):
    class Meta:
        unknown = RAISE

    endpoint = fields.String(required=True, validate=validate.Length(max=2000))


@bp.get("/push/key")
@login_required
def public_key():
    return jsonify({"public_key": current_app.extensions["vapid"]["public_key"]})


@bp.post("/push/subscriptions")
@login_required
def subscribe():
    data = load(SubscriptionIn())
    services.subscribe(db.session, current_user, data["endpoint"], data["keys"]["p256dh"], data["keys"]["auth"])
    db.session.commit()
    return jsonify({"subscribed": True}), 201


@bp.delete("/push/subscriptions")
@login_required
def unsubscribe():
    data = load(EndpointIn())
    services.unsubscribe(db.session, current_user, data["endpoint"])
    db.session.commit()
    return "", 204


@bp.post("/push/test")
@login_required
def send_test():
    if not services.subscriptions_of(db.session, current_user):
        raise ApiError(404, "Reminders are not turned on for this account.", "not_subscribed")
    outcome = services.send_to_user(
        db.session, current_user, services.TEST_MESSAGE,
        vapid_key=current_app.extensions["vapid"]["key"], subject=current_app.config["VAPID_SUBJECT"], ttl=15 * 60,
    )
    db.session.commit()
    return jsonify(outcome)


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
