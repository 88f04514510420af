"""The finance officer's CSV (/office/expenses/export.csv, app/expenses/export.py):
items of the claims approved in a range, a TOTAL to the penny, cells a
spreadsheet would run as formulas defused, ranges checked."""
import csv
import io
from datetime import date, datetime, timezone

from sqlalchemy import select

from app.expenses import export
from app.expenses.models import ExpenseClaim, ExpenseItem
from tests.expenses.test_office_pages import claims_by_title, darlington  # noqa: F401  (fixture)
from tests.safeguarding.conftest import office  # noqa: F401  (fixture)

TODAY = date.today()


def download(office_client, first=TODAY, last=TODAY):
    response = office_client.get(f"/office/expenses/export.csv?from={first}&to={last}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=expenses-{first}-to-{last}.csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def pence(cell: str) -> int:
    """"12.34" -> 1234, without floats."""
    pounds, pennies = cell.split(".")
    assert len(pennies) == 2
    return int(pounds) * 100 + int(pennies)


def test_the_total_is_the_sum_of_the_approved_items_to_the_penny(office, demo, session):
    coordinator = office()
    url = f"/office/expenses/{claims_by_title(session)['Visits this month'].id}"
    assert coordinator.post_form(url, f"{url}/approve").status_code == 303  # a third claim, approved now

    rows = download(coordinator)
    header, items, total = rows[0], rows[1:-1], rows[-1]
    assert header == list(export.HEADER)
    claims = {c.id: c for c in claims_by_title(session).values() if c.status in ("approved", "paid")}
    assert len(claims) == 3
    db_items = session.scalars(select(ExpenseItem).where(ExpenseItem.claim_id.in_(claims))).all()
    assert len(items) == len(db_items) == 7
    column = header.index("Amount (GBP)")
    assert total[0] == "TOTAL" and all(cell == "" for cell in total[1:column])
    assert pence(total[column]) == sum(pence(r[column]) for r in items) == sum(i.claimed_pence for i in db_items)
    assert pence(total[column]) == sum(c.total_pence for c in claims.values()) == 798 + 1200 + 1184
    by_claim = {}
    for row in items:
        by_claim[row[header.index("Claim id")]] = by_claim.get(row[header.index("Claim id")], 0) + pence(row[column])
    assert by_claim == {str(c.id): c.total_pence for c in claims.values()}
    # Drafts, rejected claims and other volunteers' claims are not in it.
    titles = {r[header.index("Claim title")] for r in items}
    assert titles == {"Visits in the autumn", "Mediation meeting", "Visits this month"}


def test_each_row_says_what_the_item_was(office, demo, session):
    rows = download(office())
    header = rows[0]
    journeys = [dict(zip(header, r)) for r in rows[1:-1] if r[header.index("Item type")] == "Journey"]
    costs = [dict(zip(header, r)) for r in rows[1:-1] if r[header.index("Item type")] == "Cost"]
    one = next(j for j in journeys if j["To"] == "Housing office, Durham")
    assert one["Volunteer"] == "Dev Patel" and one["Volunteer email"] == "dev@demo.test"
    assert (one["Miles"], one["Vehicle"], one["Passengers"]) == ("15.6", "Car or van", "1")
    assert one["Rate used"] == "15.6 miles at 45p; 1 passenger: 15.6 miles at 5p" and one["Amount (GBP)"] == "7.80"
    assert one["Claim status"] == "Approved, waiting to be paid" and one["Approved on"] == TODAY.isoformat()
    assert one["Paid on"] == ""
    [fare] = costs
    assert (fare["Category"], fare["Amount (GBP)"], fare["Miles"], fare["From"]) == ("Fares", "4.20", "", "")
    paid = [j for j in journeys if j["Claim title"] == "Visits in the autumn"]
    assert {j["Paid on"] for j in paid} == {TODAY.isoformat()} and {j["Claim status"] for j in paid} == {"Paid"}
    assert "None" not in str(rows)


def test_cells_a_spreadsheet_would_run_are_defused(office, demo, session):
    claim = claims_by_title(session)["Mediation meeting"]
    claim.title = "=HYPERLINK(\"http://evil.example\",\"Click\")"
    item = session.scalar(select(ExpenseItem).where(ExpenseItem.claim_id == claim.id, ExpenseItem.item_type == "cost"))
    item.description = "+SUM(A1:A9)"
    journey = session.scalar(select(ExpenseItem).where(ExpenseItem.claim_id == claim.id, ExpenseItem.item_type == "journey"))
    journey.from_place, journey.to_place = "@cmd", "-2+3"
    session.commit()
    rows = download(office())
    header = rows[0]
    cells = [c for r in rows[1:] for c in r]
    assert "'=HYPERLINK(\"http://evil.example\",\"Click\")" in cells and "'+SUM(A1:A9)" in cells
    assert "'@cmd" in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert rows[-1][header.index("Amount (GBP)")] == "19.98"  # amounts untouched
    assert export.safe_cell("\t=1") == "'\t=1" and export.safe_cell("Home") == "Home" and export.safe_cell(None) == ""


def test_the_range_is_of_approval_dates_in_london(office, demo, session):
    claims = claims_by_title(session)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    claims["Mediation meeting"].decided_at = datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc)
    claims["Visits in the autumn"].decided_at = datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc)
    session.commit()
    rows = download(office(), date(2026, 7, 1), date(2026, 7, 31))
    header = rows[0]
    assert {r[header.index("Claim title")] for r in rows[1:-1]} == {"Mediation meeting"}
    assert {r[header.index("Approved on")] for r in rows[1:-1]} == {"2026-07-01"}
    assert download(office(), date(2026, 8, 1), date(2026, 8, 1))[1:] == [["TOTAL"] + [""] * 16 + ["0.00"]]


def test_another_area_exports_only_its_own(office, darlington):
    rows = download(office(darlington))
    assert rows[1:] == [["TOTAL"] + [""] * 16 + ["0.00"]]  # their claim is submitted, not approved


def test_bad_ranges_are_explained_on_the_page(office, demo):
    coordinator = office()
    for query, field, message in (
            ("", "export-from", "Enter the first approval date of the export."),
            ("from=2026-01-01", "export-to", "Enter the last approval date of the export."),
            ("from=2026-02-30&to=2026-03-01", "export-from", "The first date must be a real date"),
            ("from=2026-03-01&to=2026-02-01", "export-to", "The last date must be the same as or after the first date."),
            ("from=2024-01-01&to=2026-01-02", "export-to", "Choose a range of at most two years.")):
        response = coordinator.get(f"/office/expenses/export.csv?{query}")
        assert response.status_code == 400, query
        html = response.get_data(as_text=True)
        assert response.mimetype == "text/html" and "There is a problem" in html
        assert f'<a href="#{field}">{message}' in html, (query, html)
        assert f'id="{field}"' in html and f'id="{field}-error"' in html
    assert office().get("/office/expenses/export.csv?from=2024-01-01&to=2026-01-01").status_code == 200


def test_the_queue_offers_the_export_form(office, demo):
    html = office().get("/office/expenses/").get_data(as_text=True)
    assert 'action="/office/expenses/export.csv"' in html and 'method="get"' in html
    assert '<label for="export-from">' in html and '<label for="export-to">' in html


