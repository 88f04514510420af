"""Bar charts drawn on the server as inline SVG (docs/domain.md, "The
dashboard"): no JavaScript is needed to read them, and each is an image with
a title and a description for screen readers. The page puts a table with
the same numbers beside every chart; the chart is for the eye.

Pure: values in, markup out. Bars run across the page, each with its label
on a line of its own above it, so long labels and narrow phones (390 px)
both fit.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 400               # the drawing's own units; it scales to the page's width (30rem at most)
FONT = 18                 # label and value size in those units: about 16 px on a 390 px phone
LINE = 22                 # height of a line of label
BAR = 26                  # height of a bar
GAP = 16                  # space below each bar
VALUE_ROOM = 90           # kept right of the longest bar for its value
LABEL_CHARACTERS = 36     # a longer label wraps onto more lines
BAR_COLOUR = "#1d70b8"    # 5.2:1 against white (WCAG 1.4.11 asks 3:1)
TEXT_COLOUR = "#0b0c0c"
CHART_ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Bar:
    """One bar: what it counts, its value, and the value as people read it
    (the same words as in the table beside the chart)."""

    label: str
    value: int | Decimal
    shown: str


def _lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARACTERS) or [""]


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """A horizontal bar chart. ``chart_id`` (lower case letters, digits and
    hyphens) names the title and description for aria-labelledby. Values may
    not be negative; there must be at least one bar (the page says in words
    when there is nothing to draw)."""
    if not CHART_ID.match(chart_id):
        raise ValueError(f"A chart id is lower case letters, digits and hyphens: {chart_id!r}.")
    if not bars:
        raise ValueError("A chart needs at least one bar: say in words that there is nothing to show.")
    if any(bar.value < 0 for bar in bars):
        raise ValueError("A bar cannot be negative.")
    largest = max(bar.value for bar in bars)
    room = WIDTH - VALUE_ROOM
    parts = []
    y = 0
    for index, bar in enumerate(bars):
        lines = _lines(bar.label)
        for line in lines:
            y += LINE
            parts.append(f'<text x="0" y="{y - 5}" class="chart-label">{escape(line)}</text>')
        length = 0 if largest == 0 else round(room * float(bar.value) / float(largest), 1)
        top = y + 2
        if length > 0:
            parts.append(f'<rect x="0" y="{top}" width="{length}" height="{BAR}" fill="{BAR_COLOUR}" '
                         f'data-bar="{index}"></rect>')
        parts.append(f'<text x="{length + 6}" y="{top + BAR - 7}" class="chart-value" font-weight="bold">'
                     f'{escape(bar.shown)}</text>')
        y = top + BAR + GAP
    height = y
    return Markup(
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'aria-describedby="{chart_id}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-size="{FONT}" fill="{TEXT_COLOUR}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(parts) + "</svg>")
