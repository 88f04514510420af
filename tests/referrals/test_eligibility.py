"""The pure eligibility rules (app/referrals/eligibility.py)."""
from datetime import date

import pytest

from app.referrals import eligibility as e


@pytest.mark.parametrize("born, on, age", [
    (date(2000, 5, 10), date(2018, 5, 9), 17),
    (date(2000, 5, 10), date(2018, 5, 10), 18),
    (date(2000, 2, 29), date(2018, 2, 28), 17),
    (date(2000, 2, 29), date(2018, 3, 1), 18),
    (date(1950, 1, 1), date(2026, 12, 31), 76),
])
def test_age_on_the_date_received(born, on, age):
    assert e.age_on(born, on) == age


def flags(**kw):
    base = dict(age=40, high_impact_user=False, social_isolation=False, anxiety=False, will_to_change=None,
                will_note=None, consent_given=True)
    return {c.key: c for c in e.checklist(**{**base, **kw})}


def test_age_criterion():
    assert flags(age=18)["age"].met is True
    under = flags(age=17)["age"]
    assert under.met is False and "under 18" in under.note
    assert flags(age=None)["age"].met is None


def test_need_is_any_of_high_impact_isolation_or_anxiety():
    assert flags()["need"].met is False
    assert flags(high_impact_user=True)["need"].met is True
    assert flags(social_isolation=True)["need"].met is True
    anxious = flags(anxiety=True)["need"]
    assert anxious.met is True and "anxiety" in anxious.note


def test_will_to_change_is_the_coordinators_judgement():
    assert flags()["will"].met is None
    judged = flags(will_to_change=True, will_note="Rang and keen to start.")["will"]
    assert judged.met is True and judged.note == "Rang and keen to start."
    assert flags(will_to_change=False)["will"].met is False


def test_consent():
    assert flags(consent_given=True)["consent"].met is True
    assert flags(consent_given=False)["consent"].met is False


def test_accepting_under_18_or_unknown_age_needs_a_reason():
    assert e.accept_problem(18, None) is None
    assert "under 18" in e.accept_problem(17, "")
    assert e.accept_problem(17, "Turns 18 next week; agreed with the manager.") is None
    assert "not known" in e.accept_problem(None, "  ")
    assert e.accept_problem(None, "Referrer confirmed an adult by phone.") is None


def test_names_compare_without_case_or_spaces():
    assert e.normalise_name("  Mary  Ann SMITH ") == e.normalise_name("maryann smith")
    assert e.normalise_name("Mary Smith") != e.normalise_name("Mary Smyth")
