"""The outcomes dashboard (/office/outcomes/) in Chromium: axe finds no WCAG
2.2 A/AA violations with the demo's outcomes and with none; every chart is an
SVG followed by a table of the same numbers; the page fits a 390 px phone
and a laptop without scrolling sideways (screenshots of both are taken)."""
from __future__ import annotations

import shutil

import pytest

from app import create_app
from app.demo.seed import seed_demo
from tests.e2e.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.test_accessibility import violations
from tests.e2e.test_office_accessibility import office_sign_in

WIDTHS = (390, 1280)


@pytest.fixture
def outcomes_server(sqlite_template, tmp_path):
    """The demo as `flask seed-demo` loads it: with the scheme's past cases and their outcomes."""
    path = tmp_path / "outcomes.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "x" * 40, "INSTANCE_PATH": tmp_path / "i"})
    session = app.extensions["database"]["sessionmaker"]()
    seed_demo(session, DEMO_PASSWORD, referrals=True, outcomes=True)
    session.commit()
    session.close()
    app.extensions["database"]["engine"].dispose()
    live = LiveServer(url, tmp_path / "instance")
    live.start()
    yield live
    live.stop()


def charts_and_their_tables(page):
    """For each chart: its id, the values drawn, the element right after it
    and the last numeric cell of each row of that table."""
    return page.evaluate("""() => [...document.querySelectorAll('svg.chart')].map((svg) => {
        const next = svg.nextElementSibling;
        const rows = next && next.tagName === 'TABLE' ? [...next.querySelectorAll('tbody tr')] : [];
        return {
            id: svg.id,
            drawn: [...svg.querySelectorAll('.chart-value')].map((t) => t.textContent),
            next: next ? next.tagName + ':' + (next.dataset.chart || '') : null,
            caption: next && next.querySelector('caption') ? next.querySelector('caption').textContent.trim() : '',
            table: rows.map((r) => { const cells = r.querySelectorAll('td.numeric'); return cells[cells.length - 1].textContent; }),
            named: svg.getAttribute('role') === 'img' && !!document.getElementById(svg.getAttribute('aria-labelledby')),
            tableShown: next ? next.getBoundingClientRect().height > 0 : false,
        };
    })""")


def test_the_dashboard_with_the_demos_outcomes(outcomes_server, new_context, tmp_path):
    page = new_context().new_page()
    office_sign_in(page, outcomes_server, "coordinator@demo.test")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(outcomes_server.url + "/office/outcomes/")
        page.wait_for_selector("h1:text('Outcomes in County Durham')")
        assert page.locator("text=76.6%").count() >= 1
        assert violations(page) == [], f"{width} px"
        charts = charts_and_their_tables(page)
        assert [c["id"] for c in charts] == ["before-after", "periods", "wellbeing", "goals", "caseload"]
        for chart in charts:
            assert chart["next"] == f"TABLE:{chart['id']}", chart
            assert chart["caption"] and chart["named"] and chart["tableShown"], chart
            assert chart["drawn"] == chart["table"], chart
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"sideways scroll at {width} px"
        shot = tmp_path / f"outcomes-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000


def test_the_dashboard_with_its_errors_passes_axe(outcomes_server, new_context):
    page = new_context().new_page()
    page.set_viewport_size({"width": 390, "height": 900})
    office_sign_in(page, outcomes_server, "coordinator@demo.test")
    page.goto(outcomes_server.url + "/office/outcomes/")
    page.fill("#from", "2026-04-01")
    page.fill("#to", "2025-04-01")
    page.click("button:text('Show the figures')")
    page.wait_for_selector(".error-summary")
    assert "the dates are the wrong way round" in page.inner_text(".error-summary")
    assert page.locator("svg.chart").count() == 0
    assert violations(page) == []


def test_the_dashboard_with_no_outcomes_says_so_and_passes_axe(server, new_context):
    """The plain demo: open cases only, no demand counted, no checks."""
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    office_sign_in(page, server, "coordinator@demo.test")
    page.goto(server.url + "/office/outcomes/")
    page.wait_for_selector("h1:text('Outcomes')")
    assert page.locator("text=No client has both periods complete yet").count() == 1
    assert page.locator("text=No client has two wellbeing checks").count() == 1
    charts = charts_and_their_tables(page)
    assert [c["id"] for c in charts] == ["goals", "caseload"]  # the demo's goals and pairs, nothing else to draw
    for chart in charts:
        assert chart["next"] == f"TABLE:{chart['id']}" and chart["drawn"] == chart["table"], chart
    assert violations(page) == []
