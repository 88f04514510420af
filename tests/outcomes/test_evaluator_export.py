"""The evaluators' export (app/outcomes/evaluator_export.py): a hand-made
fixture gives exactly the rows worked out below; nothing that names or
describes a person (seeded with markers) reaches the CSV; the pseudonym is
stable and changes with the key; area scoping. SQLite and PostgreSQL.
The office page, the refusal and the audit log: test_evaluator_export_pages.py."""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.accounts.models import User
from app.accounts.services import create_user
from app.areas.models import Area
from app.clients.models import Client
from app.db import utcnow
from app.outcomes import demand, evaluator_export
from app.outcomes.evaluator_export import COLUMNS, ExportInputError, ExportRefused
from app.wellbeing.models import WellbeingScore
from tests.conftest import DEMO_PASSWORD

KEY = "k" * 40
TODAY = date(2026, 9, 1)
# Client A's periods (tests/outcomes/test_demand.py works them out by hand):
#   7 to 12 months before: 31 Aug 2024 to 27 Feb 2025;  6 months before: 28 Feb 2025 to 30 Aug 2025
#   during support: 31 Aug 2025 to 31 Jan 2026;         6 months after: 1 Feb 2026 to 31 Jul 2026
REFERRED = date(2025, 8, 31)
CLOSED_AT = datetime(2026, 1, 31, 16, 0, tzinfo=timezone.utc)

# Everything that names or describes someone, each with a marker no export may hold.
MARKERS = ("NAMEMARK", "PREFMARK", "ADDRMARK", "PHONEMARK", "REFERRERMARK", "CONTACTMARK", "ISSUEMARK",
           "OUTCOMEMARK", "RISKMARK", "OTHERMARK", "DECISIONMARK", "SOURCEMARK", "REASONMARK", "STAFFMARK")


def person(prefix: str, **fields) -> Client:
    """A client with every personal and free-text field filled with markers."""
    return Client(name=f"{prefix} NAMEMARK", preferred_name="PREFMARK", phone="07700 900123 PHONEMARK",
                  address="1 ADDRMARK Street, Durham DH1 1AA", date_of_birth=date(1941, 7, 19), age_at_referral=84,
                  consent_given=True, referred_by="REFERRERMARK", referrer_contact="CONTACTMARK",
                  main_issues="ISSUEMARK", desired_outcome="OUTCOMEMARK", risks="RISKMARK",
                  other_information="OTHERMARK", decision_reason="DECISIONMARK", **fields)


def count(session, staff, client, measure, count_, period="", first="", last="", source="SOURCEMARK extract"):
    row = demand.record(session, staff, client, {
        "measure": measure, "period": period, "first_day": first, "last_day": last, "count": str(count_),
        "source": source, "obtained_on": "2026-08-20"}, TODAY)
    session.flush()
    return row


def check(session, client, day, occasion, answers, deleted=False):
    raw = sum(answers)
    from app.outcomes.rules import SWEMWBS_METRIC
    session.add(WellbeingScore(client_id=client.id, recorded_on=day, occasion=occasion,
                               **{f"q{n}": a for n, a in enumerate(answers, start=1)}, raw_score=raw,
                               metric_hundredths=int(SWEMWBS_METRIC[raw].replace(".", "")),
                               deleted_at=utcnow() if deleted else None))


@pytest.fixture
def world(session):
    north, south = Area(name="Northfield"), Area(name="Southgate")
    session.add_all([north, south])
    session.flush()
    staff = create_user(session, email="north@scheme.test", name="Cora STAFFMARK", role="coordinator",
                        password=DEMO_PASSWORD, area_name="Northfield")
    create_user(session, email="south@scheme.test", name="Sam South", role="coordinator", password=DEMO_PASSWORD,
                area_name="Southgate")
    create_user(session, email="admin@scheme.test", name="Ada Admin", role="admin", password=DEMO_PASSWORD)
    a = person("Alice", area_id=north.id, status="closed", referral_received_on=REFERRED, closed_at=CLOSED_AT)
    b = person("Bob", area_id=north.id, status="active", referral_received_on=date(2026, 3, 10))
    waiting = person("Cyril", area_id=north.id, status="referred", referral_received_on=date(2026, 8, 1))
    declined = person("Dora", area_id=north.id, status="declined", referral_received_on=date(2026, 8, 1))
    gone = person("Edna", area_id=north.id, status="active", referral_received_on=date(2026, 1, 1),
                  deleted_at=utcnow())
    elsewhere = person("Fred", area_id=south.id, status="active", referral_received_on=date(2026, 2, 1))
    session.add_all([a, b, waiting, declined, gone, elsewhere])
    session.flush()

    # A's demand. 7 to 12 months before: police calls 9, corrected to 7 (the 9 stays history only).
    wrong = count(session, staff, a, "police_calls", 9, period="before_12_to_7")
    demand.correct(session, staff, a, wrong.id, {"period": "before_12_to_7", "count": "7",
                                                 "source": "SOURCEMARK re-run", "obtained_on": "2026-08-20",
                                                 "reason": "REASONMARK"}, TODAY)
    # 6 months before: all four measures, the whole period (two extracts for the incidents).
    count(session, staff, a, "police_calls", 5, period="before_6")
    count(session, staff, a, "incidents", 1, first="2025-02-28", last="2025-05-31")
    count(session, staff, a, "incidents", 1, first="2025-06-01", last="2025-08-30")
    count(session, staff, a, "asb_reports", 0, period="before_6")
    count(session, staff, a, "other_services", 1, period="before_6")
    # 6 months after: police calls for part of it only.
    count(session, staff, a, "police_calls", 1, first="2026-02-01", last="2026-04-30")
    count(session, staff, elsewhere, "incidents", 4, period="before_6")
    # A's wellbeing: before every period, at referral, at closure, after; a deleted one.
    check(session, a, date(2024, 6, 1), "review", [1] * 7)            # raw 7, 7.00; 15 months before, no period
    check(session, a, date(2025, 9, 5), "referral", [2] * 7)          # raw 14, 15.32; month 0, during
    check(session, a, date(2026, 1, 20), "closure", [3] * 7)          # raw 21, 19.25; month 4, during
    check(session, a, date(2026, 3, 1), "review", [4, 4, 4, 4, 4, 4, 5])  # raw 29, 26.02; month 6, after
    check(session, a, date(2025, 10, 1), "review", [5] * 7, deleted=True)
    session.commit()
    return {"north": north, "south": south, "a": a, "b": b, "elsewhere": elsewhere,
            "others": (waiting, declined, gone)}


def user(session, email):
    return session.scalar(select(User).where(User.email == email))


def choose(session, email, area, include=("demand", "wellbeing")):
    args = MultiDict([("area", area), *(("include", i) for i in include)])
    return evaluator_export.read_choice(session, user(session, email), args)


def export(session, email="north@scheme.test", area=None, include=("demand", "wellbeing"), key=KEY, world=None):
    choice = choose(session, email, area or str(world["north"].id), include)
    return evaluator_export.rows(session, choice, key)


def expected_pseudonym(client, key=KEY):
    """Worked out here, independently: HMAC-SHA256 of the id's 16 bytes, first 16 hex characters."""
    return hmac.new(key.encode(), client.id.bytes, hashlib.sha256).hexdigest()[:16]


def test_a_hand_made_fixture_gives_exactly_these_rows(session, world):
    a, b = expected_pseudonym(world["a"]), expected_pseudonym(world["b"])
    A, B = (a, "Northfield", "closed"), (b, "Northfield", "open")

    def demand_rows(head, period, calls, incidents, asb, other, total, complete):
        values = (calls, incidents, asb, other, total)
        names = ("police_calls", "incidents", "asb_reports", "other_services", "demand_total")
        return [(*head, period, "", "", m, v, c) for m, v, c in zip(names, values, complete)]

    no = ("false",) * 5
    expected_a = [
        (*A, "", -15, "review", "swemwbs_raw", 7, ""), (*A, "", -15, "review", "swemwbs_metric", "7.00", ""),
        *demand_rows(A, "before_12_to_7", 7, "", "", "", 7, ("true", "false", "false", "false", "false")),
        *demand_rows(A, "before_6", 5, 2, 0, 1, 8, ("true",) * 5),
        *demand_rows(A, "during", "", "", "", "", "", no),
        (*A, "during", 0, "referral", "swemwbs_raw", 14, ""), (*A, "during", 0, "referral", "swemwbs_metric", "15.32", ""),
        (*A, "during", 4, "closure", "swemwbs_raw", 21, ""), (*A, "during", 4, "closure", "swemwbs_metric", "19.25", ""),
        *demand_rows(A, "after_6", 1, "", "", "", 1, no),
        (*A, "after_6", 6, "review", "swemwbs_raw", 29, ""), (*A, "after_6", 6, "review", "swemwbs_metric", "26.02", ""),
    ]
    expected_b = [row for p in ("before_12_to_7", "before_6", "during", "after_6")
                  for row in demand_rows(B, p, "", "", "", "", "", no)]
    found = export(session, world=world)
    assert found == sorted(expected_a + expected_b, key=lambda r: r[0] != min(a, b))
    assert all(len(row) == len(COLUMNS) for row in found)


def test_the_csv_has_the_columns_and_the_rows_as_text(session, world):
    text = evaluator_export.to_csv(export(session, world=world))
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == list(COLUMNS)
    assert len(table) == 1 + (20 + 8) + 20  # A: 20 demand rows, 4 checks x 2; B: 20 demand rows
    assert [expected_pseudonym(world["a"]), "Northfield", "closed", "before_6", "", "", "demand_total", "8",
            "true"] in table


def test_only_demand_or_only_wellbeing(session, world):
    demand_only = export(session, world=world, include=("demand",))
    wellbeing_only = export(session, world=world, include=("wellbeing",))
    assert {r[6] for r in demand_only} == {"police_calls", "incidents", "asb_reports", "other_services",
                                          "demand_total"}
    assert {r[6] for r in wellbeing_only} == {"swemwbs_raw", "swemwbs_metric"} and len(wellbeing_only) == 8


def test_nothing_that_names_or_describes_a_person_reaches_the_csv(session, world):
    everything = choose(session, "admin@scheme.test", "all")
    text = evaluator_export.to_csv(evaluator_export.rows(session, everything, KEY))
    for marker in MARKERS:
        assert marker not in text, marker
    for client in (world["a"], world["b"], world["elsewhere"]):
        assert str(client.id) not in text and client.id.hex not in text
    assert "1941" not in text and "DH1" not in text
    # No exact day at all: periods and whole months only.
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}", text)
    assert "Northfield" in text and "Southgate" in text  # (the search works: what may be there is)


def test_the_pseudonym_is_stable_and_changes_with_the_key(session, world):
    first = export(session, world=world)
    again = export(session, world=world)
    other_key = export(session, world=world, key="another-key-" + "z" * 30)
    assert first == again
    assert {r[0] for r in first} == {expected_pseudonym(world["a"]), expected_pseudonym(world["b"])}
    assert {r[0] for r in other_key} == {expected_pseudonym(world["a"], "another-key-" + "z" * 30),
                                         expected_pseudonym(world["b"], "another-key-" + "z" * 30)}
    assert not {r[0] for r in first} & {r[0] for r in other_key}
    other = "another-key-" + "z" * 30
    for client in (world["a"], world["b"]):  # the same rows, under another name
        assert [r[1:] for r in first if r[0] == expected_pseudonym(client)] == \
            [r[1:] for r in other_key if r[0] == expected_pseudonym(client, other)]


def test_a_coordinator_exports_their_own_area_only(session, world):
    mine = export(session, world=world)
    assert {r[1] for r in mine} == {"Northfield"}
    assert expected_pseudonym(world["elsewhere"]) not in {r[0] for r in mine}
    with pytest.raises(ExportRefused, match="only your own area's clients, not Southgate's"):
        choose(session, "north@scheme.test", str(world["south"].id))
    with pytest.raises(ExportRefused, match="Only an admin may export every area"):
        choose(session, "north@scheme.test", "all")


def test_clients_not_taken_on_or_deleted_are_left_out(session, world):
    everything = evaluator_export.rows(session, choose(session, "admin@scheme.test", "all"), KEY)
    assert {r[0] for r in everything} == {expected_pseudonym(c) for c in (world["a"], world["b"], world["elsewhere"])}


def test_an_admin_exports_one_area_or_all(session, world):
    south = evaluator_export.rows(session, choose(session, "admin@scheme.test", str(world["south"].id)), KEY)
    assert {r[0] for r in south} == {expected_pseudonym(world["elsewhere"])}
    assert (expected_pseudonym(world["elsewhere"]), "Southgate", "open", "before_6", "", "", "incidents", 4,
            "true") in south
    every = choose(session, "admin@scheme.test", "all")
    assert [a.name for a in every.areas] == ["Northfield", "Southgate"] and every.label == "all-areas"


@pytest.mark.parametrize("area, include, field", [
    ("", ("demand",), "area"),
    ("not-an-id", ("demand",), "area"),
    ("00000000-0000-0000-0000-000000000000", ("demand",), "area"),
    (None, (), "include-demand"),
    (None, ("demand", "names"), "include-demand"),
])
def test_choices_that_cannot_be_read_are_refused_by_field(session, world, area, include, field):
    with pytest.raises(ExportInputError) as err:
        choose(session, "north@scheme.test", str(world["north"].id) if area is None else area, include)
    assert list(err.value.errors) == [field]


def test_months_since_referral_and_the_period_of_a_day():
    assert evaluator_export.months_since(date(2025, 8, 31), date(2025, 9, 29)) == 0
    assert evaluator_export.months_since(date(2025, 8, 31), date(2025, 9, 30)) == 1   # a month later (rules.add_months)
    assert evaluator_export.months_since(date(2025, 8, 31), date(2025, 10, 31)) == 2
    assert evaluator_export.months_since(date(2025, 8, 31), date(2026, 2, 28)) == 6   # the month's last day
    assert evaluator_export.months_since(date(2025, 8, 31), date(2025, 8, 30)) == -1
    assert evaluator_export.period_of(date(2025, 8, 31), REFERRED, None) == "during"   # open: runs on
    assert evaluator_export.period_of(date(2027, 1, 1), REFERRED, None) == "during"
    assert evaluator_export.period_of(date(2025, 8, 30), REFERRED, None) == "before_6"
    assert evaluator_export.period_of(date(2026, 2, 1), REFERRED, date(2026, 1, 31)) == "after_6"
    assert evaluator_export.period_of(date(2026, 8, 1), REFERRED, date(2026, 1, 31)) == ""
    assert evaluator_export.period_of(date(2026, 8, 1), None, None) == ""


def test_the_dictionary_describes_every_column_and_every_period_and_measure():
    described = {(field, value) for field, value, _ in evaluator_export.DICTIONARY}
    assert {(c, "") for c in COLUMNS} <= described and {f for f, _ in described} == set(COLUMNS)
    by_column = evaluator_export.dictionary_by_column()
    assert [c for c, _, _ in by_column] == list(COLUMNS)
    assert sum(1 + len(values) for _, _, values in by_column) == len(evaluator_export.DICTIONARY)
    from app.outcomes.rules import MEASURES, PERIODS
    values = {*MEASURES, "demand_total", "swemwbs_raw", "swemwbs_metric"}
    assert {v for f, v in described if f == "measure" and v} == values
    assert {v for f, v in described if f == "period" and v} == set(PERIODS)
    assert {v for f, v in described if f == "occasion" and v} == {"referral", "review", "closure"}
    table = list(csv.reader(io.StringIO(evaluator_export.dictionary_csv())))
    assert table[0] == ["field", "value", "meaning"] and len(table) == 1 + len(evaluator_export.DICTIONARY)


def test_a_file_name_holds_the_area_and_day_only():
    choice = evaluator_export.Choice((), "County Durham / Ébène", ("demand",))
    assert evaluator_export.filename(choice, TODAY) == "evaluators-county-durham----b-ne-2026-09-01.csv"


def test_a_text_cell_a_spreadsheet_would_run_is_defused_but_numbers_are_not():
    text = evaluator_export.to_csv([("abc", "=HYPERLINK(\"x\")", "open", "", -15, "review", "swemwbs_raw", 7, "")])
    assert text.splitlines()[1] == 'abc,"\'=HYPERLINK(""x"")",open,,-15,review,swemwbs_raw,7,'
