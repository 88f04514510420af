"""Office clients, another area's coordinator, volunteers with and without their checks."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import create_user
from app.volunteers.models import ComplianceCheck, MentorPair
from tests.conftest import DEMO_PASSWORD
from tests.safeguarding.conftest import Office, clients_by_name, office, other_area_coordinator, raise_concern  # noqa: F401,E501
from tests.sync.conftest import Phone


@pytest.fixture
def volunteer(app, demo):
    """volunteer(email, name, cleared=True, area="County Durham") -> user id."""
    from app.db import db

    def make(email, name, cleared=True, area="County Durham"):
        with app.app_context():
            user = create_user(db.session, email=email, name=name, role="volunteer", password=DEMO_PASSWORD,
                               area_name=area)
            kinds = ("dbs", "police_vetting", "safeguarding_training", "scheme_training")
            for kind in kinds if cleared else kinds[:2]:
                db.session.add(ComplianceCheck(user_id=user.id, kind=kind,
                                               completed_on=date.today() - timedelta(days=30)))
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def pairs_by_name(session, demo):
    return {p.name: p for p in session.scalars(select(MentorPair))}


@pytest.fixture
def phone(api, demo):
    def make(email):
        return Phone(api(email))

    return make


def fresh(session, model, id_):
    session.rollback()
    session.expire_all()  # with no transaction open, rollback alone keeps stale objects
    return session.get(model, id_)


def user_id(session, email):
    session.rollback()
    return session.scalar(select(User.id).where(User.email == email))
