"""The server-drawn bar charts (app/dashboard/charts.py)."""
from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from app.dashboard.charts import BAR, BAR_COLOUR, GAP, LABEL_CHARACTERS, LINE, VALUE_ROOM, WIDTH, Bar, bar_chart


def widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]


def test_a_chart_is_an_image_named_by_its_title_and_description():
    svg = bar_chart("goals", "Goals set & achieved", "5 set, 2 achieved.", [Bar("Set", 5, "5")])
    assert svg.startswith('<svg class="chart" id="goals" role="img" aria-labelledby="goals-title" '
                          'aria-describedby="goals-desc"')
    assert '<title id="goals-title">Goals set &amp; achieved</title>' in svg
    assert '<desc id="goals-desc">5 set, 2 achieved.</desc>' in svg
    assert "<script" not in svg


def test_bars_are_in_proportion_to_their_values_and_the_longest_leaves_room_for_its_value():
    svg = bar_chart("c", "t", "d", [Bar("Before", 40, "40"), Bar("After", 10, "10"), Bar("Mean", Decimal("20.5"), "20.5")])
    assert widths(svg) == [WIDTH - VALUE_ROOM, (WIDTH - VALUE_ROOM) / 4, round((WIDTH - VALUE_ROOM) * 20.5 / 40, 1)]
    assert re.findall(r'class="chart-value"[^>]*>([^<]+)<', svg) == ["40", "10", "20.5"]
    assert svg.count(f'fill="{BAR_COLOUR}"') == 3


def test_a_zero_draws_no_bar_but_says_0():
    svg = bar_chart("c", "t", "d", [Bar("Set", 3, "3"), Bar("Dropped", 0, "0")])
    assert len(widths(svg)) == 1
    assert re.findall(r'class="chart-value"[^>]*>([^<]+)<', svg) == ["3", "0"]
    assert widths(bar_chart("c", "t", "d", [Bar("Only", 0, "0")])) == []


def test_labels_are_escaped_and_long_ones_wrap_onto_lines_inside_the_drawing():
    label = "A pair with a very long name <b>that</b> goes on well past the width of a phone"
    svg = bar_chart("c", "t", "d", [Bar(label, 1, "1")])
    lines = re.findall(r'class="chart-label">([^<]*)<', svg)
    assert len(lines) >= 2 and " ".join(html.unescape(line) for line in lines) == label
    assert all(len(html.unescape(line)) <= LABEL_CHARACTERS for line in lines)
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    height = int(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    assert height == len(lines) * LINE + 2 + BAR + GAP


@pytest.mark.parametrize("bars, chart_id, message", [
    ([], "c", "at least one bar"),
    ([Bar("Change", -1, "-1")], "c", "cannot be negative"),
    ([Bar("Set", 1, "1")], "Bad id", "lower case"),
])
def test_what_cannot_be_drawn_is_refused(bars, chart_id, message):
    with pytest.raises(ValueError, match=message):
        bar_chart(chart_id, "t", "d", bars)
