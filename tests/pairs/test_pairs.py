"""Pairs in the office: list, make, change members, end, restart; refusals change nothing."""
import re

from sqlalchemy import func, select

from app.volunteers.models import MentorPair, PairMembership
from tests.pairs.conftest import fresh


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_list_shows_members_clearance_and_clients(office, volunteer):
    volunteer("eve@demo.test", "Eve Uncleared", cleared=False)
    text = text_of(office().get("/office/pairs/").get_data(as_text=True))
    assert "North" in text and "South" in text
    assert "Amira Khan: cleared" in text and "Margaret Hill" in text and "Patricia Lowe" in text


def test_make_a_pair_of_two_cleared_volunteers(office, volunteer, session):
    a, b = volunteer("eve@demo.test", "Eve Adams"), volunteer("fay@demo.test", "Fay Brown")
    coordinator = office()
    response = coordinator.post_form("/office/pairs/new", "/office/pairs/new",
                                     {"name": "East", "area_id": "", "volunteer_1": str(a), "volunteer_2": str(b)})
    # The coordinator's own area is in the hidden field of the page; an empty one is refused.
    assert response.status_code == 400
    page = coordinator.get("/office/pairs/new").get_data(as_text=True)
    area_id = re.search(r'name="area_id" value="([^"]+)"', page).group(1)
    response = coordinator.post_form("/office/pairs/new", "/office/pairs/new",
                                     {"name": "East", "area_id": area_id, "volunteer_1": str(a), "volunteer_2": str(b)})
    assert response.status_code == 303
    followed = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pair East made, with Eve Adams and Fay Brown" in followed
    pair = session.scalar(select(MentorPair).where(MentorPair.name == "East"))
    assert pair.active and session.scalar(select(func.count()).select_from(PairMembership)
                                          .where(PairMembership.pair_id == pair.id)) == 2


def test_making_a_pair_refuses_an_uncleared_volunteer_and_keeps_the_form(office, volunteer, session):
    a, b = volunteer("eve@demo.test", "Eve Adams"), volunteer("fay@demo.test", "Fay Brown", cleared=False)
    coordinator = office()
    page = coordinator.get("/office/pairs/new").get_data(as_text=True)
    area_id = re.search(r'name="area_id" value="([^"]+)"', page).group(1)
    response = coordinator.post_form("/office/pairs/new", "/office/pairs/new",
                                     {"name": "East", "area_id": area_id, "volunteer_1": str(a), "volunteer_2": str(b)})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Fay Brown is not cleared to meet clients: no valid Safeguarding training, Scheme training." in html
    assert 'value="East"' in html
    assert session.scalar(select(MentorPair).where(MentorPair.name == "East")) is None


def test_making_a_pair_needs_a_name_and_two_different_volunteers(office, volunteer):
    a = volunteer("eve@demo.test", "Eve Adams")
    coordinator = office()
    response = coordinator.post_form("/office/pairs/new", "/office/pairs/new",
                                     {"name": " ", "volunteer_1": str(a), "volunteer_2": str(a)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#name">Enter a name for the pair</a>' in html
    assert "Choose a different volunteer from the first" in html


def test_a_volunteer_of_another_area_cannot_be_put_in_a_pair(office, volunteer, other_area_coordinator,
                                                            pairs_by_name):
    stranger = volunteer("zed@demo.test", "Zed Darlington", area="Darlington")
    north = pairs_by_name["North"]
    coordinator = office()
    page = f"/office/pairs/{north.id}"
    ben = re.search(r'/members/([0-9a-f-]+)/remove', coordinator.get(page).get_data(as_text=True)).group(1)
    assert coordinator.post_form(page, f"{page}/members/{ben}/remove").status_code == 303
    # Not in the coordinator's scope at all: the form treats it as no choice.
    response = coordinator.post_form(page, f"{page}/members", {"volunteer_id": str(stranger)})
    assert response.status_code == 400


def test_change_members_third_member_and_uncleared_refused(office, volunteer, pairs_by_name, session):
    north = pairs_by_name["North"]
    eve = volunteer("eve@demo.test", "Eve Adams")
    fay = volunteer("fay@demo.test", "Fay Brown", cleared=False)
    coordinator = office()
    page = f"/office/pairs/{north.id}"
    response = coordinator.post_form(page, f"{page}/members", {"volunteer_id": str(eve)})
    assert response.status_code == 409 and "Pair North already has two mentors." in response.get_data(as_text=True)
    html = coordinator.get(page).get_data(as_text=True)
    ben = [m for m in re.findall(r'/members/([0-9a-f-]+)/remove', html)]
    assert coordinator.post_form(page, f"{page}/members/{ben[1]}/remove").status_code == 303
    response = coordinator.post_form(page, f"{page}/members", {"volunteer_id": str(fay)})
    assert response.status_code == 409
    assert "Only cleared volunteers can be in an active pair." in response.get_data(as_text=True)
    response = coordinator.post_form(page, f"{page}/members", {"volunteer_id": str(eve)})
    assert response.status_code == 303
    assert "Eve Adams is now in pair North" in coordinator.get(page).get_data(as_text=True)


def test_ending_a_pair_with_clients_is_refused_then_works_once_they_move(office, pairs_by_name, clients_by_name,
                                                                          session):
    north, south = pairs_by_name["North"], pairs_by_name["South"]
    coordinator = office()
    page = f"/office/pairs/{north.id}"
    response = coordinator.post_form(page, f"{page}/end")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Pair North still has 2 clients. Move them to another pair first. The pair was not ended." in html
    assert f"/office/clients/{clients_by_name['Margaret Hill'].id}" in html
    assert fresh(session, MentorPair, north.id).active
    for name in ("Margaret Hill", "George Turner"):
        client_page = f"/office/clients/{clients_by_name[name].id}"
        assert coordinator.post_form(client_page, f"{client_page}/assign",
                                     {"pair_id": str(south.id), "reason": "North is stopping."}).status_code == 303
    assert coordinator.post_form(page, f"{page}/end").status_code == 303
    assert not fresh(session, MentorPair, north.id).active
    assert "Pair North has ended" in coordinator.get(page).get_data(as_text=True)
    assert coordinator.post_form(page, f"{page}/restart").status_code == 303
    assert fresh(session, MentorPair, north.id).active


def test_another_areas_coordinator_gets_404_and_admin_sees_all(office, other_area_coordinator, pairs_by_name):
    north = pairs_by_name["North"]
    stranger = office(other_area_coordinator)
    assert stranger.get(f"/office/pairs/{north.id}").status_code == 404
    assert "North" not in text_of(stranger.get("/office/pairs/").get_data(as_text=True))
    token_page = "/office/pairs/"
    assert stranger.post_form(token_page, f"/office/pairs/{north.id}/end").status_code == 404
    admin = office("admin@demo.test")
    assert admin.get(f"/office/pairs/{north.id}").status_code == 200
    assert "County Durham" in admin.get("/office/pairs/").get_data(as_text=True)


def test_mentors_cannot_open_pairs(app, demo, api):
    assert api("amira@demo.test").get("/office/pairs/").status_code == 403
    assert app.test_client().get("/office/pairs/").status_code == 302
