"""Office services for pairs (app/volunteers/services.py)."""
import pytest
from sqlalchemy import select

from app.accounts.services import create_user, find_by_email
from app.volunteers.models import MentorPair
from app.volunteers.services import PairError, current_members, join_pair, leave_pair


def test_a_pair_has_at_most_two_mentors(session, demo):
    north = session.scalar(select(MentorPair).where(MentorPair.name == "North"))
    third = create_user(session, email="third@demo.test", name="Third Mentor", role="volunteer",
                        password="long-enough-pw", area_name="County Durham")
    assert len(current_members(session, north)) == 2

    with pytest.raises(PairError, match="already has two mentors"):
        join_pair(session, north, third)
    assert len(current_members(session, north)) == 2


def test_a_volunteer_joins_a_pair_with_a_free_place(session, demo):
    north = session.scalar(select(MentorPair).where(MentorPair.name == "North"))
    ben = find_by_email(session, "ben@demo.test")
    [ben_in_north] = [m for m in current_members(session, north) if m.user_id == ben.id]
    leave_pair(session, ben_in_north)
    third = create_user(session, email="third@demo.test", name="Third Mentor", role="volunteer",
                        password="long-enough-pw", area_name="County Durham")
    join_pair(session, north, third)
    assert {m.user_id for m in current_members(session, north)} == {find_by_email(session, "amira@demo.test").id, third.id}
