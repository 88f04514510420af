"""The outcome rules against figures worked out by hand (docs/domain.md, "Outcomes")."""
from datetime import date
from decimal import Decimal

import pytest

from app.outcomes import rules


def test_the_headline_reduction_is_of_summed_demand_over_the_clients_it_covers():
    # Three clients with both periods complete: B before, A after.
    # Sums: B = 40 + 10 + 0 = 50, A = 4 + 6 + 2 = 12; 100 x (50 - 12) / 50 = 76.0
    figure = rules.reduction([(40, 4), (10, 6), (0, 2)])
    assert figure == rules.Reduction(Decimal("76.0"), 3, 50, 12)


def test_the_seeds_figure_shape_and_rounding():
    # 397 clients, B 1,000 and A 190 in all: 81.0%
    pairs = [(1000, 190)] + [(0, 0)] * 396
    assert rules.reduction(pairs) == rules.Reduction(Decimal("81.0"), 397, 1000, 190)
    assert rules.reduction([(3, 1)]).percent == Decimal("66.7")  # 66.666... half up
    assert rules.reduction([(8, 1)]).percent == Decimal("87.5")


def test_a_client_with_no_demand_before_has_no_percentage_and_growth_is_negative():
    assert rules.reduction([(0, 3)]).percent is None
    assert rules.reduction([]).percent is None and rules.reduction([]).clients == 0
    assert rules.reduction([(4, 6)]).percent == Decimal("-50.0")


def test_windows_around_a_case():
    w = rules.windows(date(2026, 3, 31), date(2026, 8, 31))
    assert w["before_12_to_7"] == rules.Window(date(2025, 3, 31), date(2025, 9, 29))
    assert w["before_6"] == rules.Window(date(2025, 9, 30), date(2026, 3, 30))
    assert w["during"] == rules.Window(date(2026, 3, 31), date(2026, 8, 31))
    assert w["after_6"] == rules.Window(date(2026, 9, 1), date(2027, 2, 28))  # no 31 Feb
    assert set(rules.windows(date(2026, 3, 31), None)) == {"before_12_to_7", "before_6"}  # open case


def test_months_add_to_the_last_day_of_a_shorter_month():
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert rules.add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)


def test_a_period_is_complete_only_when_every_day_is_covered():
    window = rules.Window(date(2026, 1, 1), date(2026, 6, 30))
    assert rules.covered(window, [(date(2026, 1, 1), date(2026, 6, 30))])
    assert rules.covered(window, [(date(2026, 4, 1), date(2026, 6, 30)), (date(2026, 1, 1), date(2026, 3, 31))])
    assert not rules.covered(window, [(date(2026, 1, 1), date(2026, 3, 30)), (date(2026, 4, 1), date(2026, 6, 30))])
    assert not rules.covered(window, [(date(2026, 1, 2), date(2026, 6, 30))])
    assert not rules.covered(window, [])


def test_overlapping_spans_are_found():
    spans = [(date(2026, 1, 1), date(2026, 3, 31))]
    assert rules.overlaps(date(2026, 3, 31), date(2026, 4, 30), spans)
    assert not rules.overlaps(date(2026, 4, 1), date(2026, 4, 30), spans)


@pytest.mark.parametrize("raw, metric", [(7, "7.00"), (8, "9.51"), (21, "19.25"), (28, "25.03"), (35, "35.00")])
def test_swemwbs_metric_scores_from_the_published_table(raw, metric):
    answers = [1] * 7
    for i in range(raw - 7):
        answers[i % 7] += 1
    assert rules.swemwbs_scores(answers) == (raw, Decimal(metric))


def test_the_conversion_table_is_whole_and_rising():
    values = [Decimal(rules.SWEMWBS_METRIC[raw]) for raw in range(7, 36)]
    assert len(values) == 29 and values == sorted(values) and len(set(values)) == 29


@pytest.mark.parametrize("answers, problem", [
    ([3] * 6, "Answer all 7 questions."),
    ([3] * 8, "Answer all 7 questions."),
    ("3333333", "Answer all 7 questions."),
    ([3, 3, 3, 0, 3, 3, 3], "Question 4: choose an answer from 1"),
    ([3, 3, 3, 3, 3, 3, 6], "Question 7: choose an answer from 1"),
    ([3, 3, 3, 3, 3, True, 3], "Question 6: choose an answer from 1"),
    ([3, 3, 2.5, 3, 3, 3, 3], "Question 3: choose an answer from 1"),
    ([3, 3, None, 3, 3, 3, 3], "Question 3: choose an answer from 1"),
])
def test_swemwbs_refuses_incomplete_or_out_of_range_answers(answers, problem):
    assert any(p.startswith(problem) for p in rules.swemwbs_problems(answers))
    with pytest.raises(ValueError):
        rules.swemwbs_scores(answers)


def test_swemwbs_is_due_at_the_start_then_every_three_months():
    assert rules.swemwbs_next_due(date(2026, 1, 10), None) == date(2026, 1, 10)
    assert rules.swemwbs_next_due(date(2026, 1, 10), date(2026, 11, 30)) == date(2027, 2, 28)
