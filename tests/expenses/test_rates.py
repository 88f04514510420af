"""The mileage rules (app/expenses/rates.py), on plain values."""
from datetime import date, datetime

import pytest

from app.expenses.rates import (
    MAX_MILES_TENTHS, MAX_PASSENGERS, InvalidJourney, Journey, MileageError, MixedTaxYears, NoRateInForce,
    Part, Rate, journey_amounts, rate_table_on, round_tenths_to_pence, tax_year_of,
)

SINCE = date(2011, 4, 6)
HMRC = [
    Rate("car_van", 0, 45, SINCE),
    Rate("car_van", 10_000, 25, SINCE),
    Rate("motorcycle", 0, 24, SINCE),
    Rate("bicycle", 0, 20, SINCE),
    Rate("passenger", 0, 5, SINCE),
]
DAY = date(2026, 6, 1)


def car(key, miles_tenths, on=DAY, passengers=0):
    return Journey(key, on, miles_tenths, "car_van", passengers)


def one(journey, rates=HMRC, before=0):
    (amount,) = journey_amounts([journey], rates, before)
    return amount


# The tax year

@pytest.mark.parametrize("day, year", [
    (date(2027, 4, 5), 2026), (date(2027, 4, 6), 2027), (date(2027, 1, 1), 2026), (date(2026, 12, 31), 2026),
])
def test_tax_year_runs_6_april_to_5_april(day, year):
    assert tax_year_of(day) == year


def test_miles_before_6_april_do_not_count_towards_the_next_year():
    # Ten journeys of 1,000.0 miles by 5 April 2027 (tax year 2026), then one
    # on 6 April 2027: grouped by tax year, the new year starts from 0.
    journeys = [car(f"m{n}", 10_000, date(2026, 6 + n // 2, 1 + n)) for n in range(9)]
    journeys += [car("last", 10_000, date(2027, 4, 5)), car("next", 200, date(2027, 4, 6))]
    by_year = {}
    for journey in journeys:
        by_year.setdefault(tax_year_of(journey.travelled_on), []).append(journey)
    last_year = journey_amounts(by_year[2026], HMRC)
    this_year = journey_amounts(by_year[2027], HMRC)
    assert last_year[-1].parts == (Part(10_000, 45, 45_000),)
    assert last_year[-1].car_van_miles_tenths_to_date == 100_000
    assert this_year[0].parts == (Part(200, 45, 900),)
    assert this_year[0].car_van_miles_tenths_to_date == 200


def test_journeys_in_two_tax_years_are_refused():
    with pytest.raises(MixedTaxYears, match="more than one tax year"):
        journey_amounts([car("a", 10, date(2027, 4, 5)), car("b", 10, date(2027, 4, 6))], HMRC)


# The 10,000-mile threshold (car and van)

def test_a_journey_crossing_10000_miles_is_split_across_the_two_rates():
    amount = one(car("a", 200), before=99_900)
    assert amount.parts == (Part(100, 45, 450), Part(100, 25, 250))
    assert amount.total_pence == 700
    assert amount.car_van_miles_tenths_to_date == 100_100


def test_the_threshold_is_crossed_across_several_journeys_and_claims():
    # 8,000 miles paid before, then in later claims 1,000.0 + 999.5 miles,
    # a journey of 1.0 that crosses (0.5 + 0.5), and 10.0 all at 25p.
    journeys = [car("a", 10_000, date(2026, 4, 10)), car("b", 9_995, date(2026, 7, 1)),
                car("c", 10, date(2026, 9, 1)), car("d", 100, date(2026, 12, 1))]
    a, b, c, d = journey_amounts(journeys, HMRC, miles_before_tenths=80_000)
    assert a.parts == (Part(10_000, 45, 45_000),)
    assert b.parts == (Part(9_995, 45, 44_978),)  # 44,977.5 rounds up
    assert c.parts == (Part(5, 45, 23), Part(5, 25, 13))  # 22.5 -> 23, 12.5 -> 13
    assert c.total_pence == 36
    assert d.parts == (Part(100, 25, 250),)
    assert d.car_van_miles_tenths_to_date == 100_105


def test_exactly_10000_miles_are_all_at_45p_and_the_next_at_25p():
    up_to, after = journey_amounts([car("a", 100, date(2026, 5, 1)), car("b", 100, date(2026, 5, 2))],
                                   HMRC, miles_before_tenths=99_900)
    assert up_to.parts == (Part(100, 45, 450),)
    assert up_to.car_van_miles_tenths_to_date == 100_000
    assert after.parts == (Part(100, 25, 250),)


def test_other_vehicles_do_not_count_towards_the_car_van_threshold():
    bike, drive = journey_amounts([Journey("a", date(2026, 5, 1), 5_000, "bicycle"),
                                   car("b", 100, date(2026, 5, 2))], HMRC, miles_before_tenths=99_900)
    assert bike.car_van_miles_tenths_to_date == 99_900
    assert drive.parts == (Part(100, 45, 450),)


# Each vehicle, passengers

@pytest.mark.parametrize("vehicle, pence", [("car_van", 4_500), ("motorcycle", 2_400), ("bicycle", 2_000)])
def test_each_vehicle_has_its_rate(vehicle, pence):
    assert one(Journey("a", DAY, 1_000, vehicle)).total_pence == pence


def test_motorcycles_and_bicycles_have_no_threshold():
    amount = one(Journey("a", DAY, 1_000, "motorcycle"), before=200_000)
    assert amount.parts == (Part(1_000, 24, 2_400),)


def test_passengers_are_5p_per_passenger_mile():
    amount = one(car("a", 123, passengers=3))  # 12.3 miles x 3 passengers x 5p = 184.5p
    assert amount.passenger_pence == 185
    assert amount.total_pence == 554 + 185


def test_passengers_are_paid_the_same_after_the_threshold():
    amount = one(car("a", 100, passengers=2), before=200_000)
    assert amount.parts == (Part(100, 25, 250),)
    assert amount.passenger_pence == 100


# Rounding

def test_tenths_round_to_a_whole_penny_half_up():
    assert one(car("a", 123)).parts == (Part(123, 45, 554),)  # 553.5p
    assert one(car("a", 121)).parts == (Part(121, 45, 545),)  # 544.5p
    assert one(car("a", 1)).parts == (Part(1, 45, 5),)  # 4.5p
    assert one(Journey("a", DAY, 1, "bicycle")).total_pence == 2  # exactly 2p
    assert round_tenths_to_pence(3, 25) == 8  # 7.5p


def test_a_journey_total_is_the_sum_of_its_rounded_parts():
    amount = one(car("a", 11, passengers=1), before=99_995)  # 0.5 at 45p, 0.6 at 25p, 1.1 at 5p
    assert [p.pence for p in amount.parts] == [23, 15]  # 22.5, 15.0
    assert amount.passenger_pence == 6  # 5.5
    assert amount.total_pence == 44


# Rates as data: a change mid-year

def test_a_rate_change_mid_year_applies_from_its_date_and_the_count_carries_on():
    rates = HMRC + [Rate("car_van", 0, 50, date(2026, 10, 1)), Rate("car_van", 10_000, 30, date(2026, 10, 1))]
    before, on_the_day, crossing = journey_amounts(
        [car("a", 9_000, date(2026, 9, 30)), car("b", 500, date(2026, 10, 1)), car("c", 1_000, date(2026, 11, 1))],
        rates, miles_before_tenths=90_000)
    assert before.parts == (Part(9_000, 45, 40_500),)
    assert on_the_day.parts == (Part(500, 50, 2_500),)
    assert crossing.parts == (Part(500, 50, 2_500), Part(500, 30, 1_500))


def test_the_rate_table_on_a_day_takes_the_newest_of_each_band():
    rates = HMRC + [Rate("car_van", 0, 50, date(2026, 10, 1))]
    assert [r.pence_per_mile for r in rate_table_on(rates, date(2026, 9, 30), "car_van")] == [45, 25]
    assert [r.pence_per_mile for r in rate_table_on(rates, date(2026, 10, 1), "car_van")] == [50, 25]


def test_no_rate_in_force_is_a_clear_error():
    with pytest.raises(NoRateInForce, match="No car_van mileage rate is in force on 2011-04-05"):
        rate_table_on(HMRC, date(2011, 4, 5), "car_van")
    with pytest.raises(NoRateInForce):
        journey_amounts([car("a", 10, date(2011, 4, 5))], HMRC)
    with pytest.raises(NoRateInForce, match="passenger"):
        journey_amounts([car("a", 10, passengers=1)], [r for r in HMRC if r.vehicle != "passenger"])


# Order

def test_the_result_does_not_depend_on_the_order_given():
    journeys = [car("b", 300, date(2026, 5, 1)), car("a", 300, date(2026, 5, 1)),
                car("c", 10_000, date(2026, 4, 30)), Journey("d", date(2026, 4, 7), 40, "bicycle")]
    forwards = journey_amounts(journeys, HMRC, 89_900)
    backwards = journey_amounts(list(reversed(journeys)), HMRC, 89_900)
    assert forwards == backwards
    assert [a.key for a in forwards] == ["d", "c", "a", "b"]
    # Same day: key "a" goes first and takes the last 45p miles.
    assert forwards[2].parts == (Part(100, 45, 450), Part(200, 25, 500))
    assert forwards[3].parts == (Part(300, 25, 750),)


# Bad input

@pytest.mark.parametrize("journey, message", [
    (car("a", 0), "at least 0.1 mile"),
    (car("a", -5), "at least 0.1 mile"),
    (car("a", MAX_MILES_TENTHS + 1), "more than 1,000 miles"),
    (car("a", 12.3), "whole tenths"),
    (car("a", True), "whole tenths"),
    (Journey("a", DAY, 10, "lorry"), "Unknown vehicle 'lorry'"),
    (Journey("a", DAY, 10, "passenger"), "Unknown vehicle"),
    (car("a", 10, passengers=-1), "0 or more"),
    (car("a", 10, passengers=MAX_PASSENGERS + 1), "more than 8 passengers"),
    (Journey("a", DAY, 10, "bicycle", 1), "only be claimed for in a car or van"),
    (Journey("a", DAY, 10, "motorcycle", 1), "only be claimed for in a car or van"),
    (Journey("a", "2026-06-01", 10, "car_van"), "must be a date"),
    (Journey("a", datetime(2026, 6, 1), 10, "car_van"), "must be a date"),
])
def test_bad_journeys_are_refused_with_a_readable_message(journey, message):
    with pytest.raises(InvalidJourney, match=message) as raised:
        journey_amounts([journey], HMRC)
    assert isinstance(raised.value, ValueError)


def test_the_limits_themselves_are_allowed():
    amount = one(car("a", MAX_MILES_TENTHS, passengers=MAX_PASSENGERS))
    assert amount.parts == (Part(10_000, 45, 45_000),)
    assert amount.passenger_pence == 10_000 * 8 * 5 // 10


def test_other_bad_input_is_refused():
    with pytest.raises(MileageError, match="miles before"):
        journey_amounts([car("a", 10)], HMRC, miles_before_tenths=-1)
    with pytest.raises(MileageError, match="same key"):
        journey_amounts([car("a", 10), car("a", 20)], HMRC)
    with pytest.raises(MileageError, match="Only car/van"):
        Rate("bicycle", 10_000, 10, SINCE)
    with pytest.raises(MileageError, match="Unknown rate kind"):
        Rate("lorry", 0, 10, SINCE)
    with pytest.raises(MileageError, match="whole pence"):
        Rate("car_van", 0, 45.0, SINCE)


def test_no_journeys_come_to_nothing():
    assert journey_amounts([], HMRC) == []
