"""The clearance and expiry-warning rules (app/volunteers/compliance.py)."""
from datetime import date, timedelta

from app.volunteers.compliance import Check, expiry_warnings, is_cleared, missing_on

DAY = date(2026, 11, 25)


def all_four(expires_on=None, completed_on=date(2026, 1, 10)):
    return [Check(kind, completed_on, expires_on) for kind in
            ("dbs", "police_vetting", "safeguarding_training", "scheme_training")]


def test_cleared_with_all_four_checks_valid_on_the_day():
    assert is_cleared(all_four(), DAY)
    assert is_cleared(all_four(expires_on=DAY), DAY)  # the last day still counts


def test_a_missing_expired_or_future_check_is_not_cleared():
    assert missing_on(all_four()[1:], DAY) == ["dbs"]
    assert missing_on(all_four(expires_on=DAY - timedelta(days=1)), DAY) == [
        "dbs", "police_vetting", "safeguarding_training", "scheme_training"]
    assert not is_cleared(all_four(completed_on=DAY + timedelta(days=1)), DAY)


def test_warnings_at_60_30_and_7_days_soonest_first():
    checks = [Check("dbs", date(2024, 1, 1), DAY + timedelta(days=61)),
              Check("police_vetting", date(2024, 1, 1), DAY + timedelta(days=60)),
              Check("safeguarding_training", date(2024, 1, 1), DAY + timedelta(days=30)),
              Check("scheme_training", date(2024, 1, 1), DAY + timedelta(days=3))]
    assert [(w.kind, w.days_left, w.threshold) for w in expiry_warnings(checks, DAY)] == [
        ("scheme_training", 3, 7), ("safeguarding_training", 30, 30), ("police_vetting", 60, 60)]


def test_a_renewed_check_gives_no_warning_and_no_expiry_never_warns():
    checks = [Check("dbs", date(2023, 1, 1), DAY + timedelta(days=5)),
              Check("dbs", DAY - timedelta(days=2), DAY + timedelta(days=1000)),
              Check("scheme_training", date(2023, 1, 1), None)]
    assert expiry_warnings(checks, DAY) == []
