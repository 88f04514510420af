"""The mileage rules (HMRC Approved Mileage Allowance Payments), pure.

Plain functions on plain values: no Flask, no database. The rates themselves
are data (`MileageRate` rows, turned into `Rate` values by the caller); this
module only says how they apply. Money is integer pence, miles are integer
tenths of a mile (12.3 miles is 123). See docs/domain.md, "Expenses and
mileage".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Hashable, Iterable, Sequence

CAR_VAN = "car_van"
MOTORCYCLE = "motorcycle"
BICYCLE = "bicycle"
PASSENGER = "passenger"

#: What a rate can be for: the three vehicles and the passenger supplement.
RATE_KINDS = (CAR_VAN, MOTORCYCLE, BICYCLE, PASSENGER)
#: What a journey can be made in.
VEHICLES = (CAR_VAN, MOTORCYCLE, BICYCLE)

#: Limits on one journey; the API's field validation reuses these.
MIN_MILES_TENTHS = 1              # 0.1 mile
MAX_MILES_TENTHS = 10_000         # 1,000.0 miles
MAX_PASSENGERS = 8

#: The car/van threshold as it stands; the rates table says where bands start,
#: this is only for the docs and tests that want the number.
CAR_VAN_THRESHOLD_MILES = 10_000


class MileageError(ValueError):
    """A mileage rule refused its input; the message is for a person."""


class InvalidJourney(MileageError):
    pass


class NoRateInForce(MileageError):
    pass


class MixedTaxYears(MileageError):
    pass


def tax_year_of(day: date) -> int:
    """The UK tax year a day is in, named by the year it starts: the tax year
    runs 6 April to 5 April, so 5 April 2027 is in 2026, 6 April 2027 in 2027."""
    _require_date(day, "The day")
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


def tax_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of tax year ``year``."""
    return date(year, 4, 6), date(year + 1, 4, 5)


def round_tenths_to_pence(miles_tenths: int, pence_per_mile: int) -> int:
    """Tenths of a mile at a whole-penny rate, to a whole penny, half up, with
    integers only: 12.3 miles at 45p is 553.5p, paid as 554p."""
    return (miles_tenths * pence_per_mile + 5) // 10


@dataclass(frozen=True)
class Rate:
    """Pence per mile for ``vehicle`` from mile ``from_mile`` of the tax year
    (car/van only has a band above 0), for journeys on or after
    ``effective_from``."""

    vehicle: str
    from_mile: int
    pence_per_mile: int
    effective_from: date

    def __post_init__(self):
        if self.vehicle not in RATE_KINDS:
            raise MileageError(f"Unknown rate kind {self.vehicle!r}: one of {', '.join(RATE_KINDS)}.")
        if not _is_int(self.from_mile) or self.from_mile < 0:
            raise MileageError("A rate's from_mile must be a whole number of miles, 0 or more.")
        if self.from_mile and self.vehicle != CAR_VAN:
            raise MileageError("Only car/van rates have a band above mile 0.")
        if not _is_int(self.pence_per_mile) or self.pence_per_mile < 0:
            raise MileageError("A rate must be whole pence per mile, 0 or more.")
        _require_date(self.effective_from, "A rate's effective_from")


@dataclass(frozen=True)
class Journey:
    """One journey of a claim. ``key`` is anything that tells journeys apart
    and sorts (an id); it breaks ties between journeys on the same day."""

    key: Hashable
    travelled_on: date
    miles_tenths: int
    vehicle: str
    passengers: int = 0


@dataclass(frozen=True)
class Part:
    """Some of a journey's miles at one rate, and what they come to (rounded)."""

    miles_tenths: int
    pence_per_mile: int
    pence: int


@dataclass(frozen=True)
class JourneyAmount:
    key: Hashable
    parts: tuple[Part, ...]
    passenger_pence: int
    total_pence: int                  # sum of the parts' pence and passenger_pence
    car_van_miles_tenths_to_date: int  # car/van miles in the tax year up to and including this journey


def validate_journey(journey: Journey) -> None:
    """Raise InvalidJourney, saying what is wrong, unless the journey can be paid."""
    _require_date(journey.travelled_on, "The journey's date", error=InvalidJourney)
    if journey.vehicle not in VEHICLES:
        raise InvalidJourney(
            f"Unknown vehicle {journey.vehicle!r}: it must be one of {', '.join(VEHICLES)}.")
    miles = journey.miles_tenths
    if not _is_int(miles):
        raise InvalidJourney("Miles must be given in whole tenths of a mile (12.3 miles is 123).")
    if miles < MIN_MILES_TENTHS:
        raise InvalidJourney("A journey must be at least 0.1 mile.")
    if miles > MAX_MILES_TENTHS:
        raise InvalidJourney(f"A journey cannot be more than {MAX_MILES_TENTHS // 10:,} miles.")
    passengers = journey.passengers
    if not _is_int(passengers) or passengers < 0:
        raise InvalidJourney("The number of passengers must be a whole number, 0 or more.")
    if passengers and journey.vehicle != CAR_VAN:
        raise InvalidJourney("Passengers can only be claimed for in a car or van.")
    if passengers > MAX_PASSENGERS:
        raise InvalidJourney(f"A journey cannot have more than {MAX_PASSENGERS} passengers.")


def rate_table_on(rates: Iterable[Rate], day: date, vehicle: str) -> tuple[Rate, ...]:
    """The bands in force for ``vehicle`` on ``day``, lowest first: for each
    from_mile, the rate with the newest effective_from on or before the day.
    Raises NoRateInForce if there is none, or no band from mile 0."""
    _require_date(day, "The day")
    newest: dict[int, Rate] = {}
    for rate in rates:
        if rate.vehicle != vehicle or rate.effective_from > day:
            continue
        held = newest.get(rate.from_mile)
        if held is None or rate.effective_from > held.effective_from:
            newest[rate.from_mile] = rate
        elif rate.effective_from == held.effective_from and rate != held:
            raise MileageError(
                f"Two {vehicle} rates from mile {rate.from_mile} start on {rate.effective_from.isoformat()}.")
    if 0 not in newest:
        raise NoRateInForce(f"No {vehicle} mileage rate is in force on {day.isoformat()}.")
    return tuple(newest[m] for m in sorted(newest))


def journey_amounts(journeys: Iterable[Journey], rates: Sequence[Rate],
                    miles_before_tenths: int = 0) -> list[JourneyAmount]:
    """What each journey comes to, given ALL of one volunteer's journeys in one
    tax year (their car/van miles count towards the threshold in date order).

    ``miles_before_tenths``: car/van miles already paid in this tax year that
    are not among ``journeys``. Journeys are taken by date, then key, whatever
    order they come in; the result is in that order. Journeys from more than
    one tax year are refused (MixedTaxYears): group them by ``tax_year_of``
    first, since the threshold starts again each year. Each part (miles at one
    rate, and the passenger miles) is rounded to a whole penny half up; a
    journey's total is the sum of its rounded parts.
    """
    journeys = list(journeys)
    rates = list(rates)
    if not _is_int(miles_before_tenths) or miles_before_tenths < 0:
        raise MileageError("The miles before must be whole tenths of a mile, 0 or more.")
    for journey in journeys:
        validate_journey(journey)
    years = {tax_year_of(j.travelled_on) for j in journeys}
    if len(years) > 1:
        raise MixedTaxYears(
            "These journeys are in more than one tax year ("
            + ", ".join(f"{y}-{str(y + 1)[2:]}" for y in sorted(years))
            + "); work out each tax year on its own.")
    keys = [j.key for j in journeys]
    if len(set(keys)) != len(keys):
        raise MileageError("Two journeys have the same key.")

    so_far = miles_before_tenths
    result = []
    for journey in sorted(journeys, key=lambda j: (j.travelled_on, j.key)):
        bands = rate_table_on(rates, journey.travelled_on, journey.vehicle)
        if journey.vehicle == CAR_VAN:
            start = so_far
            so_far += journey.miles_tenths
        else:
            start = 0  # only car/van miles count towards a threshold
        parts = tuple(_split(start, journey.miles_tenths, bands))
        passenger_pence = 0
        if journey.passengers:
            (passenger_rate, *_) = rate_table_on(rates, journey.travelled_on, PASSENGER)
            passenger_pence = round_tenths_to_pence(journey.miles_tenths * journey.passengers,
                                                    passenger_rate.pence_per_mile)
        result.append(JourneyAmount(
            key=journey.key,
            parts=parts,
            passenger_pence=passenger_pence,
            total_pence=sum(p.pence for p in parts) + passenger_pence,
            car_van_miles_tenths_to_date=so_far,
        ))
    return result


def _split(start: int, miles_tenths: int, bands: tuple[Rate, ...]):
    """The parts of the miles from ``start`` to ``start + miles_tenths``
    (tenths of the year's count) that fall in each band."""
    end = start + miles_tenths
    for i, band in enumerate(bands):
        low = band.from_mile * 10
        high = bands[i + 1].from_mile * 10 if i + 1 < len(bands) else None
        lo = max(start, low)
        hi = end if high is None else min(end, high)
        if hi > lo:
            yield Part(hi - lo, band.pence_per_mile, round_tenths_to_pence(hi - lo, band.pence_per_mile))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require_date(value, what: str, error=MileageError) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise error(f"{what} must be a date.")
