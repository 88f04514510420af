"""GET /api/sync/pull: snapshot, cursor, paging, tombstones, removed, conflicts."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select

from app.accounts.services import find_by_email
from app.clients.services import assign_client, close_client
from app.sync.pull import Cursor
from app.volunteers.models import MentorPair, PairMembership
from app.volunteers.services import join_pair, leave_pair, set_pair_active
from tests.conftest import DEMO_PASSWORD
from tests.sync.conftest import goal_conflict, mutation, new_visit


def ids(changes, kind=None):
    return {c["id"] for c in changes if kind is None or c["kind"] == kind}


def test_first_pull_is_a_snapshot_of_the_pairs_scope(phone, clients_by_name):
    changes, removed, conflicts = phone("amira@demo.test").pull_all()
    kinds = sorted(c["kind"] for c in changes)
    assert kinds == ["client", "client", "goal", "goal", "visit", "visit"]
    names = {c["data"]["name"] for c in changes if c["kind"] == "client"}
    assert names == {"Margaret Hill", "George Turner"}
    client = next(c for c in changes if c["kind"] == "client")
    assert set(client["data"]) == {"name", "preferred_name", "phone", "address", "risks", "main_issues",
                                   "desired_outcome", "status"}
    assert removed == [] and conflicts == []


def test_incremental_pull_gets_only_what_changed(phone, margaret):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    amira.pull_all(), ben.pull_all()
    assert ben.pull()["changes"] == []
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    body = ben.pull()
    assert [c["id"] for c in body["changes"]] == [str(vid)]
    assert body["changes"][0]["rev"] == 1 and body["changes"][0]["data"]["notes"] == "first notes"
    assert ben.pull()["changes"] == []


def test_paging_with_limit_and_has_more_loses_and_repeats_nothing(phone, margaret):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    created = {str(uuid.uuid4()) for _ in range(23)}
    amira.push(*[mutation("visit", v, "create", new_visit(margaret.id)) for v in created])
    seen = []
    while True:
        body = ben.pull(limit=5)
        assert len(body["changes"]) <= 5
        seen += [c["id"] for c in body["changes"]]
        if not body["has_more"]:
            break
    assert len(seen) == len(set(seen)) == 23 + 6
    assert created <= set(seen)


def test_tombstone_reaches_a_device_offline_for_30_days(phone, margaret):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    ben.pull_all()  # then Ben's phone sits in a drawer
    amira.push(mutation("visit", vid, "delete", base_rev=1))
    for day in range(30):  # a month of other work
        amira.push(mutation("goal", uuid.uuid4(), "create", {"client_id": str(margaret.id), "title": f"Day {day}"}))
    changes, _, _ = ben.pull_all()
    [tombstone] = [c for c in changes if c["id"] == str(vid)]
    assert tombstone["deleted"] is True and tombstone["data"] is None and tombstone["rev"] == 2


def test_snapshot_leaves_out_old_tombstones(phone, margaret):
    amira = phone("amira@demo.test")
    vid = uuid.uuid4()
    amira.push(mutation("visit", vid, "create", new_visit(margaret.id)))
    amira.push(mutation("visit", vid, "delete", base_rev=1))
    changes, _, _ = phone("ben@demo.test").pull_all()
    assert str(vid) not in ids(changes)


def test_no_mentor_ever_pulls_another_pairs_records(phone, clients_by_name):
    dev = phone("dev@demo.test")
    pat = clients_by_name["Patricia Lowe"]
    dev.push(mutation("visit", uuid.uuid4(), "create", new_visit(pat.id)))
    changes, _, _ = phone("amira@demo.test").pull_all()
    south = {str(clients_by_name["Patricia Lowe"].id), str(clients_by_name["Daniel Reed"].id)}
    assert not south & ids(changes, "client")
    assert all(c["data"]["client_id"] not in south for c in changes if c["kind"] != "client")


def user(session, email):
    return find_by_email(session, email)


def pair(session, name):
    return session.scalar(select(MentorPair).where(MentorPair.name == name))


def test_reassignment_produces_removed_for_the_old_pair_and_records_for_the_new(phone, session, clients_by_name):
    amira, dev = phone("amira@demo.test"), phone("dev@demo.test")
    george = clients_by_name["George Turner"]
    amira_records = amira.pull_all()[0]
    george_records = {c["id"] for c in amira_records if c["id"] == str(george.id) or
                      (c["data"] or {}).get("client_id") == str(george.id)}
    dev.pull_all()
    assign_client(session, george, pair(session, "South"), user(session, "coordinator@demo.test"))
    session.commit()
    _, removed, _ = amira.pull_all()
    assert {r["id"] for r in removed} == george_records
    changes, removed_for_dev, _ = dev.pull_all()
    assert george_records <= ids(changes) and removed_for_dev == []


def test_closing_a_case_removes_it_from_the_phones(phone, session, margaret):
    amira = phone("amira@demo.test")
    amira.pull_all()
    close_client(session, margaret, user(session, "coordinator@demo.test"), "Goals met")
    session.commit()
    changes, removed, _ = amira.pull_all()
    assert {"kind": "client", "id": str(margaret.id)} in removed
    assert len(removed) == 3  # the client, a visit and a goal
    assert str(margaret.id) not in ids(changes)


def test_mentor_leaving_the_pair_loses_its_clients_partner_keeps_them(phone, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    amira.pull_all(), ben.pull_all()
    membership = session.scalar(select(PairMembership).where(PairMembership.user_id == user(session, "ben@demo.test").id))
    leave_pair(session, membership)
    session.commit()
    assert len([r for r in ben.pull_all()[1] if r["kind"] == "client"]) == 2
    assert amira.pull_all()[1] == []


def test_new_mentor_joining_gets_the_pairs_clients(phone, session):
    ben = phone("ben@demo.test")
    membership = session.scalar(select(PairMembership).where(PairMembership.user_id == user(session, "ben@demo.test").id))
    leave_pair(session, membership)
    session.commit()
    ben.pull_all()
    assert ben.pull_all()[0] == []
    join_pair(session, pair(session, "North"), user(session, "ben@demo.test"))
    session.commit()
    changes, _, _ = ben.pull_all()
    assert len(ids(changes, "client")) == 2 and len(changes) == 6


def test_pair_stopped_removes_everything_and_restarting_brings_it_back(phone, session):
    chloe = phone("chloe@demo.test")
    chloe.pull_all()
    south = pair(session, "South")
    set_pair_active(session, south, False)
    session.commit()
    assert len(chloe.pull_all()[1]) == 6
    set_pair_active(session, south, True)
    session.commit()
    assert len(chloe.pull_all()[0]) == 6


def test_coordinator_pulls_the_whole_area(phone):
    changes, _, _ = phone("coordinator@demo.test").pull_all()
    assert len(ids(changes, "client")) == 4


HUGE = Cursor(after=1, snapshot=10**23).encode()


@pytest.mark.parametrize("query", ["cursor=garbage", "cursor=djI6MTow", f"cursor={HUGE}", "limit=0", "limit=1001",
                                   "limit=ten", "since=3"])
def test_bad_pull_parameters_get_400(api, demo, query):
    response = api("amira@demo.test").get(f"/api/sync/pull?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in ("bad_cursor", "bad_limit", "bad_request")


def test_cursor_from_the_future_is_refused(api, demo):
    response = api("amira@demo.test").get(f"/api/sync/pull?cursor={Cursor(after=10**9).encode()}")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_cursor"


def test_pull_needs_sign_in(client):
    assert client.get("/api/sync/pull").status_code == 401


# -- conflicts: raised_by_name; settled; pair --------------------------------------


def user_id(device):
    return device.api.get("/api/session").get_json()["user"]["id"]


def test_open_conflicts_name_who_raised_them(phone, margaret):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    goal_conflict(amira, ben, margaret.id)
    goal_conflict(ben, amira, margaret.id)  # and one the other way round
    conflicts = amira.pull()["conflicts"]
    assert [(c["raised_by"], c["raised_by_name"]) for c in conflicts] == [
        (user_id(ben), "Ben Walker"), (user_id(amira), "Amira Khan")]


SETTLED_KEYS = {"id", "kind", "record_id", "field", "resolved_by", "resolved_by_name", "resolved_at"}


def test_settled_lists_conflicts_settled_on_the_other_phone_on_every_page(phone, margaret):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    gid, first = goal_conflict(amira, ben, margaret.id)
    assert amira.pull()["settled"] == []
    [r] = ben.push(mutation("goal", gid, "update", {}, base_rev=2, resolves=[first]))  # keep theirs
    assert r["status"] == "applied"
    other_gid, second = goal_conflict(amira, ben, margaret.id)
    [gone] = amira.push(mutation("goal", other_gid, "delete", base_rev=2))  # a delete settles it too
    assert gone["status"] == "applied"

    pages = []
    amira.cursor = None
    while True:
        pages.append(amira.pull(limit=2))
        if not pages[-1]["has_more"]:
            break
    assert len(pages) > 1
    assert all(page["settled"] == pages[0]["settled"] for page in pages)
    newest, older = pages[0]["settled"]
    assert set(newest) == SETTLED_KEYS
    assert (newest["id"], newest["kind"], newest["record_id"], newest["field"]) == (second, "goal", str(other_gid), "title")
    assert (newest["resolved_by"], newest["resolved_by_name"]) == (user_id(amira), "Amira Khan")
    assert (older["id"], older["resolved_by"], older["resolved_by_name"]) == (first, user_id(ben), "Ben Walker")
    assert newest["resolved_at"] >= older["resolved_at"]
    assert datetime.fromisoformat(newest["resolved_at"]).utcoffset() == timedelta(0)
    assert all(page["conflicts"] == [] for page in pages)
    # The other pair's phones and the coordinator: scope decides.
    assert phone("dev@demo.test").pull()["settled"] == []
    assert {s["id"] for s in phone("coordinator@demo.test").pull()["settled"]} == {first, second}


def test_settled_looks_back_seven_days_and_lists_at_most_100_newest_first(phone, margaret, session):
    from app.accounts.services import find_by_email
    from app.sync.models import SyncConflict

    ben = find_by_email(session, "ben@demo.test")
    now = datetime.now(timezone.utc)
    rows = [{"id": uuid.uuid4(), "kind": "goal", "record_id": uuid.uuid4(), "owner_type": "client", "owner_id": margaret.id, "field": "title",
             "base": "a", "mine": "b", "theirs": "c", "raised_by_id": ben.id, "mutation_id": uuid.uuid4(),
             "created_at": now - timedelta(days=10), "resolved_at": now - timedelta(hours=n),
             "resolved_by_id": ben.id, "resolved_by_mutation_id": uuid.uuid4()}
            for n in range(1, 106)]  # 105 within the week
    rows.append({**rows[0], "id": uuid.uuid4(), "resolved_at": now - timedelta(days=7, minutes=5)})  # too old
    session.execute(insert(SyncConflict.__table__), rows)
    session.commit()
    settled = phone("amira@demo.test").pull()["settled"]
    assert [s["id"] for s in settled] == [str(r["id"]) for r in rows[:100]]


def test_pair_lists_the_volunteers_current_pair_and_its_members(phone, session):
    amira = phone("amira@demo.test")
    north = pair(session, "North")
    expected = {"id": str(north.id), "name": "North",
                "members": [{"id": user_id(amira), "name": "Amira Khan"},
                            {"id": str(user(session, "ben@demo.test").id), "name": "Ben Walker"}],
                "cleared": True, "missing": [], "office": []}
    pages = []
    while not pages or pages[-1]["has_more"]:
        pages.append(amira.pull(limit=2))
    assert len(pages) > 1 and all(page["pair"] == expected for page in pages)
    assert phone("ben@demo.test").pull()["pair"] == expected
    assert phone("dev@demo.test").pull()["pair"]["name"] == "South"


def test_pair_is_null_for_office_roles(phone, session):
    from app.accounts.services import create_user

    create_user(session, email="admin@demo.test", name="Ada Admin", role="admin", password=DEMO_PASSWORD)
    session.commit()
    assert phone("coordinator@demo.test").pull()["pair"] is None
    assert phone("admin@demo.test").pull()["pair"] is None


def test_pair_follows_leaving_joining_and_stopping(phone, session):
    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    membership = session.scalar(select(PairMembership).where(PairMembership.user_id == user(session, "ben@demo.test").id))
    leave_pair(session, membership)
    session.commit()
    assert ben.pull()["pair"] is None
    assert [m["name"] for m in amira.pull()["pair"]["members"]] == ["Amira Khan"]
    join_pair(session, pair(session, "North"), user(session, "ben@demo.test"))
    session.commit()
    assert [m["name"] for m in ben.pull()["pair"]["members"]] == ["Amira Khan", "Ben Walker"]
    set_pair_active(session, pair(session, "North"), False)
    session.commit()
    assert amira.pull()["pair"] is None and ben.pull()["pair"] is None
