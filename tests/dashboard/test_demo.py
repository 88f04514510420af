"""The demo's outcomes (app/demo/outcomes.py): `flask seed-demo` gives the
dashboard true figures to show, made the way the office makes them."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import User
from app.clients.models import Client
from app.dashboard import figures
from app.outcomes.demand import client_windows
from app.outcomes.models import DemandCount


def test_seed_demo_gives_the_dashboard_past_cases_to_count(runner, session):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    coordinator = session.scalar(select(User).where(User.email == "coordinator@demo.test"))
    board = figures.dashboard(session, coordinator, figures.Filters(area_id=coordinator.area_id))
    # B: 23 + 19 + 15 + 27 + 10 = 94; A: 4 + 3 + 3 + 8 + 4 = 22; 100 x 72 / 94 = 76.6.
    assert (board.demand.headline.percent, board.demand.headline.clients) == (Decimal("76.6"), 5)
    assert (board.demand.headline.before, board.demand.headline.after) == (94, 22)
    assert board.demand.lacking == 5  # Jack Pemberton's "after" is not in; the 4 active cases are open
    assert len(board.wellbeing.clients) == 6 and board.wellbeing.one_check == 4
    assert board.goals.set == 9 + 4 and board.goals.achieved == 7  # the active clients have a goal each
    assert board.visits.completed == 48 and board.visits.without_time == 6
    assert [(p.name, p.clients) for p in board.caseload.pairs] == [("North", 2), ("South", 2)]
    assert [(m.name, m.journeys) for m in board.mileage.clients] == [
        ("Grace Whitfield", 2), ("Harold Byrne", 2), ("Ivy Lambert", 2)]
    assert all(m.pence > 0 for m in board.mileage.clients)


def test_every_demo_count_lies_inside_its_period(runner, session):
    runner.invoke(args=["seed-demo"])
    clients = {c.id: c for c in session.scalars(select(Client))}
    counts = list(session.scalars(select(DemandCount)))
    assert len(counts) == 6 * 4 * 4 - 4 + 3 * 2 * 4
    for count in counts:
        window = client_windows(clients[count.client_id])[count.period]
        assert window.contains(count.first_day, count.last_day)
        assert count.last_day <= count.obtained_on
