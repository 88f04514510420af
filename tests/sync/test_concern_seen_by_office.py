"""A concern the office acknowledged reaches the phones: acknowledged_at is
a phone-facing field of the concern kind, read-only for phones."""
import uuid

from app.accounts.models import User
from app.db import db
from app.safeguarding.services import acknowledge
from sqlalchemy import select

from tests.sync.conftest import mutation


def new_concern(client_id, **fields):
    return {"client_id": str(client_id), "category": "exploitation", "details": "Someone is taking his money.",
            "urgency": "urgent", **fields}


def acknowledge_in_office(app, concern_id):
    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
        acknowledge(db.session, concern_id, coordinator)
        db.session.commit()


def test_phones_pull_the_acknowledgement_at_their_next_sync(app, phone, margaret):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    concern_id = uuid.uuid4()
    assert amira.push(mutation("concern", concern_id, "create", new_concern(margaret.id)))[0]["status"] == "applied"
    amira.pull_all()
    changes, _, _ = ben.pull_all()
    [raised] = [c for c in changes if c["id"] == str(concern_id)]
    assert raised["rev"] == 1 and raised["data"]["acknowledged_at"] is None

    acknowledge_in_office(app, concern_id)

    for mentor in (amira, ben):
        changes, _, _ = mentor.pull_all()
        assert [(c["kind"], c["id"], c["rev"]) for c in changes] == [("concern", str(concern_id), 2)]
        seen = changes[0]["data"]["acknowledged_at"]
        assert seen is not None and seen.endswith("+00:00")
        assert changes[0]["data"]["details"] == "Someone is taking his money."


def test_a_phone_cannot_set_acknowledged_at(phone, margaret):
    amira = phone("amira@demo.test")
    concern_id = uuid.uuid4()
    [result] = amira.push(mutation("concern", concern_id, "create",
                                   new_concern(margaret.id, acknowledged_at="2026-11-25T10:00:00+00:00")))
    assert result["status"] == "rejected" and "acknowledged_at" in result["errors"]
    changes, _, _ = amira.pull_all()
    assert str(concern_id) not in {c["id"] for c in changes}


def test_sending_the_create_again_after_acknowledgement_keeps_it(app, phone, margaret):
    amira = phone("amira@demo.test")
    concern_id = uuid.uuid4()
    create = mutation("concern", concern_id, "create", new_concern(margaret.id))
    amira.push(create)
    acknowledge_in_office(app, concern_id)
    # A phone that lost the answer sends the same create again, as a new mutation.
    [again] = amira.push({**create, "mutation_id": str(uuid.uuid4())})
    assert again["status"] == "applied" and again["rev"] == 2
    changes, _, _ = amira.pull_all()
    [concern] = [c for c in changes if c["id"] == str(concern_id)]
    assert concern["rev"] == 2 and concern["data"]["acknowledged_at"] is not None
