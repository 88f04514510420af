"""Two coordinators acting on one concern at the same moment, on PostgreSQL."""
import pytest
from sqlalchemy import select

from app.fieldwork.models import Concern
from app.safeguarding.models import ConcernAction
from tests.sync.test_postgres_concurrency import run_together


@pytest.fixture
def database_url(pg_database_url):
    """PostgreSQL only (overrides the two-backend fixture)."""
    return pg_database_url


def test_two_acknowledgements_at_once_write_one(office, raise_concern, clients_by_name, other_area_coordinator,
                                                session):
    margaret = clients_by_name["Margaret Hill"]
    coordinators = [office(), office("admin@demo.test")]
    for _ in range(5):
        concern_id = raise_concern("amira@demo.test", margaret)
        page = f"/office/safeguarding/{concern_id}"
        tokens = [c.post_form for c in coordinators]
        statuses = []
        run_together(*(lambda post=post: statuses.append(post(page, f"{page}/acknowledge").status_code)
                       for post in tokens))
        assert sorted(statuses) == [303, 409]
        session.rollback()
        concern = session.get(Concern, concern_id)
        entries = session.scalars(select(ConcernAction).where(ConcernAction.concern_id == concern_id)).all()
        assert concern.rev == 2 and [e.kind for e in entries] == ["acknowledged"]
        assert entries[0].by_id == concern.acknowledged_by_id


def test_two_outcomes_at_once_close_the_concern_once(office, raise_concern, clients_by_name, other_area_coordinator,
                                                     session):
    concern_id = raise_concern("amira@demo.test", clients_by_name["Margaret Hill"])
    page = f"/office/safeguarding/{concern_id}"
    coordinators = [office(), office("admin@demo.test")]
    coordinators[0].post_form(page, f"{page}/acknowledge")
    statuses = []
    run_together(*(lambda c=c, i=i: statuses.append(c.post_form(page, f"{page}/outcome", {"text": f"Outcome {i}"})
                                                    .status_code) for i, c in enumerate(coordinators)))
    assert sorted(statuses) == [303, 409]
    session.rollback()
    outcomes = session.scalars(select(ConcernAction).where(ConcernAction.concern_id == concern_id,
                                                           ConcernAction.kind == "outcome")).all()
    assert len(outcomes) == 1
