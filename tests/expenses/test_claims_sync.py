"""Expense claims and items through the sync API (app/expenses/kinds.py,
app/expenses/services.py): owned by the volunteer, amounts worked out on the
server, a submitted claim locked, the office's decisions."""
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.services import find_by_email
from app.expenses import services
from app.expenses.models import ExpenseClaim
from tests.sync.conftest import Phone, clients_by_name, margaret, mutation, phone  # noqa: F401  (fixtures)

SUBMITTED_AT = "2026-11-20T18:00:00+00:00"


def claim(phone, title="November"):
    claim_id = uuid.uuid4()
    [result] = phone.push(mutation("expense_claim", claim_id, "create", {"title": title}))
    assert result["status"] == "applied", result
    return claim_id


def journey(claim_id, miles_tenths=123, spent_on="2026-11-10", vehicle="car_van", **more):
    return {"claim_id": str(claim_id), "item_type": "journey", "spent_on": spent_on, "from_place": "Home",
            "to_place": "Margaret's", "miles_tenths": miles_tenths, "vehicle": vehicle, **more}


def add(phone, changes, expect="applied"):
    item_id = uuid.uuid4()
    [result] = phone.push(mutation("expense_item", item_id, "create", changes))
    assert result["status"] == expect, result
    return item_id, result


def pulled(phone, kind):
    """Everything of ``kind`` the phone would hold after a fresh pull."""
    phone.cursor = None
    changes, _, _ = phone.pull_all()
    return {c["id"]: c["data"] for c in changes if c["kind"] == kind and not c["deleted"]}


def submit(phone, claim_id, rev, **extra):
    changes = {"status": "submitted", "declaration_accepted": True, "submitted_at": SUBMITTED_AT, **extra}
    [result] = phone.push(mutation("expense_claim", claim_id, "update", changes, base_rev=rev))
    return result


def rev_of(phone, kind, record_id):
    changes, _, _ = phone.pull(cursor=None), None, None
    return next(c["rev"] for c in changes["changes"] if c["id"] == str(record_id))


@pytest.fixture
def amira(phone):
    return phone("amira@demo.test")


def test_a_journey_is_paid_at_the_rates_worked_out_on_the_server(amira):
    claim_id = claim(amira)
    item_id, _ = add(amira, journey(claim_id, miles_tenths=123, passengers=1))
    item = pulled(amira, "expense_item")[str(item_id)]
    # 12.3 miles at 45p = 553.5p -> 554p; 1 passenger: 12.3 miles at 5p = 61.5p -> 62p
    assert item["claimed_pence"] == 616
    assert item["rate_note"] == "12.3 miles at 45p; 1 passenger: 12.3 miles at 5p"
    assert pulled(amira, "expense_claim")[str(claim_id)]["total_pence"] == 616
    assert amira.pull(cursor=None)["mileage"]["car_van_miles_tenths"] >= 123


def test_a_claim_made_and_sent_in_one_push_is_worked_out(amira):
    claim_id, item_id = uuid.uuid4(), uuid.uuid4()
    results = amira.push(
        mutation("expense_claim", claim_id, "create", {"title": "All at once"}),
        mutation("expense_item", item_id, "create", journey(claim_id, miles_tenths=123)),
        mutation("expense_claim", claim_id, "update", {"status": "submitted", "declaration_accepted": True,
                                                      "submitted_at": SUBMITTED_AT}, base_rev=1))
    assert [r["status"] for r in results] == ["applied"] * 3
    assert pulled(amira, "expense_item")[str(item_id)]["claimed_pence"] == 554
    assert pulled(amira, "expense_claim")[str(claim_id)]["total_pence"] == 554


def test_the_10000_miles_count_across_claims_and_a_sent_claim_keeps_its_amounts(amira):
    first = claim(amira, "Earlier")
    add(amira, journey(first, miles_tenths=99_900 // 10, spent_on="2026-05-01"))  # 999.0 miles
    for n in range(9):
        add(amira, journey(first, miles_tenths=10_000, spent_on=f"2026-06-{n + 1:02d}"))  # 9 x 1,000.0 miles
    assert submit(amira, first, rev_of(amira, "expense_claim", first))["status"] == "applied"
    sent = pulled(amira, "expense_item")

    second = claim(amira, "Later")
    item_id, _ = add(amira, journey(second, miles_tenths=200, spent_on="2026-11-01"))  # 9,999.0 before, then 20.0
    item = pulled(amira, "expense_item")[str(item_id)]
    assert item["claimed_pence"] == 45 + 19 * 25 and item["rate_note"] == "1.0 mile at 45p + 19.0 miles at 25p"
    # An earlier-dated journey added later does not change what was sent.
    add(amira, journey(second, miles_tenths=50, spent_on="2026-04-10"))
    after = pulled(amira, "expense_item")
    assert {k: after[k]["claimed_pence"] for k in sent} == {k: v["claimed_pence"] for k, v in sent.items()}


def test_a_submitted_claim_and_its_items_are_locked_and_the_phone_is_told_why(amira):
    claim_id = claim(amira)
    item_id, _ = add(amira, journey(claim_id))
    no_declaration = submit(amira, claim_id, 1, declaration_accepted=False)
    assert no_declaration["status"] == "rejected" and "declaration_accepted" in no_declaration["errors"]
    assert submit(amira, claim_id, rev_of(amira, "expense_claim", claim_id))["status"] == "applied"

    item_rev = rev_of(amira, "expense_item", item_id)
    for m in (mutation("expense_item", item_id, "update", {"miles_tenths": 999}, base_rev=item_rev),
              mutation("expense_item", item_id, "delete", base_rev=item_rev),
              mutation("expense_item", uuid.uuid4(), "create", journey(claim_id)),
              mutation("expense_claim", claim_id, "update", {"title": "Changed"}, base_rev=rev_of(amira, "expense_claim", claim_id))):
        [result] = amira.push(m)
        assert result["status"] == "rejected" and "sent to the office" in result["errors"]["_record"][0], result


def test_only_the_office_approves(amira):
    claim_id = claim(amira)
    [result] = amira.push(mutation("expense_claim", claim_id, "update", {"status": "approved"}, base_rev=1))
    assert result["status"] == "rejected" and "Only the office" in result["errors"]["status"][0]
    [result] = amira.push(mutation("expense_claim", uuid.uuid4(), "create", {"status": "submitted"}))
    assert result["status"] == "rejected" and "draft" in result["errors"]["status"][0]


def test_the_partner_does_not_see_a_volunteers_expenses_and_the_coordinator_does(amira, phone, api, session):
    claim_id = claim(amira)
    add(amira, journey(claim_id))
    assert pulled(phone("ben@demo.test"), "expense_claim") == {}
    coordinator = Phone(api("coordinator@demo.test"))
    # Amira's claim, beside the demo claims of pair South (app/demo/seed.py).
    seen = pulled(coordinator, "expense_claim")
    assert str(claim_id) in seen and {c["volunteer_id"] for k, c in seen.items() if k != str(claim_id)} == {
        str(find_by_email(session, email).id) for email in ("chloe@demo.test", "dev@demo.test")}
    assert pulled(amira, "expense_claim")[str(claim_id)]["volunteer_id"] == str(find_by_email(session, "amira@demo.test").id)


@pytest.mark.parametrize("changes, field", [
    ({"miles_tenths": 0}, "miles_tenths"),
    ({"miles_tenths": -5}, "miles_tenths"),
    ({"miles_tenths": 10_001}, "miles_tenths"),
    ({"miles_tenths": 12.3}, "miles_tenths"),
    ({"vehicle": "tractor"}, "vehicle"),
    ({"vehicle": "bicycle", "passengers": 1}, "passengers"),
    ({"passengers": 9}, "passengers"),
    ({"spent_on": "2099-01-01"}, "spent_on"),
    ({"spent_on": "1-2-2026"}, "spent_on"),
    ({"from_place": None}, "from_place"),
    ({"receipt_sha256": "not-a-hash"}, "receipt_sha256"),
    ({"claim_id": str(uuid.uuid4())}, "claim_id"),
])
def test_bad_journeys_are_refused_with_a_message_and_nothing_written(amira, changes, field):
    claim_id = claim(amira)
    item_id, result = add(amira, {**journey(claim_id), **changes}, expect="rejected")
    assert field in result["errors"], result
    assert str(item_id) not in pulled(amira, "expense_item")


@pytest.mark.parametrize("changes, field", [
    ({"amount_pence": 0}, "amount_pence"),
    ({"amount_pence": 100_001}, "amount_pence"),
    ({"amount_pence": "4.50"}, "amount_pence"),
    ({"category": None}, "category"),
    ({"category": "holiday"}, "category"),
])
def test_bad_costs_are_refused(amira, changes, field):
    claim_id = claim(amira)
    cost = {"claim_id": str(claim_id), "item_type": "cost", "spent_on": "2026-11-10", "category": "parking",
            "amount_pence": 450, **changes}
    _, result = add(amira, cost, expect="rejected")
    assert field in result["errors"], result


def test_a_cost_is_paid_as_entered_and_two_different_amounts_are_a_conflict(amira, phone):
    claim_id = claim(amira)
    cost = {"claim_id": str(claim_id), "item_type": "cost", "spent_on": "2026-11-10", "category": "parking",
            "amount_pence": 450}
    item_id, _ = add(amira, cost)
    assert pulled(amira, "expense_item")[str(item_id)]["claimed_pence"] == 450
    other_phone = phone("amira@demo.test")
    [first] = amira.push(mutation("expense_item", item_id, "update", {"amount_pence": 500}, base={"amount_pence": 450}, base_rev=2))
    [second] = other_phone.push(mutation("expense_item", item_id, "update", {"amount_pence": 550}, base={"amount_pence": 450}, base_rev=2))
    assert first["status"] == "applied" and second["status"] == "conflict"


def test_a_journey_may_name_a_visit_of_the_volunteers_own_clients_only(amira, session, margaret):
    from app.clients.models import Client
    from app.fieldwork.models import Visit

    own_visit = session.scalar(select(Visit).where(Visit.client_id == margaret.id))
    south_client = session.scalar(select(Client).where(Client.name == "Patricia Lowe"))
    south_visit = session.scalar(select(Visit).where(Visit.client_id == south_client.id))
    claim_id = claim(amira)
    add(amira, journey(claim_id, visit_id=str(own_visit.id)))
    _, result = add(amira, journey(claim_id, visit_id=str(south_visit.id)), expect="rejected")
    assert "visit_id" in result["errors"]


def test_the_office_approves_rejects_with_a_reason_and_marks_paid(amira, session):
    claim_id = claim(amira)
    add(amira, journey(claim_id))
    submit(amira, claim_id, rev_of(amira, "expense_claim", claim_id))
    coordinator = find_by_email(session, "coordinator@demo.test")
    record = session.get(ExpenseClaim, claim_id)

    with pytest.raises(services.ClaimError, match="Say why"):
        services.reject(session, record, coordinator, "  ")
    with pytest.raises(services.ClaimError, match="approved claim"):
        services.mark_paid(session, record, coordinator, date(2026, 11, 24))
    services.reject(session, record, coordinator, "Please add the receipt for parking.")
    session.commit()
    back = pulled(amira, "expense_claim")[str(claim_id)]
    assert back["status"] == "rejected" and back["decision_reason"] == "Please add the receipt for parking."

    # The volunteer may change a rejected claim and send it again.
    add(amira, journey(claim_id, miles_tenths=20))
    assert submit(amira, claim_id, rev_of(amira, "expense_claim", claim_id))["status"] == "applied"
    session.expire_all()
    record = session.get(ExpenseClaim, claim_id)
    services.approve(session, record, coordinator)
    services.mark_paid(session, record, coordinator, date.today())
    session.commit()
    assert pulled(amira, "expense_claim")[str(claim_id)]["status"] == "paid"


def test_nobody_decides_on_their_own_claim(amira, session):
    claim_id = claim(amira)
    submit(amira, claim_id, 1)
    record = session.get(ExpenseClaim, claim_id)
    with pytest.raises(services.ClaimError, match="your own claim"):
        services.approve(session, record, find_by_email(session, "amira@demo.test"))
