"""The dashboard's figures against the scheme worked out by hand in
tests/dashboard/conftest.py: every figure, with and without dates, and the
scope of each role."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.dashboard import figures
from app.dashboard.figures import Filters

FEB_MAR = dict(first=date(2025, 2, 1), last=date(2025, 3, 31))


def board(session, scheme, who="coordinator_a", **filters):
    return figures.dashboard(session, scheme.users[who], Filters(**filters))


def test_the_reduction_is_worked_out_as_the_seed_states_it(session, scheme):
    d = board(session, scheme).demand
    assert (d.headline.percent, d.headline.clients, d.headline.before, d.headline.after) == (Decimal("46.7"), 3, 30, 16)
    assert d.lacking == 2  # Dan (open case) and Gus (no counts); Fay was declined, so is not counted at all
    assert [c.name for c in d.clients] == ["Ann Able", "Bob Baker", "Cat Cole", "Dan Dean", "Gus Gale"]


def test_each_clients_demand_per_period_and_reduction(session, scheme):
    rows = {c.name: c for c in board(session, scheme).demand.clients}
    ann, bob, cat, dan, gus = (rows[n] for n in ("Ann Able", "Bob Baker", "Cat Cole", "Dan Dean", "Gus Gale"))
    assert ann.totals == {"before_12_to_7": 6, "before_6": 10, "during": 4, "after_6": 2}  # the replaced 50 is not in
    assert all(ann.complete.values())
    assert ann.reduction.percent == Decimal("80.0")
    assert bob.totals == {"before_12_to_7": 7, "before_6": 20, "during": 0, "after_6": 13}
    assert bob.complete == {"before_12_to_7": False, "before_6": True, "during": False, "after_6": True}
    assert bob.reduction.percent == Decimal("35.0")
    assert (cat.before, cat.after, cat.reduction.percent) == (0, 1, None)  # no demand before: no percentage
    assert (dan.before, dan.after, dan.reduction) == (8, None, None)  # two halves of the period are complete
    assert dan.complete["before_6"] and not dan.complete["after_6"]
    assert dan.open_case and not ann.open_case  # an open case's "during" and "after" have not come yet
    assert (gus.before, gus.reduction) == (None, None)


def test_demand_per_period_counts_the_clients_complete_in_it(session, scheme):
    periods = [(p.period, p.demand, p.clients) for p in board(session, scheme).demand.periods]
    assert periods == [("before_12_to_7", 6, 1), ("before_6", 38, 4), ("during", 4, 1), ("after_6", 16, 3)]


def test_the_dates_choose_the_clients_referred_in_them(session, scheme):
    d = board(session, scheme, **FEB_MAR).demand
    assert [c.name for c in d.clients] == ["Bob Baker", "Cat Cole"]
    assert (d.headline.percent, d.headline.clients, d.headline.before, d.headline.after) == (Decimal("30.0"), 2, 20, 14)
    assert d.lacking == 0


def test_the_first_and_last_days_are_both_in_the_range(session, scheme):
    one_day = board(session, scheme, first=date(2025, 3, 1), last=date(2025, 3, 1))
    assert [c.name for c in one_day.demand.clients] == ["Bob Baker"]  # referred on 1 Mar
    assert [r.name for r in one_day.wellbeing.clients] == [] and one_day.wellbeing.one_check == 1


def test_means_are_rounded_half_up():
    assert figures.mean(Decimal("0.05"), 2) == Decimal("0.03")
    assert figures.mean(Decimal("-0.05"), 2) == Decimal("-0.03")
    assert figures.mean(0, 0) is None


def test_wellbeing_change_from_the_swemwbs_metric_scores(session, scheme):
    w = board(session, scheme).wellbeing
    rows = {r.name: r for r in w.clients}
    assert sorted(rows) == ["Ann Able", "Bob Baker", "Dan Dean"]  # Cat has one check
    assert (rows["Ann Able"].first, rows["Ann Able"].latest, rows["Ann Able"].change) == (
        Decimal("15.32"), Decimal("22.35"), Decimal("7.03"))  # raw 14 and 25 by the published table
    assert (rows["Bob Baker"].first, rows["Bob Baker"].latest) == (Decimal("19.98"), Decimal("19.25"))  # deleted 35 ignored
    assert rows["Dan Dean"].change == 0
    assert (w.mean_first, w.mean_latest, w.mean_change) == (Decimal("17.05"), Decimal("19.15"), Decimal("2.10"))
    assert (w.improved, w.unchanged, w.worse, w.one_check) == (1, 1, 1, 1)


def test_wellbeing_in_the_dates_compares_the_checks_taken_in_them(session, scheme):
    w = board(session, scheme, first=date(2025, 1, 1), last=date(2025, 4, 30)).wellbeing
    assert [(r.name, r.first, r.latest) for r in w.clients] == [("Ann Able", Decimal("15.32"), Decimal("19.25"))]
    assert w.one_check == 2  # Bob (1 Mar) and Cat (1 Feb)


def test_goals_set_and_achieved(session, scheme):
    assert board(session, scheme).goals == figures.Goals(set=5, achieved=2, active=2, dropped=1)
    # 00:30 on 1 Feb, London time, is in a range starting on 1 Feb.
    assert board(session, scheme, **FEB_MAR).goals == figures.Goals(set=3, achieved=1, active=1, dropped=1)


def test_visits_completed_and_hours(session, scheme):
    v = board(session, scheme).visits
    assert (v.completed, v.minutes, v.without_time, v.clients, v.hours) == (4, 195, 1, 2, Decimal("3.3"))
    v = board(session, scheme, **FEB_MAR).visits
    assert (v.completed, v.minutes, v.without_time, v.clients, v.hours) == (2, 45, 1, 2, Decimal("0.8"))


def test_caseload_per_active_pair_now(session, scheme):
    c = board(session, scheme).caseload
    assert [(p.name, p.clients) for p in c.pairs] == [("Pair One", 1), ("Pair Two", 0)]
    assert c.unassigned == 1  # Gus
    assert board(session, scheme, **FEB_MAR).caseload == c  # the dates do not apply


def test_mileage_cost_per_client_is_the_agreed_mileage_of_their_visits(session, scheme):
    m = board(session, scheme).mileage
    assert [(r.name, r.journeys, r.miles_tenths, r.pence) for r in m.clients] == [
        ("Ann Able", 2, 167, 750), ("Bob Baker", 1, 200, 900)]
    assert (m.pence, m.mean_pence, m.unlinked_journeys, m.unlinked_pence) == (1650, 825, 1, 200)
    m = board(session, scheme, **FEB_MAR).mileage
    assert [(r.name, r.pence) for r in m.clients] == [("Ann Able", 300)]
    assert (m.pence, m.unlinked_journeys) == (300, 0)


def test_a_coordinator_of_area_b_sees_nothing_of_area_a(session, scheme):
    b = board(session, scheme, who="coordinator_b", area_id=scheme.users["coordinator_b"].area_id)
    assert [c.name for c in b.demand.clients] == ["Zed Zulu"]
    assert (b.demand.headline.percent, b.demand.headline.clients) == (Decimal("100.0"), 1)
    assert [r.name for r in b.wellbeing.clients] == ["Zed Zulu"]
    assert b.goals.set == 1 and b.visits.completed == 1
    assert [(p.name, p.clients) for p in b.caseload.pairs] == [("Pair B", 1)]
    assert [r.name for r in b.mileage.clients] == ["Zed Zulu"] and b.mileage.unlinked_journeys == 0


def test_a_coordinator_asking_for_no_area_still_gets_only_their_own(session, scheme):
    b = board(session, scheme, who="coordinator_b")
    assert [c.name for c in b.demand.clients] == ["Zed Zulu"]
    assert [p.name for p in b.caseload.pairs] == ["Pair B"]


def test_an_admin_sees_every_area_or_one(session, scheme):
    every = board(session, scheme, who="admin")
    assert (every.demand.headline.percent, every.demand.headline.clients) == (Decimal("87.7"), 4)
    assert [p.name for p in every.caseload.pairs] == ["Pair B", "Pair One", "Pair Two"]
    assert every.mileage.pence == 2650
    assert every.caseload.unassigned == 1  # Gus; Dan and Zoe have a pair
    one = board(session, scheme, who="admin", area_id=scheme.areas["A"].id)
    assert one.demand.headline.percent == Decimal("46.7") and one.mileage.pence == 1650
    b = board(session, scheme, who="admin", area_id=scheme.areas["B"].id)
    assert (b.mileage.pence, b.mileage.unlinked_journeys) == (1000, 0)  # area A's volunteer's journey is not B's


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_clients(app, session, scheme):
    """No query per client: counted with a listener on the engine."""
    from sqlalchemy import event

    engine = app.extensions["database"]["engine"]
    seen = []

    def count(*args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        board(session, scheme, who="admin")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(seen) <= 12
