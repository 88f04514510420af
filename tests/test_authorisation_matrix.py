"""The authorisation matrix (issue 12, "Prove"): every rule of the URL map,
for every method, called as every role, on records of area A (the world of
tests/authorisation_fixtures.py).

Roles: anonymous; mentor_a1 (made area A's records and expenses), mentor_a2
(the other mentor of the same pair), mentor_b1 and mentor_b2 (another pair,
in another area); coordinator_a, coordinator_b (of the other area); admin.
A URL with an id names area A's record, so for mentor_b*, coordinator_b (and
for expenses and receipts, mentor_a2) it is a record of another pair/area.

TABLE has one entry per (endpoint, method) saying, for each role, the exact
status expected (2xx/3xx where the role may; 401, or a redirect to the
sign-in page, for anonymous; 403 or 404 where it may not). The cases are
made from the app's URL map, not from TABLE, so a new route with no entry
is a failing case of its own ("no entry in TABLE"); a TABLE entry with no
route fails test_table_has_no_entry_for_a_route_that_is_gone.

Beside the status, every answer is searched for another area's marker
(and another volunteer's expenses' marker, tests/authorisation_fixtures.py):
never there, allowed or refused. A refused unsafe request must change nothing.

Left out of the map: Flask's own ``static`` rule (the files in static/, the
same for everyone, with no view code of ours: nothing to authorise), and the
HEAD and OPTIONS methods Werkzeug adds to every rule (HEAD runs the GET view;
OPTIONS is answered by Werkzeug without a view).

SQLite only: one world is built per module and copied back before every
test (seconds, where building it per test on PostgreSQL would take minutes);
the scope rules' SQL runs on PostgreSQL in tests/test_scope.py and the
feature tests.
"""
from __future__ import annotations

import hashlib
import io
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import inspect, text

from app import create_app
from tests.authorisation_fixtures import (
    JPEG_HEAD,
    MENTORS,
    PASSWORD,
    ROLES,
    World,
    build_world,
    forbidden_markers,
    form_token,
    restore,
    snapshot,
)
from tests.sync.conftest import mutation
from tests.webpush.test_subscriptions_api import Browser

EXCLUDED = {"static": "Flask's own static files (static/): public files with no view of ours to authorise"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


def _config(database_url, instance, receipts):
    return {"APP_ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
            "INSTANCE_PATH": instance, "RECEIPTS_DIR": str(receipts)}


def _rules():
    """(endpoint, method, rule) of every rule the app has, made at collection
    time from an app of its own (creating one opens no database)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(_config(f"sqlite:///{tmp}/unused.sqlite", Path(tmp) / "instance", Path(tmp) / "receipts"))
        found = sorted({(r.endpoint, m, r.rule) for r in app.url_map.iter_rules() for m in r.methods - IGNORED_METHODS})
        app.extensions["database"]["engine"].dispose()
    return found


RULES = _rules()


# -- expectations ---------------------------------------------------------------
def everyone(status):
    """A public route: the same answer whoever asks."""
    return {role: status for role in ROLES}


def api(ok, **roles):
    """A field app API route: anonymous 401, ``ok`` for every signed-in role unless said otherwise."""
    return {**{role: ok for role in ROLES}, "anonymous": 401, **roles}


def office(ok, other_area=None, **roles):
    """An office page: anonymous sent to sign in (302), mentors 403 (a page
    sending them to their app), coordinators and admins ``ok``; the other
    area's coordinator ``other_area`` (404 for a record of area A: not told it
    exists), ``ok`` when not given (a list, showing only their own area)."""
    answer = {"anonymous": 302, **{m: 403 for m in MENTORS}, "coordinator_a": ok, "admin": ok,
              "coordinator_b": ok if other_area is None else other_area}
    return {**answer, **roles}


@dataclass(frozen=True)
class Call:
    path: Callable[[World], str] | str
    expect: dict
    form: Callable[[World], dict] | None = None       # an office form; the CSRF token is added
    json: Callable[[World], object] | None = None     # a JSON body; the X-CSRF-Token header is added
    data: bytes | None = None                         # a raw body (a receipt)
    content_type: str | None = None
    leak_check: bool = True
    check: Callable | None = None                     # check(role, response, world, db) for more
    shows: bool = False                               # a 200 to a role of area A shows area A's data (a control)

    def url(self, world):
        return self.path(world) if callable(self.path) else self.path.format(w=world)


A_CLIENT = lambda w: f"/office/clients/{w.a.client_id}"  # noqa: E731
A_CLAIM = lambda w: f"/office/expenses/{w.a.submitted_claim_id}"  # noqa: E731
A_CONCERN = lambda w: f"/office/safeguarding/{w.a.records['concern']}"  # noqa: E731
A_SEEN_CONCERN = "/office/safeguarding/{w.a.acknowledged_concern_id}"
A_MENTOR = lambda w: f"/office/volunteers/{w.a.mentor_ids[0]}"  # noqa: E731
SUBSCRIPTION = Browser("https://fcm.googleapis.com/fcm/send/authorisation-matrix").subscription
NEW_RECEIPT = JPEG_HEAD + b"a receipt nobody has sent yet " * 10 + b"\xff\xd9"
TODAY = date.today()


def referral_form(w):
    return {"area_id": str(w.a.area_id), "name": "Newly Referred", "preferred_name": "", "phone": "07700 900111",
            "address": "1 New Road", "date_of_birth": "1958-02-03", "received_on": TODAY.isoformat(),
            "referred_by": "Police", "referrer_contact": "", "main_issues": "Lonely.", "desired_outcome": "Friends.",
            "risks": "", "other_information": "", "consent_given": "yes", "social_isolation": "yes"}


def referral_lands_in_own_area(role, response, world, db):
    """A coordinator's referral goes to their own area, whatever area the form names."""
    area = {"coordinator_a": world.a.area_id, "coordinator_b": world.b.area_id, "admin": world.a.area_id}.get(role)
    if area is not None:
        assert db.execute(text("SELECT area_id FROM clients WHERE name = 'Newly Referred'")).scalar() in (
            area.hex, str(area)), f"{role}'s referral is not in their own area"


def push_results(role, response, world, db):
    """The HTTP answer is 200 for all; the mutation (a goal on area A's client) is applied only for those in scope."""
    if response.status_code != 200:
        return
    [result] = response.get_json()["results"]
    applied = role in ("mentor_a1", "mentor_a2", "coordinator_a", "admin")
    assert (result["status"] == "applied") == applied, f"{role}: {result}"


def zip_of_area_a(role, response, world, db):
    """A subject access export is a zip, compressed, so the search of the body
    cannot see into it: search what it holds. Area A's data only."""
    if response.status_code != 200:
        return
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    held = " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()).lower()
    assert not [m for m in forbidden_markers(role) if m.lower() in held], role
    assert "marka" in held, f"the export as {role} holds none of area A's data"


def goal_on_area_a(w):
    return {"device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [
        mutation("goal", uuid.uuid4(), "create", {"client_id": str(w.a.client_id), "title": "Pushed goal"})]}


def evaluator_export_is_pseudonymised(role, response, world, db):
    """Area A's export holds its demand count, but nothing of any area's
    names, sources or notes (every one of them carries a marker)."""
    if response.status_code != 200:
        return
    body = response.get_data(as_text=True)
    assert "mark" not in body.lower(), body[:2000]
    assert ",Area A,open,before_6,,,police_calls,3,true" in body, body[:2000]


RECEIPT_READERS = {"anonymous": 401, "mentor_a1": 200, "coordinator_a": 200, "admin": 200,
                   "mentor_a2": 404, "mentor_b1": 404, "mentor_b2": 404, "coordinator_b": 404}

TABLE: dict[tuple[str, str], Call] = {
    # The field app's shell: public, the same for everyone, holds no data.
    ("fieldapp.index", "GET"): Call("/", everyone(200)),
    ("fieldapp.favicon", "GET"): Call("/favicon.ico", everyone(200)),
    ("fieldapp.manifest", "GET"): Call("/manifest.webmanifest", everyone(200)),
    ("fieldapp.service_worker", "GET"): Call("/sw.js", everyone(200)),
    ("fieldapp.shell_stylesheet", "GET"): Call("/static/app.css", everyone(200)),
    ("fieldapp.shell_script", "GET"): Call("/static/js/main.js", everyone(200)),

    # Signing in and out: public; called with the admin's credentials (no marker).
    ("accounts.sign_in", "GET"): Call("/sign-in", everyone(200)),
    ("accounts.sign_in", "POST"): Call("/sign-in", everyone(302),
                                      form=lambda w: {"email": w.emails["admin"], "password": PASSWORD}),
    ("accounts.sign_out", "POST"): Call("/sign-out", everyone(302), form=lambda w: {}),
    ("accounts.new_password", "GET"): Call("/account/new-password", everyone(200)),
    ("accounts.new_password", "POST"): Call("/account/new-password", everyone(200), form=lambda w: {
        "email": w.first_time[0], "current_password": w.first_time[1], "new_password": "a-new-password-of-mine",
        "repeat_password": "a-new-password-of-mine"}),
    ("accounts.api_sign_in", "POST"): Call("/api/session", everyone(200),
                                          json=lambda w: {"email": w.emails["admin"], "password": PASSWORD}),
    ("accounts.api_current_session", "GET"): Call("/api/session", api(200)),
    ("accounts.api_sign_out", "DELETE"): Call("/api/session", everyone(204)),
    ("accounts.api_wipe", "POST"): Call("/api/session/wipe", everyone(204)),

    # The description of the JSON API: public, as any API's documentation; no data.
    ("api_docs.openapi_json", "GET"): Call("/api/openapi.json", everyone(200)),

    # The field app's API: signed in; each person's own settings; scope in the data.
    ("receipts.upload", "PUT"): Call(f"/api/receipts/{hashlib.sha256(NEW_RECEIPT).hexdigest()}", api(201),
                                     data=NEW_RECEIPT, content_type="image/jpeg"),
    ("receipts.read", "GET"): Call(lambda w: f"/api/receipts/{w.a.receipt_sha256}", RECEIPT_READERS, shows=True),
    ("reminders.get_preferences", "GET"): Call("/api/reminders/preferences", api(200)),
    ("reminders.put_preferences", "PUT"): Call("/api/reminders/preferences", api(200), json=lambda w: {
        "enabled": True, "evening_time": "18:00", "minutes_before": 60}),
    ("sync.pull_view", "GET"): Call("/api/sync/pull", api(200), shows=True),
    ("sync.push_view", "POST"): Call("/api/sync/push", api(200), json=goal_on_area_a, check=push_results),
    ("webpush.public_key", "GET"): Call("/api/webpush/key", api(200)),
    ("webpush.subscribe", "POST"): Call("/api/webpush/subscriptions", api(201), json=lambda w: SUBSCRIPTION),
    ("webpush.unsubscribe", "DELETE"): Call("/api/webpush/subscriptions", api(204),
                                            json=lambda w: {"endpoint": SUBSCRIPTION["endpoint"]}),
    # 404 "not subscribed": only the caller's own subscriptions are sent to.
    ("webpush.send_test", "POST"): Call("/api/webpush/test", api(404), json=lambda w: {}),

    # The office.
    ("office.home", "GET"): Call("/office/", office(200), shows=True),
    # Admins only; coordinators are not told it is there.
    ("audit.log", "GET"): Call("/office/audit/", office(200, coordinator_a=404, coordinator_b=404)),
    ("audit.log", "POST"): Call("/office/audit/", office(200, coordinator_a=404, coordinator_b=404),
                                form=lambda w: {}),
    ("casework.client", "GET"): Call(A_CLIENT, office(200, 404), shows=True),
    ("casework.assign", "POST"): Call(lambda w: f"/office/clients/{w.a.unassigned_client_id}/assign", office(303, 404),
                                      form=lambda w: {"pair_id": str(w.a.pair_id), "reason": ""}),
    ("data_protection.export_client", "POST"): Call(lambda w: A_CLIENT(w) + "/subject-access", office(200, 404),
                                                   form=lambda w: {}, check=zip_of_area_a),
    ("data_protection.export_volunteer", "POST"): Call(lambda w: A_MENTOR(w) + "/subject-access", office(200, 404),
                                                      form=lambda w: {}, check=zip_of_area_a),
    ("casework.close", "POST"): Call(lambda w: A_CLIENT(w) + "/close", office(303, 404),
                                     form=lambda w: {"reason": "Moved away."}),
    ("wellbeing.wellbeing_page", "GET"): Call(lambda w: A_CLIENT(w) + "/wellbeing", office(200, 404), shows=True),
    ("wellbeing.record", "POST"): Call(lambda w: A_CLIENT(w) + "/wellbeing", office(303, 404), form=lambda w: {
        "recorded_on": (TODAY - timedelta(days=1)).isoformat(), "occasion": "review",
        **{f"q{n}": "4" for n in range(1, 8)}}),
    ("wellbeing.delete", "POST"): Call(lambda w: A_CLIENT(w) + f"/wellbeing/{w.a.records['wellbeing']}/delete",
                                       office(303, 404), form=lambda w: {}),
    ("outcomes.demand_page", "GET"): Call(lambda w: A_CLIENT(w) + "/demand", office(200, 404), shows=True),
    ("outcomes.record", "POST"): Call(lambda w: A_CLIENT(w) + "/demand", office(303, 404), form=lambda w: {
        "measure": "incidents", "period": "before_6", "first_day": "", "last_day": "", "count": "2",
        "source": "Niche extract", "obtained_on": (TODAY - timedelta(days=1)).isoformat()}),
    ("outcomes.correct", "POST"): Call(lambda w: A_CLIENT(w) + f"/demand/{w.a.demand_count_id}/correct",
                                       office(303, 404), form=lambda w: {
        "period": "before_6", "first_day": "", "last_day": "", "count": "4", "source": "Niche extract re-run",
        "obtained_on": (TODAY - timedelta(days=1)).isoformat(), "reason": "The first extract missed a call."}),
    ("outcomes.withdraw", "POST"): Call(lambda w: A_CLIENT(w) + f"/demand/{w.a.demand_count_id}/withdraw",
                                        office(303, 404), form=lambda w: {"reason": "Entered for the wrong client."}),
    # The evaluators' export: a coordinator's own area (another's refused: 403), any or all for an admin.
    ("outcomes.evaluators", "GET"): Call("/office/evaluators/", office(200)),
    ("outcomes.export_evaluators_csv", "GET"): Call(
        lambda w: f"/office/evaluators/export.csv?area={w.a.area_id}&include=demand&include=wellbeing",
        office(200, 403), check=evaluator_export_is_pseudonymised),
    ("outcomes.export_data_dictionary", "GET"): Call("/office/evaluators/data-dictionary.csv", office(200)),
    # The outcomes dashboard: each office person's own area (all areas for an admin).
    ("dashboard.outcomes", "GET"): Call("/office/outcomes/", office(200), shows=True),
    ("dashboard.static", "GET"): Call("/office/outcomes/static/dashboard.css", office(200)),
    ("expenses.queue", "GET"): Call("/office/expenses/", office(200), shows=True),
    ("expenses.export_csv", "GET"): Call(
        f"/office/expenses/export.csv?from={(TODAY - timedelta(days=60)).isoformat()}&to={TODAY.isoformat()}",
        office(200), shows=True),
    ("expenses.claim", "GET"): Call(A_CLAIM, office(200, 404), shows=True),
    ("expenses.approve", "POST"): Call(lambda w: A_CLAIM(w) + "/approve", office(303, 404), form=lambda w: {}),
    ("expenses.reject", "POST"): Call(lambda w: A_CLAIM(w) + "/reject", office(303, 404),
                                      form=lambda w: {"reason": "Not covered."}),
    ("expenses.mark_paid", "POST"): Call(lambda w: f"/office/expenses/{w.a.approved_claim_id}/paid", office(303, 404),
                                         form=lambda w: {"paid_on": TODAY.isoformat()}),
    ("expenses.static", "GET"): Call("/office/expenses/static/expenses.css", office(200)),
    ("pairs.pairs", "GET"): Call("/office/pairs/", office(200), shows=True),
    ("pairs.pair", "GET"): Call(lambda w: f"/office/pairs/{w.a.pair_id}", office(200, 404), shows=True),
    ("pairs.end", "POST"): Call(lambda w: f"/office/pairs/{w.a.solo_pair_id}/end", office(303, 404),
                                form=lambda w: {}),
    ("pairs.add_member", "POST"): Call(lambda w: f"/office/pairs/{w.a.solo_pair_id}/members", office(303, 404),
                                       form=lambda w: {"volunteer_id": str(w.a.spare_ids[1])}),
    ("pairs.remove_member", "POST"): Call(
        lambda w: f"/office/pairs/{w.a.solo_pair_id}/members/{w.a.spare_ids[0]}/remove", office(303, 404),
        form=lambda w: {}),
    ("pairs.restart", "POST"): Call(lambda w: f"/office/pairs/{w.a.ended_pair_id}/restart", office(303, 404),
                                    form=lambda w: {}),
    ("pairs.new_pair", "GET"): Call("/office/pairs/new", office(200)),
    # The other area's coordinator may not choose area A or its volunteers: the form says so (400), nothing is made.
    ("pairs.create_pair", "POST"): Call("/office/pairs/new", office(303, 400), form=lambda w: {
        "name": "New pair", "area_id": str(w.a.area_id), "volunteer_1": str(w.a.spare_ids[0]),
        "volunteer_2": str(w.a.spare_ids[1])}),
    ("referrals.referral_list", "GET"): Call("/office/referrals/?status=all", office(200), shows=True),
    ("referrals.referral", "GET"): Call(lambda w: f"/office/referrals/{w.a.referral_id}", office(200, 404), shows=True),
    ("referrals.decide", "POST"): Call(lambda w: f"/office/referrals/{w.a.referral_id}/decision", office(303, 404),
                                       form=lambda w: {"outcome": "declined", "reason": "Supported elsewhere."}),
    ("referrals.new", "GET"): Call("/office/referrals/new", office(200)),
    # A coordinator's referral goes to their own area, whatever the form names (checked).
    ("referrals.create", "POST"): Call("/office/referrals/new", office(303), form=referral_form,
                                       check=referral_lands_in_own_area),
    ("referrals.static", "GET"): Call("/office/referrals/static/referrals.css", office(200)),
    ("safeguarding.queue", "GET"): Call("/office/safeguarding/", office(200), shows=True),
    ("safeguarding.concern", "GET"): Call(A_CONCERN, office(200, 404), shows=True),
    ("safeguarding.acknowledge", "POST"): Call(lambda w: A_CONCERN(w) + "/acknowledge", office(303, 404),
                                               form=lambda w: {}),
    ("safeguarding.add_action", "POST"): Call(A_SEEN_CONCERN + "/actions", office(303, 404),
                                              form=lambda w: {"text": "Phoned the GP."}),
    ("safeguarding.add_outcome", "POST"): Call(A_SEEN_CONCERN + "/outcome", office(303, 404),
                                               form=lambda w: {"text": "Heating repaired."}),
    ("schedule.schedule", "GET"): Call("/office/schedule/", office(200), shows=True),
    # Area A's client is not one the other area's coordinator may choose: the form says so (400).
    ("schedule.plan", "POST"): Call("/office/schedule/visits", office(303, 400), form=lambda w: {
        "client_id": str(w.a.client_id), "day": (TODAY + timedelta(days=12)).strftime("%d/%m/%Y"),
        "time": "11:00", "length": "30", "location": "Library"}),
    ("volunteers.volunteer_list", "GET"): Call("/office/volunteers/", office(200), shows=True),
    ("volunteers.volunteer", "GET"): Call(A_MENTOR, office(200, 404), shows=True),
    ("volunteers.record_check", "POST"): Call(lambda w: A_MENTOR(w) + "/checks", office(303, 404), form=lambda w: {
        "kind": "police_vetting", "completed_on": (TODAY - timedelta(days=2)).isoformat(),
        "expires_on": (TODAY + timedelta(days=900)).isoformat(), "dbs_certificate_number": "", "dbs_level": ""}),
    ("volunteers.reset_password", "POST"): Call(lambda w: A_MENTOR(w) + "/first-password", office(200, 404),
                                                form=lambda w: {}),
    ("volunteers.revoke_sign_in", "POST"): Call(
        lambda w: A_MENTOR(w) + f"/sign-ins/{w.a.sign_in_id}/revoke", office(303, 404), form=lambda w: {}),
    ("volunteers.revoke_all_sign_ins", "POST"): Call(lambda w: A_MENTOR(w) + "/sign-ins/revoke", office(303, 404),
                                                     form=lambda w: {}),
    ("volunteers.new_volunteer", "GET"): Call("/office/volunteers/new", office(200)),
    # Only one's own area may be chosen: the other area's coordinator is told to choose one (400).
    ("volunteers.create_volunteer", "POST"): Call("/office/volunteers/new", office(200, 400), form=lambda w: {
        "name": "Newly Joined", "email": "newly.joined@example.test", "area_id": str(w.a.area_id)}),
}


# -- the world, once per module; copied back before each test --------------------
@dataclass
class Matrix:
    app: object
    world: World
    db_path: Path
    saved: Path

    def fresh(self, role):
        """A test client as ``role`` on the world as built."""
        restore(self.app, self.db_path, self.saved)
        client = self.app.test_client()
        for name, value in self.world.cookies.get(role, {}).items():
            client.set_cookie(name, value)
        return client

    def engine(self):
        return self.app.extensions["database"]["engine"]


@pytest.fixture(scope="module")
def matrix(sqlite_template, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("authorisation")
    db_path = tmp / "world.sqlite"
    db_path.write_bytes(sqlite_template.read_bytes())
    app = create_app(_config(f"sqlite:///{db_path}", tmp / "instance", tmp / "receipts"))
    world = build_world(app)
    saved = tmp / "saved.sqlite"
    snapshot(app, db_path, saved)
    yield Matrix(app, world, db_path, saved)
    app.extensions["database"]["engine"].dispose()


SEES_AREA_A = ("mentor_a1", "mentor_a2", "coordinator_a", "admin")


# Tables whose rows a refused request must leave alone (the audit log and
# the sign-ins' last-seen times change on every request, by design).
# sync_counter is left out: a push takes change numbers before it decides,
# so the counter may move with no record changing (each record's own seq and
# rev are in its table).
UNCHANGED_TABLES = ("areas", "mentor_pairs", "users", "clients", "compliance_checks",
                    "expense_claims", "pair_memberships", "receipts", "reminder_preferences", "client_assignments",
                    "goals", "problems", "referral_decisions", "referral_facts", "visits", "concerns",
                    "expense_items", "progress_entries", "concern_actions", "webpush_subscriptions", "demand_counts",
                    "wellbeing_scores")


def state(engine) -> dict:
    """What a refused request must not change: the rows of UNCHANGED_TABLES, and which sign-ins are open."""
    with engine.connect() as conn:
        found = {t: sorted(map(repr, conn.execute(text(f"SELECT * FROM {t}")))) for t in UNCHANGED_TABLES}
        if inspect(conn).has_table("sign_ins"):
            found["open sign-ins"] = sorted(map(repr, conn.execute(text(
                "SELECT id, ended_at, end_reason FROM sign_ins"))))
    return found


def send(client, call: Call, method: str, world: World):
    """Make the request as a browser or phone would, with a valid CSRF token for unsafe methods."""
    url = call.url(world)
    headers, kw = {}, {}
    token = None
    if method not in ("GET", "HEAD", "OPTIONS"):
        token = form_token(client.get("/sign-in").get_data(as_text=True))  # the session's token
        headers["X-CSRF-Token"] = token
    if call.form is not None:
        kw["data"] = {**call.form(world), "csrf_token": token}
    elif call.json is not None:
        kw["json"] = call.json(world)
    elif call.data is not None:
        kw["data"] = call.data
        headers["Content-Type"] = call.content_type
    return client.open(url, method=method, headers=headers, **kw)


CASES = [pytest.param(endpoint, method, rule, role, id=f"{endpoint}-{method}-{role}")
         for endpoint, method, rule in RULES if endpoint not in EXCLUDED for role in ROLES]


@pytest.mark.parametrize("endpoint, method, rule, role", CASES)
def test_route_as_role(matrix, endpoint, method, rule, role):
    call = TABLE.get((endpoint, method))
    assert call is not None, (
        f"{method} {rule} ({endpoint}) has no entry in TABLE in tests/test_authorisation_matrix.py: "
        "add one saying what each role gets")
    expected = call.expect[role]
    client = matrix.fresh(role)
    refused = expected in (401, 403, 404) or (
        expected in (302, 400) and role in ("anonymous", "coordinator_b") and rule.startswith("/office/"))
    before = state(matrix.engine()) if method != "GET" and refused else None
    response = send(client, call, method, matrix.world)
    body = response.get_data().decode("utf-8", "replace")
    assert response.status_code == expected, (
        f"{method} {call.url(matrix.world)} as {role}: expected {expected}, got {response.status_code}: {body[:500]}")
    if expected == 302 and role == "anonymous" and rule.startswith("/office/"):
        assert response.headers["Location"].startswith("/sign-in"), response.headers["Location"]
    if call.leak_check:
        lowered = (body + " ".join(f"{k}: {v}" for k, v in response.headers.items())).lower()
        leaked = [m for m in forbidden_markers(role) if m.lower() in lowered]
        assert not leaked, (f"{method} {call.url(matrix.world)} as {role} shows data it may not see ({leaked}): "
                            f"{body[:2000]}")
    if call.shows and expected == 200 and role in SEES_AREA_A:
        assert "marka" in body.lower(), f"{call.url(matrix.world)} as {role} shows none of area A's data: {body[:1000]}"
    if before is not None:
        assert state(matrix.engine()) == before, f"refused {method} {call.url(matrix.world)} as {role} changed data"
    if call.check is not None:
        with matrix.engine().connect() as conn:
            call.check(role, response, matrix.world, conn)


def test_table_has_no_entry_for_a_route_that_is_gone():
    routes = {(endpoint, method) for endpoint, method, _ in RULES}
    assert not set(TABLE) - routes, f"TABLE entries with no route: {sorted(set(TABLE) - routes)}"
    assert not set(EXCLUDED) & {endpoint for endpoint, _ in TABLE}


def test_every_entry_says_what_every_role_gets():
    for key, call in TABLE.items():
        assert set(call.expect) == set(ROLES), f"{key}: {sorted(set(ROLES) ^ set(call.expect))}"


# -- the sync API: what a pull gives, and pushes on records out of scope ---------
CLIENT_OWNED = ("client", "visit", "goal", "progress", "problem", "concern", "wellbeing")
VOLUNTEER_OWNED = ("expense_claim", "expense_item")


def pull_everything(client) -> tuple[list[dict], str]:
    """Every change a first pull gives, and the text of every page."""
    changes, cursor, pages = [], None, []
    for _ in range(50):
        response = client.get("/api/sync/pull", query_string={"cursor": cursor} if cursor else {})
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append(response.get_data(as_text=True))
        body = response.get_json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, "\n".join(pages)
    raise AssertionError("the pull never ended")


def ids_of_area(aw) -> set[str]:
    """The ids of everything of an area's clients and volunteers."""
    found = {aw.client_id, aw.unassigned_client_id, aw.referral_id, aw.submitted_claim_id, aw.approved_claim_id,
             aw.draft_claim_id, aw.acknowledged_concern_id, aw.planned_visit_id, *aw.records.values()}
    return {str(i) for i in found}


def in_scope(world: World, role: str):
    """(client ids, volunteer ids) whose records ``role`` may hold."""
    everyone_of = {letter: ({str(aw.client_id), str(aw.unassigned_client_id), str(aw.referral_id)},
                            {str(i) for i in aw.mentor_ids + aw.spare_ids})
                   for letter, aw in world.areas.items()}
    if role == "admin":
        return set().union(*(c for c, _ in everyone_of.values())), None  # and every volunteer
    letter = role[-2].upper() if role.startswith("mentor") else role[-1].upper()
    if role.startswith("coordinator"):
        return everyone_of[letter]
    aw = world.areas[letter]
    return {str(aw.client_id)}, {str(aw.mentor_ids[int(role[-1]) - 1])}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_a_pull_gives_only_the_records_in_scope(matrix, role):
    world = matrix.world
    changes, text_of_pages = pull_everything(matrix.fresh(role))
    if role != "admin":
        other = world.b if role in ("mentor_a1", "mentor_a2", "coordinator_a") else world.a
        named = sorted(i for i in ids_of_area(other) if i in text_of_pages)
        assert not named, f"{role}'s pull names records of another area (removed, conflicts or changes): {named}"
    if role in MENTORS:  # nor the other mentor's expenses
        aw = world.a if role.startswith("mentor_a") else world.b
        partners = ({str(aw.draft_claim_id)} if role.endswith("1") else
                    {str(aw.submitted_claim_id), str(aw.approved_claim_id), str(aw.records["expense_item"])})
        assert not [i for i in partners if i in text_of_pages], f"{role}'s pull names the other mentor's expenses"
    clients, volunteers = in_scope(world, role)
    seen_clients = {c["id"] if c["kind"] == "client" else c["data"]["client_id"]
                    for c in changes if c["kind"] in CLIENT_OWNED and not c["deleted"]}
    assert seen_clients <= clients, f"{role} was given records of clients {sorted(seen_clients - clients)}"
    own_area = world.a if role in ("mentor_a1", "mentor_a2", "coordinator_a", "admin") else world.b
    assert str(own_area.client_id) in seen_clients, f"{role} was not given their own clients' records"
    kinds = {c["kind"] for c in changes}
    assert set(CLIENT_OWNED) <= kinds, f"{role} is missing kinds {set(CLIENT_OWNED) - kinds}"
    seen_volunteers = {c["data"]["volunteer_id"] for c in changes if c["kind"] in VOLUNTEER_OWNED and not c["deleted"]}
    if volunteers is not None:
        assert seen_volunteers <= volunteers, f"{role} was given the expenses of {sorted(seen_volunteers - volunteers)}"
    unknown = kinds - set(CLIENT_OWNED) - set(VOLUNTEER_OWNED)
    assert not unknown, f"a new kind {unknown}: say here who owns it"


def out_of_scope_mutations(world: World, partner_only: bool = False) -> list[dict]:
    """One mutation of every kind and op on area A's records: the client's, and
    mentor_a1's and mentor_a2's expenses."""
    a, r, client = world.a, world.a.records, str(world.a.client_id)
    expenses = [
        mutation("expense_claim", a.submitted_claim_id, "update", {"title": "Mine now"}, base_rev=2),
        mutation("expense_claim", a.draft_claim_id, "update", {"title": "Mine now"}, base_rev=1),
        mutation("expense_claim", a.draft_claim_id, "delete", base_rev=1),
        mutation("expense_item", uuid.uuid4(), "create", {
            "claim_id": str(a.draft_claim_id), "item_type": "cost", "spent_on": TODAY.isoformat(),
            "category": "fares", "amount_pence": 999, "description": "Added by someone else"}),
        mutation("expense_item", r["expense_item"], "update", {"miles_tenths": 999}, base_rev=1),
    ]
    if partner_only:
        return expenses
    return [
        mutation("client", a.client_id, "update", {"phone": "0"}, base_rev=1),
        mutation("visit", r["visit"], "update", {"notes": "Overwritten"}, base={"notes": "x"}, base_rev=1),
        mutation("visit", r["visit"], "delete", base_rev=1),
        mutation("visit", uuid.uuid4(), "create", {"client_id": client, "scheduled_start": "2030-01-01T10:00:00+00:00",
                                                   "status": "planned", "notes": "Planted"}),
        mutation("goal", r["goal"], "update", {"title": "Overwritten"}, base_rev=1),
        mutation("goal", uuid.uuid4(), "create", {"client_id": client, "title": "Planted"}),
        mutation("progress", uuid.uuid4(), "create", {"goal_id": str(r["goal"]), "score": 1, "note": "Planted"}),
        mutation("progress", r["progress"], "update", {"note": "Overwritten"}, base_rev=1),
        mutation("problem", r["problem"], "update", {"analysis": "Overwritten"}, base_rev=1),
        mutation("problem", r["problem"], "delete", base_rev=1),
        mutation("problem", uuid.uuid4(), "create", {"client_id": client, "scanning": "Planted"}),
        mutation("concern", uuid.uuid4(), "create", {"client_id": client, "category": "other", "details": "Planted"}),
        mutation("concern", r["concern"], "update", {"details": "Overwritten"}, base_rev=1),
        mutation("wellbeing", uuid.uuid4(), "create", {"client_id": client, "recorded_on": TODAY.isoformat(),
                                                       "occasion": "review", **{f"q{n}": 5 for n in range(1, 8)}}),
        mutation("wellbeing", r["wellbeing"], "delete", base_rev=1),
        *expenses,
    ]


@pytest.mark.parametrize("role, partner_only", [
    ("mentor_b1", False), ("mentor_b2", False), ("coordinator_b", False),
    ("mentor_a1", True),   # the other mentor of the pair: mentor_a2's draft (and their own: refused as sent)
    ("mentor_a2", True),   # mentor_a1's claims and items
])
def test_a_push_on_records_out_of_scope_is_refused_per_mutation(matrix, role, partner_only):
    world = matrix.world
    client = matrix.fresh(role)
    mutations = out_of_scope_mutations(world, partner_only)
    if role == "mentor_a1":  # their own submitted claim is refused as locked: keep only mentor_a2's records
        mutations = [m for m in mutations if m["id"] not in (str(world.a.submitted_claim_id),
                                                             str(world.a.records["expense_item"]))]
    if role == "mentor_a2":  # mentor_a2's own draft is theirs: keep only mentor_a1's records
        mutations = [m for m in mutations if m["id"] != str(world.a.draft_claim_id)
                     and m["changes"].get("claim_id") != str(world.a.draft_claim_id)]
    before = state(matrix.engine())
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/api/sync/push", headers={"X-CSRF-Token": token}, json={
        "device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": mutations})
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert len(results) == len(mutations)
    applied = [(m["kind"], m["op"], res) for m, res in zip(mutations, results) if res["status"] == "applied"]
    assert not applied, f"{role} changed records out of their scope: {applied}"
    body = response.get_data(as_text=True).lower()
    leaked = [m for m in forbidden_markers(role) if m.lower() in body]
    assert not leaked, f"the push's answer shows {role} data they may not see ({leaked}): {body[:2000]}"
    assert state(matrix.engine()) == before, f"{role}'s refused push changed data"


# -- unsafe methods need the CSRF token -------------------------------------------
CSRF_EXEMPT = {("accounts.api_sign_in", "POST"): "signing in is JSON only (app/csrf.py)"}


def _csrf_cases():
    for (endpoint, method), call in sorted(TABLE.items()):
        if method == "GET" or (endpoint, method) in CSRF_EXEMPT:
            continue
        role = next((r for r in ("mentor_a1", "coordinator_a", "admin") if 200 <= call.expect[r] < 400), "mentor_a1")
        yield pytest.param(endpoint, method, role, id=f"{endpoint}-{method}-{role}")


@pytest.mark.parametrize("endpoint, method, role", list(_csrf_cases()))
def test_an_unsafe_request_without_the_csrf_token_is_refused(matrix, endpoint, method, role):
    call = TABLE[(endpoint, method)]
    client = matrix.fresh(role)
    before = state(matrix.engine())
    kw = {}
    if call.form is not None:
        kw["data"] = call.form(matrix.world)  # no csrf_token
    elif call.json is not None:
        kw["json"] = call.json(matrix.world)
    elif call.data is not None:
        kw["data"], kw["headers"] = call.data, {"Content-Type": call.content_type}
    response = client.open(call.url(matrix.world), method=method, **kw)
    expected = 403 if call.url(matrix.world).startswith("/api/") else 400
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    assert state(matrix.engine()) == before


# -- ids of one area mixed into another's URL or form ---------------------------------
MIXED = [
    # (role, method, url, form, expected)
    ("coordinator_b", "POST", lambda w: f"/office/volunteers/{w.b.mentor_ids[0]}/sign-ins/{w.a.sign_in_id}/revoke",
     {}, 404),
    ("coordinator_a", "POST", lambda w: f"/office/pairs/{w.a.solo_pair_id}/members/{w.b.mentor_ids[0]}/remove",
     {}, 404),
    ("coordinator_a", "POST", lambda w: f"/office/pairs/{w.a.solo_pair_id}/members",
     lambda w: {"volunteer_id": str(w.b.spare_ids[1])}, 400),
    ("coordinator_a", "POST", lambda w: f"/office/clients/{w.a.unassigned_client_id}/assign",
     lambda w: {"pair_id": str(w.b.pair_id), "reason": ""}, 409),
]


@pytest.mark.parametrize("role, method, url, form, expected", MIXED, ids=[
    "revoke-another-areas-sign-in-through-own-volunteer", "remove-another-areas-volunteer-from-own-pair",
    "add-another-areas-volunteer-to-own-pair", "assign-own-client-to-another-areas-pair"])
def test_ids_of_another_area_in_an_own_records_url_are_refused(matrix, role, method, url, form, expected):
    client = matrix.fresh(role)
    before = state(matrix.engine())
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    data = {**(form(matrix.world) if callable(form) else form), "csrf_token": token}
    response = client.open(url(matrix.world), method=method, data=data)
    assert response.status_code == expected, response.get_data(as_text=True)[:1000]
    body = response.get_data(as_text=True).lower()
    assert not [m for m in forbidden_markers(role) if m.lower() in body]
    assert state(matrix.engine()) == before


def test_a_reference_to_another_pairs_record_is_refused(matrix):
    """Mentor_b1's own records naming area A's visit or goal: refused (the
    record is not theirs to see), while the same records without it are applied."""
    world = matrix.world
    client = matrix.fresh("mentor_b1")
    a_visit, a_goal = str(world.a.records["visit"]), str(world.a.records["goal"])
    own_claim, own_client, own_goal = uuid.uuid4(), str(world.b.client_id), str(world.b.records["goal"])
    mutations = [
        mutation("expense_claim", own_claim, "create", {"title": "Mine"}),
        mutation("expense_item", uuid.uuid4(), "create", {
            "claim_id": str(own_claim), "item_type": "journey", "spent_on": TODAY.isoformat(), "from_place": "Home",
            "to_place": "Visit", "miles_tenths": 10, "vehicle": "car_van", "visit_id": a_visit}),
        mutation("concern", uuid.uuid4(), "create", {"client_id": own_client, "category": "other",
                                                     "details": "About that visit", "visit_id": a_visit}),
        mutation("progress", uuid.uuid4(), "create", {"goal_id": own_goal, "visit_id": a_visit, "score": 3}),
        mutation("progress", uuid.uuid4(), "create", {"goal_id": a_goal, "score": 3}),
    ]
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/api/sync/push", headers={"X-CSRF-Token": token}, json={
        "device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": mutations})
    assert response.status_code == 200, response.get_data(as_text=True)
    statuses = [r["status"] for r in response.get_json()["results"]]
    assert statuses[0] == "applied"
    assert "applied" not in statuses[1:], response.get_json()["results"]
    body = response.get_data(as_text=True).lower()
    assert not [m for m in forbidden_markers("mentor_b1") if m.lower() in body]


QUERIES = [
    # (role, url): filters naming area A's records, on lists the other area's coordinator may open
    ("coordinator_b", lambda w: f"/office/schedule/?client_id={w.a.client_id}&pair_id={w.a.pair_id}"),
    ("coordinator_b", lambda w: f"/office/referrals/?status=all&area={w.a.area_id}"),
    ("coordinator_b", lambda w: f"/office/pairs/new?area_id={w.a.area_id}"),
    ("coordinator_b", lambda w: f"/office/clients/{w.a.client_id}?type=visit"),
]


@pytest.mark.parametrize("role, url", QUERIES, ids=["schedule-filtered-by-another-areas-client-and-pair",
                                                    "referrals-filtered-by-another-area",
                                                    "new-pair-in-another-area", "client-timeline-filtered"])
def test_a_filter_naming_another_areas_records_shows_nothing_of_them(matrix, role, url):
    response = matrix.fresh(role).get(url(matrix.world))
    assert response.status_code in (200, 404), response.status_code
    body = response.get_data(as_text=True).lower()
    leaked = [m for m in forbidden_markers(role) if m.lower() in body]
    assert not leaked, f"{url(matrix.world)} as {role} shows {leaked}"


@pytest.mark.parametrize("url", ["/office/", "/office/volunteers/", "/office/pairs/"])
def test_the_lists_the_leak_check_searches_are_not_empty(matrix, url):
    """A control for the matrix's leak check on the office's lists: area A's
    coordinator sees area A's blocked pair and lapsed volunteer there (so had
    the other area's coordinator been shown them, the check would have seen it)."""
    body = matrix.fresh("coordinator_a").get(url).get_data(as_text=True)
    assert "Blocked MARKA" in body or "Lapsed MARKA" in body, body[:3000]
    assert "MARKB" not in body


def test_a_record_cannot_be_moved_to_another_pairs_client(matrix):
    """Mentor_a1's own records, given the client of another pair (in another
    area, or in their own area but with no pair): refused, nothing changes."""
    world, r = matrix.world, matrix.world.a.records
    client = matrix.fresh("mentor_a1")
    targets = (world.b.client_id, world.a.unassigned_client_id)
    mutations = [mutation(kind, r[kind], "update", {"client_id": str(target)}, base_rev=1)
                 for kind in ("visit", "goal", "problem") for target in targets]
    before = state(matrix.engine())
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/api/sync/push", headers={"X-CSRF-Token": token}, json={
        "device_id": str(uuid.uuid4()), "schema_version": 1, "mutations": mutations})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [x["status"] for x in response.get_json()["results"]] == ["rejected"] * len(mutations)
    assert state(matrix.engine()) == before
