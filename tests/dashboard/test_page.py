"""The outcomes page (/office/outcomes/): the figures as people read them,
the filter's checks, each role's area, the empty page and the audit."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.audit.models import AuditEntry

A_NAMES = ("Ann Able", "Bob Baker", "Cat Cole", "Dan Dean", "Gus Gale", "Pair One")


def page(client, url="/office/outcomes/"):
    answer = client.get(url)
    return answer.status_code, answer.get_data(as_text=True)


def test_the_coordinator_sees_their_areas_figures_with_a_table_for_every_chart(office):
    status, html = page(office("coordinator_a"))
    assert status == 200
    assert "<h1>Outcomes in Northtown</h1>" in html
    assert "<strong>46.7%</strong> reduction" in html and "across 3 clients" in html
    assert "2 clients of the 5 clients counted" in html
    assert html.count('<span class="hint">case open</span>') == 4  # Dan and Gus: during and after
    assert "<strong>1 client of 3</strong> improved" in html and "<strong>+2.10</strong> points" in html
    assert "<strong>2 of 5 goals</strong> achieved" in html
    assert "4, to 2 clients" in html and "3.3 (1 completed visit has no time recorded" in html
    assert "<strong>£16.50</strong> for 2 clients" in html and "<strong>£8.25</strong> per client" in html
    assert "1 approved journey (£2.00)" in html
    charts = re.findall(r'<svg class="chart" id="([a-z-]+)" role="img" aria-labelledby="\1-title"', html)
    assert charts == ["before-after", "periods", "wellbeing", "goals", "caseload"]
    assert re.findall(r'<table data-chart="([a-z-]+)"', html) == charts
    assert "Zed Zulu" not in html and "Southtown" not in html
    assert 'aria-current="page">Outcomes</a>' in html
    assert '<a href="/office/evaluators/">evaluators’ export</a>' in html


def test_each_chart_shows_the_numbers_of_its_table(office):
    _, html = page(office("coordinator_a"))
    for chart_id in ("before-after", "periods", "wellbeing", "goals", "caseload"):
        svg = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, re.S).group(0)
        table = re.search(rf'<table data-chart="{chart_id}">.*?</table>', html, re.S).group(0)
        shown = re.findall(r'class="chart-value"[^>]*>([^<]+)<', svg)
        in_table = [cells[-1] for cells in (re.findall(r'<td class="numeric">([^<]+)</td>', row)
                                            for row in re.findall(r"<tr>.*?</tr>", table, re.S)) if cells]
        assert shown == in_table, chart_id


def test_the_dates_narrow_the_figures_and_say_so(office):
    status, html = page(office("coordinator_a"), "/office/outcomes/?from=01/02/2025&to=2025-03-31")
    assert status == 200
    assert "Figures from 1 Feb 2025 to 31 Mar 2025" in html
    assert "<strong>30.0%</strong> reduction" in html and "across 2 clients" in html
    assert 'value="01/02/2025"' in html  # what was typed stays in the field


def test_a_date_that_is_not_one_is_refused_with_nothing_shown(office):
    status, html = page(office("coordinator_a"), "/office/outcomes/?from=2025-02-30&to=")
    assert status == 400
    assert "There is a problem" in html and "The first day must be a real date, like 01/04/2026." in html
    assert '<a href="#from">' in html
    assert "<svg" not in html and "Ann Able" not in html


def test_dates_the_wrong_way_round_are_refused(office):
    status, html = page(office("coordinator_a"), "/office/outcomes/?from=2025-04-01&to=2025-03-01")
    assert status == 400
    assert "the dates are the wrong way round" in html and "<svg" not in html


def test_a_coordinator_asking_for_another_area_is_told_and_sees_none_of_it(office, scheme):
    status, html = page(office("coordinator_b"), f"/office/outcomes/?area={scheme.areas['A'].id}")
    assert status == 400
    assert "you can see the figures of your own area only" in html
    assert "<svg" not in html
    assert not [name for name in A_NAMES if name in html]
    assert "Northtown" not in html  # not even the other area's name


def test_area_bs_coordinator_sees_only_area_b(office):
    status, html = page(office("coordinator_b"))
    assert status == 200
    assert "Zed Zulu" in html and "<strong>100.0%</strong> reduction" in html
    assert not [name for name in A_NAMES if name in html]


def test_an_admin_chooses_any_area_or_all(office, scheme):
    admin = office("admin")
    status, html = page(admin)
    assert status == 200 and "<strong>87.7%</strong> reduction" in html and "across 4 clients" in html
    assert '<option value="">All areas</option>' in html
    status, html = page(admin, f"/office/outcomes/?area={scheme.areas['B'].id}")
    assert status == 200 and "<h1>Outcomes in Southtown</h1>" in html and "Ann Able" not in html
    status, html = page(admin, "/office/outcomes/?area=nowhere")
    assert status == 400 and "Choose one of the areas listed." in html


def test_the_page_view_is_audited(office, session):
    page(office("coordinator_a"), "/office/outcomes/?from=2025-01-01")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.route == "GET /office/outcomes/")).one()
    assert entry.action == "view" and entry.status == 200


def test_a_scheme_with_nothing_recorded_says_so_in_words(client, session):
    from tests.dashboard.conftest import DEMO_PASSWORD
    from app.accounts.services import create_user
    from app.areas.models import Area

    session.add(Area(name="Emptytown"))
    session.flush()
    create_user(session, email="new@example.org", name="New Coordinator", role="coordinator",
                password=DEMO_PASSWORD, area_name="Emptytown")
    session.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").get_data(as_text=True)).group(1)
    client.post("/sign-in", data={"email": "new@example.org", "password": DEMO_PASSWORD, "csrf_token": token})
    status, html = page(client)
    assert status == 200
    assert "<svg" not in html and "<table" not in html
    for words in ("No client has both periods complete yet", "No client taken on had their referral received",
                  "No client has a complete period yet", "No client has two wellbeing checks",
                  "No goal was set", "There is no active pair", "No approved mileage"):
        assert words in html, words
