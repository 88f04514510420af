"""The mileage rates are data: seeded by migration 0010, read by the pure rules."""
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import migrate
from app.expenses.models import MileageRate
from app.expenses.rates import Journey, journey_amounts, rate_table_on


@pytest.fixture
def migrated_rates(database_url, session):
    """The rates as migration 0010 leaves them. (Between PostgreSQL tests the
    fixtures empty every table, seeded ones too, so run 0010 down and up.)"""
    migrate.downgrade(database_url, "0009")
    migrate.upgrade(database_url)
    return [row.as_rate() for row in session.scalars(select(MileageRate))]


def test_the_hmrc_rates_are_seeded_from_6_april_2011(migrated_rates):
    assert sorted((r.vehicle, r.from_mile, r.pence_per_mile, r.effective_from) for r in migrated_rates) == [
        ("bicycle", 0, 20, date(2011, 4, 6)),
        ("car_van", 0, 45, date(2011, 4, 6)),
        ("car_van", 10_000, 25, date(2011, 4, 6)),
        ("motorcycle", 0, 24, date(2011, 4, 6)),
        ("passenger", 0, 5, date(2011, 4, 6)),
    ]


def test_the_pure_rules_read_the_seeded_rates_for_a_day_in_2026(migrated_rates):
    day = date(2026, 6, 1)
    table = {v: [r.pence_per_mile for r in rate_table_on(migrated_rates, day, v)]
             for v in ("car_van", "motorcycle", "bicycle", "passenger")}
    assert table == {"car_van": [45, 25], "motorcycle": [24], "bicycle": [20], "passenger": [5]}
    (crossing,) = journey_amounts([Journey("a", day, 200, "car_van")], migrated_rates, miles_before_tenths=99_900)
    assert crossing.total_pence == 700


@pytest.mark.parametrize("values", [
    {"vehicle": "lorry", "from_mile": 0, "pence_per_mile": 10},
    {"vehicle": "bicycle", "from_mile": 10_000, "pence_per_mile": 10},
    {"vehicle": "car_van", "from_mile": -1, "pence_per_mile": 10},
    {"vehicle": "car_van", "from_mile": 0, "pence_per_mile": -1},
    {"vehicle": "car_van", "from_mile": 0, "pence_per_mile": 45, "effective_from": date(2011, 4, 6)},
])
def test_the_table_refuses_bad_rates(migrated_rates, session, values):
    session.add(MileageRate(**{"effective_from": date(2030, 4, 6), **values}))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
