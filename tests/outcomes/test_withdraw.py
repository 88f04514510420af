"""Withdrawing a demand count entered by mistake (app/outcomes/demand.py,
withdraw): it leaves the figures (totals, completeness, the reduction, the
evaluators' export) with nothing in its place, stays in the history with
who, when and why, and can be neither withdrawn again nor corrected; no
reason, or a count already taken out, changes nothing. The service, then the
office page. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.outcomes import demand
from app.outcomes.models import DemandCount
from tests.outcomes.test_demand import TODAY, closed_client, form, open_client, people, record  # noqa: F401
from tests.outcomes.test_demand_pages import case, counts, good, page_of, text  # noqa: F401
from tests.safeguarding.conftest import office, other_area_coordinator  # noqa: F401  (fixtures)


def withdraw(session, client, user, row, reason="Entered against the wrong client."):
    taken = demand.withdraw(session, user, client, row.id, {"reason": reason})
    session.commit()
    return taken


def current(session, client):
    return [(c.measure, c.count) for c in demand.current_counts(session, client)]


# -- the service --------------------------------------------------------------------------
def test_a_withdrawn_count_leaves_the_figures_and_stays_in_the_history(session, closed_client, people):
    coordinator, _ = people
    for measure in demand.rules.MEASURES:
        record(session, closed_client, coordinator, measure=measure, period="before_6", count="2")
    for measure in demand.rules.MEASURES:
        record(session, closed_client, coordinator, measure=measure, period="after_6", count="1")
    mistaken = record(session, closed_client, coordinator, measure="incidents", period="during", count="40")
    assert str(demand.figures(session, closed_client).reduction.percent) == "50.0"  # 100 x (8 - 4) / 8

    taken = withdraw(session, closed_client, coordinator, mistaken)
    assert (taken.withdrawn, taken.replaced_by_id, taken.replaced_reason) == (
        True, coordinator.id, "Entered against the wrong client.")
    assert taken.replaced_at is not None
    assert ("incidents", 40) not in current(session, closed_client)
    by = {p.period: p for p in demand.figures(session, closed_client).periods}
    assert by["during"].total == 0 and [m.counts for m in by["during"].measures] == [[], [], [], []]

    # A count of B withdrawn: before_6 is no longer complete, so there is no reduction.
    [calls_before] = [c for c in demand.current_counts(session, closed_client)
                      if (c.period, c.measure) == ("before_6", "police_calls")]
    withdraw(session, closed_client, coordinator, calls_before, "Another client's calls.")
    result = demand.figures(session, closed_client)
    assert (result.before, result.reduction) == (None, None)

    [second, first] = demand.corrections(session, closed_client)
    assert (first.old.id, first.new, first.withdrawn, first.by, first.reason) == (
        mistaken.id, None, True, coordinator.name, "Entered against the wrong client.")
    assert (second.old.id, second.withdrawn, second.reason) == (calls_before.id, True, "Another client's calls.")
    assert session.scalar(select(func.count()).select_from(DemandCount)) == 9  # nothing deleted


def test_the_evaluators_export_leaves_a_withdrawn_count_out(session, closed_client, people):
    from app.areas.models import Area
    from app.outcomes import evaluator_export

    coordinator, _ = people
    row = record(session, closed_client, coordinator, measure="incidents", period="before_6", count="40")
    choice = evaluator_export.Choice((session.get(Area, closed_client.area_id),), "area", ("demand",))
    pseudonym = evaluator_export.pseudonym("k" * 40, closed_client.id)

    def incidents_before():
        return [r[7:] for r in evaluator_export.rows(session, choice, "k" * 40)
                if (r[0], r[3], r[6]) == (pseudonym, "before_6", "incidents")]
    assert incidents_before() == [(40, "true")]
    withdraw(session, closed_client, coordinator, row)
    assert incidents_before() == [("", "false")]


def test_the_same_days_can_be_recorded_again_once_withdrawn(session, closed_client, people):
    coordinator, _ = people
    wrong = record(session, closed_client, coordinator, period="before_6", count="7")
    with pytest.raises(demand.DemandInputError):
        record(session, closed_client, coordinator, period="before_6", count="3")
    session.rollback()
    withdraw(session, closed_client, coordinator, wrong)
    record(session, closed_client, coordinator, period="before_6", count="3")
    assert current(session, closed_client) == [("police_calls", 3)]


@pytest.mark.parametrize("reason, message", [
    ("", "Enter the reason for the withdrawal: it is kept in the history."),
    ("   ", "Enter the reason for the withdrawal: it is kept in the history."),
    ("x" * (demand.MAX_REASON + 1), "The reason must be 2,000 characters or fewer."),
])
def test_a_withdrawal_needs_a_reason_and_changes_nothing_without(session, closed_client, people, reason, message):
    coordinator, _ = people
    row = record(session, closed_client, coordinator, period="before_6")
    with pytest.raises(demand.DemandInputError) as refused:
        demand.withdraw(session, coordinator, closed_client, row.id, {"reason": reason})
    session.rollback()
    assert refused.value.errors == {"reason": message}
    session.refresh(row)
    assert (row.replaced_at, row.withdrawn) == (None, False)


def test_a_withdrawn_count_cannot_be_withdrawn_again_or_corrected(session, closed_client, people):
    coordinator, other = people
    row = record(session, closed_client, coordinator, period="before_6", count="12")
    withdraw(session, closed_client, coordinator, row)
    with pytest.raises(demand.DemandRefused) as refused:
        demand.withdraw(session, other, closed_client, row.id, {"reason": "Again."})
    session.rollback()
    assert str(refused.value).startswith("That count was already withdrawn on ")
    assert coordinator.name in str(refused.value)
    with pytest.raises(demand.DemandRefused) as refused:
        demand.correct(session, coordinator, closed_client, row.id, form(period="before_6", count="13", reason="No."),
                       TODAY)
    session.rollback()
    assert "already withdrawn" in str(refused.value) and "Record the count again" in str(refused.value)
    session.refresh(row)
    assert (row.replaced_reason, row.replaced_by_id) == ("Entered against the wrong client.", coordinator.id)
    assert session.scalar(select(func.count()).select_from(DemandCount)) == 1


def test_a_corrected_count_cannot_be_withdrawn_but_its_correction_can(session, closed_client, people):
    coordinator, _ = people
    old = record(session, closed_client, coordinator, period="before_6", count="12")
    new = demand.correct(session, coordinator, closed_client, old.id, form(period="before_6", count="13",
                                                                             reason="Typo."), TODAY)
    session.commit()
    with pytest.raises(demand.DemandRefused) as refused:
        demand.withdraw(session, coordinator, closed_client, old.id, {"reason": "Wrong client."})
    session.rollback()
    assert "already corrected" in str(refused.value) and "Withdraw the current count instead" in str(refused.value)
    withdraw(session, closed_client, coordinator, new)
    assert current(session, closed_client) == []
    assert [(h.withdrawn, h.new is None) for h in demand.corrections(session, closed_client)] == [
        (True, True), (False, False)]


def test_a_count_of_another_client_is_not_found(session, closed_client, open_client, people):
    coordinator, _ = people
    row = record(session, closed_client, coordinator, period="before_6")
    with pytest.raises(LookupError):
        demand.withdraw(session, coordinator, open_client, row.id, {"reason": "x"})
    with pytest.raises(LookupError):
        demand.withdraw(session, coordinator, closed_client, "not-an-id", {"reason": "x"})


def test_the_database_refuses_a_withdrawn_row_that_is_still_current(session, closed_client, people):
    coordinator, _ = people
    row = record(session, closed_client, coordinator, period="before_6")
    row.withdrawn = True
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


# -- the office page ------------------------------------------------------------------------
def withdraw_url(client, row_id):
    return f"/office/clients/{client.id}/demand/{row_id}/withdraw"


def test_withdrawing_in_the_office_with_a_reason(office, case, session):
    client, _ = case
    me = office()
    me.post_form(page_of(client), page_of(client), good(count="40"))
    row_id = session.scalar(select(DemandCount.id))
    session.rollback()
    body = text(me.get(page_of(client)))
    assert f'action="{withdraw_url(client, row_id)}"' in body and "Withdraw this count" in body

    # Without a reason: refused, that form open with its error; nothing changed.
    response = me.post_form(page_of(client), withdraw_url(client, row_id), {"reason": " "})
    assert response.status_code == 400
    body = text(response)
    assert f'<a href="#withdraw-{row_id}-reason">Enter the reason for the withdrawal' in body
    assert f'id="withdraw-{row_id}-reason-error"' in body and '<details class="correction" open>' in body
    assert session.scalar(select(DemandCount.replaced_at)) is None
    session.rollback()

    response = me.post_form(page_of(client), withdraw_url(client, row_id), {"reason": "Entered for the wrong client."})
    assert response.status_code == 303 and response.headers["Location"].endswith("/demand")
    body = text(me.get(page_of(client)))
    assert "Withdrawn: Police calls (999 and 101), 40, for" in body
    assert "Entered for the wrong client." in body and "Withdrawn</strong>: no count replaces it" in body
    assert f'action="{withdraw_url(client, row_id)}"' not in body  # no longer current: no form
    assert counts(session) == 1

    # Again: refused, nothing changed.
    response = me.post_form(page_of(client), withdraw_url(client, row_id), {"reason": "Again."})
    assert response.status_code == 409
    assert "already withdrawn" in text(response) and "Nothing was changed." in text(response)
    session.rollback()
    assert session.scalar(select(DemandCount.replaced_reason)) == "Entered for the wrong client."


def test_another_areas_coordinator_cannot_withdraw(office, other_area_coordinator, case, session):
    client, _ = case
    office().post_form(page_of(client), page_of(client), good())
    row_id = session.scalar(select(DemandCount.id))
    session.rollback()
    response = office(other_area_coordinator).post_form("/office/", withdraw_url(client, row_id),
                                                         {"reason": "Not mine."})
    assert response.status_code == 404
    session.rollback()
    assert session.scalar(select(DemandCount.replaced_at)) is None


def test_a_count_of_another_client_answers_404(office, case, session):
    from app.clients.models import Client

    client, _ = case
    me = office()
    me.post_form(page_of(client), page_of(client), good())
    row_id = session.scalar(select(DemandCount.id))
    other = session.scalars(select(Client).where(Client.id != client.id)).first()
    session.rollback()
    assert me.post_form(page_of(client), withdraw_url(other, row_id), {"reason": "x"}).status_code == 404
    session.rollback()
    assert session.scalar(select(DemandCount.replaced_at)) is None
