"""The Web Push subscription API the field app's settings and the office's
alerts use: the server's key, subscribe, unsubscribe, a test message."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask_login import current_user, login_required
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from app.api_input import load
from app.db import db
from app.errors import ApiError
from app.webpush import endpoints, keys, services

bp = Blueprint("webpush", __name__, url_prefix="/api")


def _allowed_endpoint(url: str) -> bool:
    """Only real Web Push services: the server will POST to this address."""
    return endpoints.endpoint_problem(url, current_app.config["WEBPUSH_SERVICE_HOSTS"],
                                      current_app.config["WEBPUSH_HTTP_HOSTS"]) is None


class Keys(Schema):
    class Meta:
        unknown = RAISE

    # Checked in full here (app/webpush/keys.py), so that no subscription is
    # kept that a message could never be encrypted to.
    p256dh = fields.String(required=True, validate=validate.Length(max=200))
    auth = fields.String(required=True, validate=validate.Length(max=100))

    @validates("p256dh")
    def _p256dh(self, value, **kwargs):
        if keys.p256dh_problem(value):
            raise ValidationError(keys.P256DH_MESSAGE)

    @validates("auth")
    def _auth(self, value, **kwargs):
        if keys.auth_problem(value):
            raise ValidationError(keys.AUTH_MESSAGE)


class SubscriptionIn(Schema):
    class Meta:
        unknown = RAISE

    endpoint = fields.String(required=True, validate=validate.Length(max=2000))
    keys = fields.Nested(Keys, required=True)
    expirationTime = fields.Raw(allow_none=True, load_default=None)  # sent by PushSubscription.toJSON()

    @validates("endpoint")
    def _endpoint(self, value, **kwargs):
        if not _allowed_endpoint(value):
            raise ValidationError(endpoints.NOT_A_SERVICE)


class EndpointIn(Schema):
    class Meta:
        unknown = RAISE

    endpoint = fields.String(required=True, validate=validate.Length(max=2000))


@bp.get("/webpush/key")
@login_required
def public_key():
    return jsonify({"public_key": current_app.extensions["vapid"]["public_key"]})


@bp.post("/webpush/subscriptions")
@login_required
def subscribe():
    data = load(SubscriptionIn())
    services.subscribe(db.session, current_user, data["endpoint"], data["keys"]["p256dh"], data["keys"]["auth"])
    db.session.commit()
    return jsonify({"subscribed": True}), 201


@bp.delete("/webpush/subscriptions")
@login_required
def unsubscribe():
    data = load(EndpointIn())
    services.unsubscribe(db.session, current_user, data["endpoint"])
    db.session.commit()
    return "", 204


@bp.post("/webpush/test")
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
