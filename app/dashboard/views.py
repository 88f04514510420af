"""The outcomes dashboard in the office (/office/outcomes/): the figures of
app/dashboard/figures.py for an area and a range of dates, each chart drawn
on the server (app/dashboard/charts.py) with a table of the same numbers.
Coordinators see their own area; admins any or all. The office's audit
hook records every view of it (app/audit/hooks.py)."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.dashboard import figures
from app.dashboard.charts import Bar, bar_chart
from app.db import db
from app.expenses.queries import miles, pounds
from app.office.views import coordinators_only
from app.outcomes.demand import uk_date

bp = Blueprint("dashboard", __name__, url_prefix="/office/outcomes", template_folder="templates",
               static_folder="static", static_url_path="/static")
bp.before_request(coordinators_only)


def percent(value: Decimal | None) -> str:
    return "no percentage" if value is None else f"{value}%"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def range_words(filters: figures.Filters) -> str:
    if filters.first and filters.last:
        return f"from {uk_date(filters.first)} to {uk_date(filters.last)}"
    if filters.first:
        return f"from {uk_date(filters.first)} on"
    if filters.last:
        return f"up to {uk_date(filters.last)}"
    return "at any time"


def charts(board: figures.Dashboard) -> dict:
    """Each chart's bars (the same words as its table), or none when there is nothing to draw."""
    found = {}
    d = board.demand
    if d.headline.clients:
        found["before-after"] = bar_chart(
            "before-after", "Demand before and after support",
            f"Demand in the 6 months before referral and in the 6 months after closure, added up over the "
            f"{plural(d.headline.clients, 'client')} with both periods complete: {d.headline.before:,} before, "
            f"{d.headline.after:,} after.",
            [Bar("6 months before referral", d.headline.before, f"{d.headline.before:,}"),
             Bar("6 months after closure", d.headline.after, f"{d.headline.after:,}")])
    if any(p.clients for p in d.periods):
        found["periods"] = bar_chart(
            "periods", "Demand in each period",
            "Demand in each period, added up over the clients whose counts for that period are complete: "
            + "; ".join(f"{p.name.lower()}, {p.demand:,} ({plural(p.clients, 'client')})" for p in d.periods) + ".",
            # a no-break space keeps "(9 clients)" on one line
            [Bar(f"{p.name} ({plural(p.clients, 'client')})".replace(" client", "\u00a0client"), p.demand,
                 f"{p.demand:,}") for p in d.periods])
    w = board.wellbeing
    if w.clients:
        found["wellbeing"] = bar_chart(
            "wellbeing", "Wellbeing at the first and latest check",
            f"Mean SWEMWBS metric score of the {plural(len(w.clients), 'client')} with two or more checks: "
            f"{w.mean_first} at their first check, {w.mean_latest} at their latest.",
            [Bar("First check (mean)", w.mean_first, str(w.mean_first)),
             Bar("Latest check (mean)", w.mean_latest, str(w.mean_latest))])
    g = board.goals
    if g.set:
        found["goals"] = bar_chart(
            "goals", "Goals set and achieved",
            f"{g.set:,} goals set, of which {g.achieved:,} achieved, {g.active:,} still being worked on and "
            f"{g.dropped:,} dropped.",
            [Bar("Set", g.set, f"{g.set:,}"), Bar("Achieved", g.achieved, f"{g.achieved:,}"),
             Bar("Still being worked on", g.active, f"{g.active:,}"), Bar("Dropped", g.dropped, f"{g.dropped:,}")])
    c = board.caseload
    if c.pairs:
        found["caseload"] = bar_chart(
            "caseload", "Active clients per pair",
            "Active clients each pair supports now: "
            + "; ".join(f"{p.name}, {p.clients:,}" for p in c.pairs) + ".",
            [Bar(p.name, p.clients, f"{p.clients:,}") for p in c.pairs])
    return found


@bp.get("/")
def outcomes():
    filters, errors = figures.read_filters(db.session, current_user, request.args)
    board = None if errors else figures.dashboard(db.session, current_user, filters)
    areas = figures.areas_for(db.session, current_user)
    area = next((a for a in areas if a.id == filters.area_id), None)
    return render_template(
        "dashboard/outcomes.html", board=board, errors=errors, areas=areas, area=area,
        values={name: str(request.args.get(name) or "").strip() for name in ("from", "to", "area")},
        charts=charts(board) if board else {}, range_words=range_words(filters) if not errors else "",
        percent=percent, plural=plural, pounds=pounds, miles=miles, uk_date=uk_date,
    ), 400 if errors else 200
