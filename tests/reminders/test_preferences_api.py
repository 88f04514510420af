"""GET/PUT /api/reminders/preferences: the field app's reminder settings."""
import pytest

from app.accounts.services import find_by_email
from app.reminders.services import preferences_of

DEFAULTS = {"enabled": True, "evening_time": "18:00", "minutes_before": 60, "time_zone": "Europe/London"}
GOOD = {"enabled": False, "evening_time": "19:30", "minutes_before": 15}


def put(client, body, csrf=True):
    headers = {"X-CSRF-Token": client.csrf} if csrf else {}
    return client.client.put("/api/reminders/preferences", json=body, headers=headers)


def test_defaults_until_set_then_what_was_set(api, demo, session):
    amira = api("amira@demo.test")
    assert amira.get("/api/reminders/preferences").get_json() == DEFAULTS
    response = put(amira, GOOD)
    assert response.status_code == 200
    assert response.get_json() == {**GOOD, "time_zone": "Europe/London"}
    assert amira.get("/api/reminders/preferences").get_json() == {**GOOD, "time_zone": "Europe/London"}
    assert api("ben@demo.test").get("/api/reminders/preferences").get_json() == DEFAULTS  # each person their own
    user = find_by_email(session, "amira@demo.test")
    prefs = preferences_of(session, user.id)
    assert (prefs.enabled, prefs.evening_time.strftime("%H:%M"), prefs.minutes_before) == (False, "19:30", 15)


@pytest.mark.parametrize("field, value", [
    ("minutes_before", 4), ("minutes_before", 1441), ("minutes_before", "60"), ("minutes_before", 60.5),
    ("minutes_before", None), ("evening_time", "25:00"), ("evening_time", "18:60"), ("evening_time", "6pm"),
    ("evening_time", "18:00:00"), ("evening_time", "8:00"), ("evening_time", "\u0661\u0668:00"), ("evening_time", " 18:00"), ("evening_time", 1800), ("enabled", "yes"), ("enabled", 1),
])
def test_bad_values_are_refused_with_field_messages_and_nothing_written(api, demo, field, value):
    amira = api("amira@demo.test")
    response = put(amira, {**GOOD, field: value})
    assert response.status_code == 422, (field, value)
    assert field in response.get_json()["error"]["fields"]
    assert amira.get("/api/reminders/preferences").get_json() == DEFAULTS


def test_missing_and_unknown_fields_are_refused(api, demo):
    amira = api("amira@demo.test")
    missing = put(amira, {"enabled": True})
    assert missing.status_code == 422
    assert {"evening_time", "minutes_before"} <= set(missing.get_json()["error"]["fields"])
    assert put(amira, {**GOOD, "client_name": "x"}).status_code == 422


def test_limits_are_accepted(api, demo):
    amira = api("amira@demo.test")
    assert put(amira, {**GOOD, "minutes_before": 5, "evening_time": "00:00"}).status_code == 200
    assert put(amira, {**GOOD, "minutes_before": 1440, "evening_time": "23:59"}).status_code == 200


def test_preferences_need_sign_in_and_the_csrf_header(api, demo, client):
    assert client.get("/api/reminders/preferences").status_code == 401
    amira = api("amira@demo.test")
    assert put(amira, GOOD, csrf=False).status_code in (400, 403)
    assert amira.get("/api/reminders/preferences").get_json() == DEFAULTS
