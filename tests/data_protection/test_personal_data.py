"""The map of personal data (app/data_protection/personal_data.py) covers
every table and column there is, so nothing personal escapes the subject
access export and the retention command."""
from __future__ import annotations

from app.data_protection import personal_data
from app.data_protection.personal_data import CLIENT, TABLES, unmapped
from app.models import Base  # app.models imports every table


def _schema() -> dict[str, list[str]]:
    return {table.name: [column.name for column in table.columns] for table in Base.metadata.tables.values()}


def test_every_table_and_column_of_the_app_is_in_the_map():
    assert unmapped(_schema()) == []


def test_a_new_table_or_column_the_map_does_not_name_is_reported():
    schema = _schema()
    schema["clients"] = schema["clients"] + ["nickname"]
    schema["client_photos"] = ["id", "client_id", "image"]
    problems = unmapped(schema)
    assert "table client_photos is not in the map (app/data_protection/personal_data.py)" in problems
    assert "column clients.nickname is classified 0 times, not once" in problems


def test_a_column_the_table_no_longer_has_is_reported():
    schema = _schema()
    schema["visits"] = [c for c in schema["visits"] if c != "notes"]
    del schema["areas"]
    problems = unmapped(schema)
    assert "the map names visits.notes, which the table does not have" in problems
    assert "the map names table areas, which does not exist" in problems


def test_a_column_classified_twice_is_reported(monkeypatch):
    entry = TABLES["visits"]
    monkeypatch.setitem(TABLES, "visits", personal_data.TableMap(
        entry.owner, entry.owner_column, identifying=entry.identifying, kept=entry.kept + ("notes",)))
    assert "column visits.notes is classified 2 times, not once" in unmapped(_schema())


def test_an_identifying_column_that_cannot_be_null_keeps_a_value_when_anonymised():
    """Otherwise the retention command would fail on the NOT NULL column."""
    for name, entry in TABLES.items():
        if entry.owner != CLIENT:
            continue
        table = Base.metadata.tables[name]
        for column in entry.identifying:
            if not table.c[column].nullable:
                assert column in entry.keeps_a_value, f"{name}.{column} is NOT NULL"


def test_the_names_the_people_and_free_text_of_a_client_are_identifying():
    """Spot checks of what the brief names: a slip here would keep personal data past retention."""
    assert {"name", "phone", "address", "date_of_birth", "main_issues", "risks"} <= set(TABLES["clients"].identifying)
    assert {"title", "reality", "options", "will"} == set(TABLES["goals"].identifying)
    assert "notes" in TABLES["visits"].identifying and "details" in TABLES["concerns"].identifying
    assert {"count", "period", "measure"} <= set(TABLES["demand_counts"].kept)
    assert "raw_score" in TABLES["wellbeing_scores"].kept and "status" in TABLES["goals"].kept
    assert "password_hash" in TABLES["users"].secret and "secret_hash" in TABLES["sign_ins"].secret


def test_the_anonymised_name_is_made_from_the_record_id_only():
    assert personal_data.anonymised_name("0f1e2d3c-aaaa-4bbb-8ccc-123456789abc") == "Anonymised client 0f1e2d3c"


def test_a_column_kept_by_value_or_about_a_client_must_be_identifying(monkeypatch):
    entry = TABLES["expense_items"]
    monkeypatch.setitem(TABLES, "expense_items", personal_data.TableMap(
        entry.owner, entry.owner_column, identifying=entry.identifying, kept=entry.kept,
        about_a_client=("claimed_pence",)))
    assert ("expense_items.claimed_pence keeps a value or is about a client but is not identifying"
            in unmapped(_schema()))
