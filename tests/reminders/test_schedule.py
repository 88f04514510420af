"""The pure scheduling rules of visit reminders, on fixed clocks, right
across the March and October clock changes (Europe/London)."""
import ast
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from app.reminders import schedule
from app.reminders.schedule import EVENING, SOON, Preferences, due_now, local_datetime, reminders_for

UTC = timezone.utc
BST = timezone(timedelta(hours=1))
VISIT = "0b6c3f9e-0000-4000-8000-000000000001"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def by_kind(reminders):
    return {r.kind: r for r in reminders}


def test_an_ordinary_winter_visit():
    r = by_kind(reminders_for(VISIT, utc(2026, 1, 14, 14, 0)))  # 14:00 GMT
    assert r[EVENING].due_at == utc(2026, 1, 13, 18, 0)
    assert r[SOON].due_at == utc(2026, 1, 14, 13, 0)
    assert r[EVENING].payload["body"] == "Visit at 14:00 tomorrow - open the app for details"
    assert r[SOON].payload["body"] == "Visit at 14:00 in 60 minutes - open the app for details"
    assert r[SOON].payload["title"] == "Visit reminder" and r[SOON].payload["url"] == f"/#/visit/{VISIT}"


def test_a_summer_visit_is_reminded_in_local_time():
    # 14:00 BST is 13:00 UTC; the evening before at 18:00 BST is 17:00 UTC.
    r = by_kind(reminders_for(VISIT, datetime(2026, 7, 15, 14, 0, tzinfo=BST)))
    assert r[EVENING].due_at == utc(2026, 7, 14, 17, 0)
    assert r[SOON].due_at == utc(2026, 7, 15, 12, 0)
    assert "Visit at 14:00" in r[SOON].payload["body"]
    # The same instant given in UTC says the same local time.
    assert by_kind(reminders_for(VISIT, utc(2026, 7, 15, 13, 0)))[SOON].payload == r[SOON].payload


def test_visit_on_the_sunday_the_clocks_go_forward():
    # 29 March 2026: 01:00 GMT becomes 02:00 BST. 09:00 BST is 08:00 UTC.
    start = datetime(2026, 3, 29, 9, 0, tzinfo=BST)
    r = by_kind(reminders_for(VISIT, start))
    assert r[EVENING].due_at == utc(2026, 3, 28, 18, 0)  # 18:00 GMT on the Saturday
    assert r[SOON].due_at == utc(2026, 3, 29, 7, 0)  # 08:00 BST, an hour before in real time
    assert "Visit at 09:00 tomorrow" in r[EVENING].payload["body"]


def test_visit_on_the_monday_after_the_clocks_go_forward():
    r = by_kind(reminders_for(VISIT, datetime(2026, 3, 30, 10, 0, tzinfo=BST)))
    assert r[EVENING].due_at == utc(2026, 3, 29, 17, 0)  # 18:00 BST on the Sunday


def test_visit_the_soon_reminder_of_which_spans_the_skipped_hour():
    # 02:30 BST on 29 March is 01:30 UTC; 60 real minutes before is 00:30 UTC (00:30 GMT).
    r = by_kind(reminders_for(VISIT, datetime(2026, 3, 29, 2, 30, tzinfo=BST)))
    assert r[SOON].due_at == utc(2026, 3, 29, 0, 30)
    assert "Visit at 02:30 in 60 minutes" in r[SOON].payload["body"]


def test_an_evening_time_in_the_skipped_hour_is_sent_once_as_if_the_clock_had_not_jumped():
    # Visit on Monday 30 March; the day before is the Sunday with no 01:00-02:00.
    prefs = Preferences(evening_time=time(1, 30))
    r = by_kind(reminders_for(VISIT, datetime(2026, 3, 30, 10, 0, tzinfo=BST), prefs))
    assert r[EVENING].due_at == utc(2026, 3, 29, 1, 30)  # = 02:30 BST, just after the jump
    assert r[EVENING].due_at.astimezone(schedule.LONDON).hour == 2
    # As on the clock before the jump: an hour after 00:30 GMT.
    day = datetime(2026, 3, 29).date()
    assert local_datetime(day, time(1, 30)) - local_datetime(day, time(0, 30)) == timedelta(hours=1)


@pytest.mark.parametrize("start, local", [
    (datetime(2026, 10, 25, 1, 30, tzinfo=BST), "first 01:30 (BST)"),
    (utc(2026, 10, 25, 1, 30), "second 01:30 (GMT)"),
])
def test_visit_at_half_past_one_on_the_october_sunday_that_occurs_twice(start, local):
    # 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice.
    r = by_kind(reminders_for(VISIT, start))
    assert r[EVENING].due_at == utc(2026, 10, 24, 17, 0), local  # 18:00 BST on the Saturday
    assert r[SOON].due_at == start - timedelta(minutes=60), local  # real elapsed time
    assert "Visit at 01:30 in 60 minutes" in r[SOON].payload["body"], local
    assert "Visit at 01:30 tomorrow" in r[EVENING].payload["body"], local


def test_visit_on_the_monday_after_the_clocks_go_back():
    r = by_kind(reminders_for(VISIT, utc(2026, 10, 26, 9, 0)))
    assert r[EVENING].due_at == utc(2026, 10, 25, 18, 0)  # 18:00 GMT on the Sunday


def test_an_evening_time_that_occurs_twice_means_the_first():
    prefs = Preferences(evening_time=time(1, 30))
    r = by_kind(reminders_for(VISIT, utc(2026, 10, 26, 9, 0), prefs))
    assert r[EVENING].due_at == utc(2026, 10, 25, 0, 30)  # 01:30 BST, not 01:30 GMT an hour later


def test_preferences_off_means_no_reminders_and_minutes_before_are_honoured():
    start = utc(2026, 1, 14, 14, 0)
    assert reminders_for(VISIT, start, Preferences(enabled=False)) == []
    r = by_kind(reminders_for(VISIT, start, Preferences(evening_time=time(20, 15), minutes_before=15)))
    assert r[EVENING].due_at == utc(2026, 1, 13, 20, 15)
    assert r[SOON].due_at == utc(2026, 1, 14, 13, 45)
    assert "in 15 minutes" in r[SOON].payload["body"]
    assert "in 2 hours" in by_kind(reminders_for(VISIT, start, Preferences(minutes_before=120)))[SOON].payload["body"]


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError):
        reminders_for(VISIT, datetime(2026, 1, 14, 14, 0))


def test_what_is_due_on_a_fixed_clock():
    start = utc(2026, 1, 14, 14, 0)
    prefs = Preferences()
    assert due_now(VISIT, start, prefs, utc(2026, 1, 13, 17, 59)) == []
    assert [r.kind for r in due_now(VISIT, start, prefs, utc(2026, 1, 13, 18, 0))] == [EVENING]
    assert [r.kind for r in due_now(VISIT, start, prefs, utc(2026, 1, 13, 21, 0))] == [EVENING]
    # More than three hours late, an evening reminder is no longer sent.
    assert due_now(VISIT, start, prefs, utc(2026, 1, 13, 21, 1)) == []
    assert [r.kind for r in due_now(VISIT, start, prefs, utc(2026, 1, 14, 13, 0))] == [SOON]
    assert [r.kind for r in due_now(VISIT, start, prefs, utc(2026, 1, 14, 13, 59))] == [SOON]
    # Once the visit has started, nothing.
    assert due_now(VISIT, start, prefs, utc(2026, 1, 14, 14, 0)) == []


def test_payloads_carry_no_personal_data():
    [evening, soon] = reminders_for(VISIT, utc(2026, 1, 14, 14, 0))
    for reminder in (evening, soon):
        assert set(reminder.payload) == {"type", "kind", "tag", "title", "body", "url"}


def test_the_rules_import_no_flask_and_no_sqlalchemy():
    tree = ast.parse(Path(schedule.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"flask", "sqlalchemy", "app"}
