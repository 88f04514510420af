"""Convergence of the sync protocol under random interleavings (docs/sync-protocol.md).

A hypothesis state machine drives simulated devices of pair North through the
real HTTP API (POST /api/sync/push, GET /api/sync/pull): amira@demo.test's
phone and ben@demo.test's phone from the start, and perhaps later a tablet of
amira's whose first pull is a snapshot. Each device is modelled like a phone:
a store of server-confirmed records ``{(kind, id): {rev, data, deleted}}``, an
outbox of pending mutations, and the open conflicts of its last pull. A local
edit's ``base`` is what the device showed (its own pending edits included) and
its ``base_rev`` the last confirmed rev. The devices create, edit (and edit
again) and delete visits and goals, push (sometimes "losing" the response, so
the batch goes again and must replay), pull (in small pages, sometimes
stopping half-way) and resolve conflicts (keep mine, keep theirs or a new
value; keep the delete or keep the edit). Values are distinctive
("amira-phone-17") so every edit can be traced.

Checked on every push, against the database as it was just before the push:

- no mutation is ever ``rejected``;
- every result (status, rev, and the conflicts raised with their base, mine
  and theirs) is what the contract's per-field three-way merge gives, applied
  in order over the batch (``expect_batch``, a small model of the contract;
  what a resolution does follows the ``resolves`` rules of app/sync/push.py);
- every edit is applied/merged, or a conflict whose rows hold the edit's value
  as ``mine`` for each conflicting field (an edit of a deleted record: the
  changes; a delete: ``{"deleted": true}``);
- afterwards the records and open conflicts in the database are exactly what
  the model expects (so the fields not in conflict were applied), conflicts
  are settled by the mutation that resolved them, and a replay returns the
  stored result and writes nothing.

Checked on every pull: a record never comes down at an older rev than the
device has, and the same rev always carries the same data.

At the end (``teardown``) every device pushes and pulls until quiet; then each
device's records equal a fresh snapshot from the server, the devices agree
with each other, both mentors see the same open conflicts (those open in the
database), no record id has two rows, every record created is on the server,
and every mutation any device made has a stored result.

SQLite only, on purpose: this is about the merge, replay and cursor logic under
interleavings of whole requests, and it builds a fresh app and database for
every hypothesis example (a copy of a migrated, seeded SQLite file). Races of
concurrent transactions on PostgreSQL are tested elsewhere.

Knobs: CONVERGENCE_EXAMPLES (default 50) and CONVERGENCE_STEPS (default 40);
``pytest -s`` prints how many conflicts and resolutions a run produced.
"""
from __future__ import annotations

import copy
import functools
import itertools
import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from app import create_app
from app.db import db
from app.demo.seed import seed_demo
from app.sync.kinds import KINDS, data_of
from app.sync.models import SyncConflict, SyncMutation

DEMO_PASSWORD = "test-demo-password"  # as in tests/conftest.py, which also lowers the scrypt cost
EXAMPLES = int(os.environ.get("CONVERGENCE_EXAMPLES", "50"))
STEPS = int(os.environ.get("CONVERGENCE_STEPS", "40"))

KIND_FIELDS = {
    "visit": ("client_id", "scheduled_start", "duration_minutes", "actual_minutes", "location", "status", "notes",
              "checked_in_at", "checked_out_at"),
    "goal": ("client_id", "title", "reality", "options", "will", "status", "target_date"),
}
DEFAULTS = {"visit": {"status": "planned"}, "goal": {"status": "active"}}
EDITABLE = {
    "visit": ("notes", "location", "duration_minutes", "status"),
    "goal": ("title", "reality", "options", "will", "status"),
}
STATUSES = {"visit": ("planned", "completed", "cancelled", "no_show"), "goal": ("active", "achieved", "dropped")}
NULLABLE = {"notes", "location", "reality", "options", "will"}
DELETED = "_deleted"
DONE = ("applied", "merged", "conflict")  # results that take an entry out of the outbox

STATS: Counter = Counter()


# -- the contract, as a small model ------------------------------------------
def expect_batch(records: dict, open_conflicts: dict, batch: list, stored: dict, own_revs: dict):
    """What the contract says a batch does, mutation by mutation.

    ``records``: (kind, id) -> {rev, deleted, data}; ``open_conflicts``: id ->
    conflict; ``stored``: mutation_id -> the result first returned for it;
    ``own_revs``: (kind, id) -> the revs the pushing device's earlier
    mutations wrote (answered or not).
    Returns (expectations, records after, {settled conflict id: mutation_id},
    {index in the batch of a mutation whose conflicts a later delete in the
    batch settled: that delete's mutation_id}, {(kind, id): the revs this
    batch wrote}).
    An expectation is ("replay", stored result) or (status, rev, [(field,
    base, mine, theirs), ...]).
    """
    records = copy.deepcopy(records)
    wrote: dict[tuple, set] = {}  # the revs this batch wrote: the device's own too
    settled: dict[str, str] = {}
    settled_raised_here: dict[int, str] = {}
    raised_here: dict[tuple, list[int]] = {}  # record -> batch indexes of mutations that raised conflicts on it
    expectations = []
    for index, m in enumerate(batch):
        mid = m["mutation_id"]
        if mid in stored:
            expectations.append(("replay", stored[mid]))
            continue
        key = (m["kind"], m["id"])
        rec = records.get(key)
        resolving = [open_conflicts[cid] for cid in m.get("resolves", [])
                     if cid in open_conflicts and cid not in settled]
        for c in resolving:
            assert (c["kind"], c["record_id"]) == key, "test model: a resolution names another record"
        keeps = any(c["field"] == DELETED for c in resolving)  # "keep the delete" / "keep the edit"

        def settle(resolving=resolving, mid=mid):
            for c in resolving:
                settled[c["id"]] = mid

        changes, base = m["changes"], m["base"]
        if m["op"] == "create":
            assert rec is None, "test model: devices make fresh ids"
            data = {name: None for name in KIND_FIELDS[m["kind"]]}
            data.update(DEFAULTS[m["kind"]])
            data.update(changes)
            records[key] = {"rev": 1, "deleted": False, "data": data}
            wrote.setdefault(key, set()).add(1)
            expectations.append(("applied", 1, []))
        elif m["op"] == "update" and rec["deleted"]:
            if keeps:  # the person kept their edit over the delete: restore it
                settle()
                if changes:
                    rec["deleted"] = False
                    rec["data"].update(changes)
                    rec["rev"] += 1
                    wrote.setdefault(key, set()).add(rec["rev"])
                expectations.append(("applied", rec["rev"], []))
            else:  # edit of a deleted record: conflict, never a silent resurrection
                expectations.append(("conflict", rec["rev"], [(DELETED, None, changes, {"deleted": True})]))
        elif m["op"] == "update":
            moved_on = m["base_rev"] is None or m["base_rev"] < rec["rev"]
            apply, conflicts = {}, []
            for name, mine in changes.items():
                theirs = rec["data"][name]
                if theirs == mine:
                    continue
                # The rule holds whatever base_rev says: a phone's base may be
                # its own queued edit, not the server's value. A field missing
                # from base counts as seen at base_rev, and as null before it.
                started_from = base.get(name, None if moved_on else theirs)
                if theirs == started_from:
                    apply[name] = mine
                else:
                    conflicts.append((name, started_from, mine, theirs))
            if apply:
                rec["data"].update(apply)
                rec["rev"] += 1
                wrote.setdefault(key, set()).add(rec["rev"])
            settle()
            status = "conflict" if conflicts else "merged" if moved_on else "applied"
            expectations.append((status, rec["rev"], conflicts))
        else:  # delete
            if rec["deleted"]:
                settle()
                expectations.append(("applied", rec["rev"], []))
            elif keeps or all(rev in own_revs.get(key, set()) | wrote.get(key, set())
                              for rev in range((m["base_rev"] or 0) + 1, rec["rev"] + 1)):
                # every rev since base_rev is the device's own (earlier in this
                # batch, or its earlier pushes, heard or not): it saw them all
                rec["deleted"] = True
                rec["rev"] += 1
                wrote.setdefault(key, set()).add(rec["rev"])
                settle()
                # an applied delete settles every open conflict on the record
                for c in open_conflicts.values():
                    if (c["kind"], c["record_id"]) == key and c["id"] not in settled:
                        settled[c["id"]] = mid
                for raised in raised_here.pop(key, []):
                    settled_raised_here.setdefault(raised, mid)
                expectations.append(("applied", rec["rev"], []))
            else:  # delete of a record edited since base_rev
                expectations.append(("conflict", rec["rev"],
                                     [(DELETED, None, {"deleted": True}, copy.deepcopy(rec["data"]))]))
        if expectations[-1][0] == "conflict":
            raised_here.setdefault(key, []).append(index)
    return expectations, records, settled, settled_raised_here, wrote


# -- a device ----------------------------------------------------------------
class Device:
    """A phone: confirmed records, an outbox, the conflicts of its last pull."""

    def __init__(self, name: str, email: str, http, device_id: str):
        self.name = name
        self.email = email
        self.http = http
        self.device_id = device_id
        response = http.post("/api/session", json={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.get_data(as_text=True)
        self.user_id = response.get_json()["user"]["id"]
        self.csrf = response.get_json()["csrf_token"]
        self.confirmed: dict[tuple, dict] = {}
        self.outbox: list[dict] = []
        self.conflicts: list[dict] = []
        self.cursor: str | None = None
        self.has_more = False

    def __repr__(self):
        return f"<{self.name}>"

    def shown(self) -> dict:
        """What the person sees: confirmed records with the outbox on top
        (None for a deleted record)."""
        view = {key: None if rec["deleted"] else dict(rec["data"])
                for key, rec in self.confirmed.items() if key[0] in KIND_FIELDS}
        for m in self.outbox:
            key = (m["kind"], m["id"])
            if m["op"] == "create":
                data = {name: None for name in KIND_FIELDS[m["kind"]]}
                data.update(DEFAULTS[m["kind"]])
                data.update(m["changes"])
                view[key] = data
            elif m["op"] == "update":
                if view.get(key) is not None:
                    view[key].update(m["changes"])
            else:
                view[key] = None
        return view

    def client_ids(self) -> list[str]:
        return sorted(key[1] for key, rec in self.confirmed.items() if key[0] == "client" and not rec["deleted"])

    def visible_conflicts(self, order: dict) -> list[dict]:
        """Open conflicts without a resolution waiting in the outbox, in the
        order they were raised (conflict ids are random)."""
        pending = {cid for m in self.outbox for cid in m.get("resolves", [])}
        return sorted((c for c in self.conflicts if c["id"] not in pending), key=lambda c: order[c["id"]])

    def send(self, mutations: list) -> list[dict]:
        response = self.http.post(
            "/api/sync/push", headers={"X-CSRF-Token": self.csrf},
            json={"device_id": self.device_id, "schema_version": 1, "mutations": mutations})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["results"]

    def pull_page(self, limit: int | None) -> None:
        params = {}
        if self.cursor:
            params["cursor"] = self.cursor
        if limit:
            params["limit"] = limit
        response = self.http.get("/api/sync/pull", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert limit is None or len(body["changes"]) <= limit
        for change in body["changes"]:
            key = (change["kind"], change["id"])
            old = self.confirmed.get(key)
            new = {"rev": change["rev"], "deleted": change["deleted"], "data": change["data"]}
            if old is not None:
                assert new["rev"] >= old["rev"], f"{self.name}: {key} came down at rev {new['rev']} after {old['rev']}"
                if new["rev"] == old["rev"]:
                    assert new == old, f"{self.name}: {key} rev {new['rev']} came down with other data"
            assert change["deleted"] == (change["data"] is None)
            self.confirmed[key] = new
        assert body["removed"] == [], "nobody leaves pair North's scope in this test"
        self.conflicts = body["conflicts"]
        self.cursor = body["cursor"]
        self.has_more = body["has_more"]

    def pull_all(self, limit: int | None = None) -> None:
        self.pull_page(limit)
        while self.has_more:
            self.pull_page(limit)


def snapshot(device: Device) -> tuple[dict, list]:
    """A direct pull with no cursor, paged: {(kind, id): (rev, data)}, conflicts."""
    records, cursor = {}, None
    while True:
        response = device.http.get("/api/sync/pull", query_string={"cursor": cursor} if cursor else {})
        assert response.status_code == 200
        body = response.get_json()
        for change in body["changes"]:
            assert not change["deleted"], "a first snapshot holds no tombstones"
            records[(change["kind"], change["id"])] = (change["rev"], change["data"])
        cursor = body["cursor"]
        if not body["has_more"]:
            return records, body["conflicts"]


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True)


def live(device: Device) -> dict:
    return {key: (rec["rev"], rec["data"]) for key, rec in device.confirmed.items() if not rec["deleted"]}


# -- the state machine ---------------------------------------------------------
def step(method):
    """Note a failing step, so that teardown does not settle on top of it."""

    @functools.wraps(method)
    def run(self, **kwargs):
        try:
            return method(self, **kwargs)
        except BaseException:
            self.failed = True
            raise

    return run


class SyncConvergence(RuleBasedStateMachine):
    seeded_db: Path | None = None  # set by the test before running
    workdir: Path | None = None

    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(dir=self.workdir))
        db_path = self.dir / "test.sqlite"
        shutil.copy(self.seeded_db, db_path)
        self.app = create_app({
            "APP_ENV": "testing",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "INSTANCE_PATH": self.dir / "instance",
        })
        self.sessionmaker = self.app.extensions["database"]["sessionmaker"]
        self.devices: list[Device] = []
        self.results: dict[str, dict] = {}  # mutation_id -> result first returned
        self.made: dict[str, dict] = {}  # mutation_id -> mutation, every one a device made
        self.counter = itertools.count(1)
        self.failed = False  # a step failed: teardown then only cleans up
        self.ids = itertools.count(1)
        self.conflict_order: dict[str, int] = {}  # conflict id -> when it was raised
        self.conflicts_seen: set[str] = set()
        self.resolutions = 0
        self.wrote: dict[str, dict[tuple, set]] = {}  # device_id -> (kind, id) -> the revs its mutations wrote
        STATS["examples"] += 1

    # -- helpers -------------------------------------------------------
    def value(self, device: Device, kind: str, name: str, data):
        if name == "status":
            return data.draw(st.sampled_from(STATUSES[kind]), label="status")
        n = next(self.counter)
        if name == "duration_minutes":
            return 100 + n  # distinct, within 0..1440
        if name in NULLABLE and data.draw(st.integers(0, 9), label="null?") == 0:
            return None
        return f"{device.name}-{n}"

    def new_id(self) -> str:
        """Ids the devices make: deterministic, so that hypothesis can replay
        an example (the order of records and rows must not depend on chance)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"convergence/{next(self.ids)}"))

    def device(self, data) -> Device:
        return data.draw(st.sampled_from(self.devices), label="device")

    def queue(self, device: Device, m: dict) -> None:
        self.made[m["mutation_id"]] = m
        device.outbox.append(m)
        note(f"{device.name} queues {m}")

    def mutation(self, kind, record_id, op, *, base_rev=None, base=None, changes=None, resolves=None) -> dict:
        m = {"mutation_id": self.new_id(), "kind": kind, "id": record_id, "op": op, "base_rev": base_rev,
             "base": base or {}, "changes": changes or {}}
        if resolves:
            m["resolves"] = list(resolves)
        return m

    def server_state(self) -> tuple[dict, dict]:
        with self.sessionmaker() as s:
            records = {}
            for kind_name in KIND_FIELDS:
                kind = KINDS[kind_name]
                for row in s.execute(select(kind.table)).mappings():
                    records[(kind_name, str(row["id"]))] = {
                        "rev": row["rev"], "deleted": row["deleted_at"] is not None, "data": data_of(kind, row)}
            conflicts = {
                str(c.id): {"id": str(c.id), "kind": c.kind, "record_id": str(c.record_id), "field": c.field,
                            "base": c.base, "mine": c.mine, "theirs": c.theirs, "mutation_id": str(c.mutation_id),
                            "open": c.resolved_at is None,
                            "resolved_by_mutation_id": c.resolved_by_mutation_id and str(c.resolved_by_mutation_id)}
                for c in s.scalars(select(SyncConflict))
            }
        return records, conflicts

    def push(self, device: Device, lose_response: bool = False) -> None:
        if not device.outbox:
            return
        batch = list(device.outbox)
        records, conflicts = self.server_state()
        open_before = {cid: c for cid, c in conflicts.items() if c["open"]}
        own = self.wrote.setdefault(device.device_id, {})
        expectations, expected_records, settled, settled_raised_here, wrote = expect_batch(
            records, open_before, batch, self.results, own)

        results = device.send(batch)
        for key, revs in wrote.items():  # written, whether or not the device hears back
            own.setdefault(key, set()).update(revs)

        assert [r["mutation_id"] for r in results] == [m["mutation_id"] for m in batch]
        records_after, conflicts_after = self.server_state()
        new_conflicts = set()
        for index, (m, expected, result) in enumerate(zip(batch, expectations, results, strict=True)):
            assert result["status"] != "rejected", f"rejected: {m} -> {result}"
            if expected[0] == "replay":
                assert result == expected[1], f"a replay of {m['mutation_id']} gave another result"
                STATS["replayed mutations"] += 1
                continue
            status, rev, expected_conflicts = expected
            assert (result["status"], result.get("rev")) == (status, rev), (
                f"{device.name}: {m}\n got {result}\n the contract gives {expected}"
                + ("\n (the server holds another value than this edit's base for a field: per the contract that"
                   " is a conflict even when base_rev is the server's rev)"
                   if status == "conflict" and result["status"] in ("applied", "merged") else ""))
            ids = result.get("conflicts", [])
            rows = [conflicts_after[cid] for cid in ids]
            assert sorted(map(canonical, ((c["field"], c["base"], c["mine"], c["theirs"]) for c in rows))) == \
                sorted(map(canonical, expected_conflicts)), (m, rows, expected_conflicts)
            settled_by = settled_raised_here.get(index)  # a later delete in the batch applied
            for row in rows:
                assert row["mutation_id"] == m["mutation_id"]
                assert (row["open"], row["resolved_by_mutation_id"]) == ((True, None) if settled_by is None
                                                                          else (False, settled_by))
                assert (row["kind"], row["record_id"]) == (m["kind"], m["id"])
                # every edit is either applied or held in a conflict as "mine"
                if m["op"] == "delete":
                    assert (row["field"], row["mine"]) == (DELETED, {"deleted": True})
                    if records[(m["kind"], m["id"])]["rev"] == m["base_rev"]:
                        STATS["delete -> conflict with an edit earlier in its own batch"] += 1
                elif row["field"] == DELETED:
                    assert row["mine"] == m["changes"]
                else:
                    assert row["mine"] == m["changes"][row["field"]]
            assert result["status"] in DONE
            assert (result["status"] == "conflict") == bool(ids)
            if settled_by is None:
                new_conflicts |= set(ids)
            else:
                STATS["conflicts settled by a delete later in their own batch"] += len(ids)
            for cid in ids:
                self.conflict_order[cid] = len(self.conflict_order)
            self.results[m["mutation_id"]] = result
            STATS[f"{m['op']} -> {result['status']}"] += 1
            before = records.get((m["kind"], m["id"]))
            if m["op"] == "delete" and result["status"] == "applied" and before and not before["deleted"] \
                    and (m["base_rev"] or 0) < before["rev"] and not m.get("resolves"):
                STATS["delete from an older rev -> applied (every rev since the device's own)"] += 1
            for row in rows:
                STATS[f"conflicts raised ({'delete vs edit' if row['field'] == DELETED else 'field'})"] += 1
                event(f"conflict on {row['field']}")
        # the database holds exactly what the contract says
        assert records_after == expected_records
        open_after = {cid for cid, c in conflicts_after.items() if c["open"]}
        assert open_after == (set(open_before) - set(settled)) | new_conflicts
        for cid, mid in settled.items():
            assert conflicts_after[cid]["resolved_by_mutation_id"] == mid
        STATS["conflicts settled"] += len(settled)
        STATS["conflicts settled by a delete that did not name them"] += sum(
            1 for cid, mid in settled.items() if cid not in self.made[mid].get("resolves", ()))
        self.conflicts_seen |= new_conflicts
        if lose_response:
            STATS["responses lost"] += 1
            return  # the device never heard back: everything stays in the outbox
        done = {r["mutation_id"] for r in results if r["status"] in DONE}
        device.outbox = [m for m in device.outbox if m["mutation_id"] not in done]

    # -- rules -----------------------------------------------------------
    @initialize(limit=st.sampled_from([None, 3]))
    @step
    def start(self, limit):
        for name, email in [("amira-phone", "amira@demo.test"), ("ben-phone", "ben@demo.test")]:
            device = Device(name, email, self.app.test_client(), self.new_id())
            device.pull_all(limit)
            assert len(device.client_ids()) == 2, "pair North has two clients"
            self.devices.append(device)

    @precondition(lambda self: len(self.devices) < 3)
    @rule(limit=st.sampled_from([None, 2, 5]), pages=st.sampled_from([None, 1, 2]))
    @step
    def second_device(self, limit, pages):
        """Amira signs in on a tablet later: its first pull is a snapshot
        (no tombstones), perhaps only a page or two of it for now."""
        device = Device("amira-tablet", "amira@demo.test", self.app.test_client(), self.new_id())
        self.devices.append(device)
        device.pull_page(limit)
        while device.has_more and (pages is None or pages > 1):
            device.pull_page(limit)
            pages = pages and pages - 1

    # Three rules, each choosing among a few actions: hypothesis switches
    # whole rules off at random per example ("swarm testing"), and an example
    # that can push but never pull would find little.
    @rule(data=st.data(), action=st.sampled_from(["edit", "edit", "edit-again", "delete", "create"]))
    @step
    def change(self, data, action):
        """Edit one to three fields of a record this device shows; edit again
        a field that already waits in the outbox (people do: the notes of a
        visit get written in several goes); delete a record this device shows
        (from the rev it last pulled, or from none if it made the record and
        never pulled it); or create a visit or a goal."""
        device = self.device(data)
        shown = device.shown()
        if action == "create":
            if device.client_ids():  # else the device is still pulling its first snapshot
                kind = data.draw(st.sampled_from(["visit", "goal"]), label="kind")
                client_id = data.draw(st.sampled_from(device.client_ids()), label="client")
                n = next(self.counter)
                if kind == "visit":
                    changes = {"client_id": client_id, "scheduled_start": f"2026-12-{n % 28 + 1:02d}T10:30:00+00:00",
                               "status": "planned", "notes": f"{device.name}-{n}", "location": "Home"}
                else:
                    changes = {"client_id": client_id, "title": f"{device.name}-{n}",
                               "reality": f"{device.name}-{n}r"}
                self.queue(device, self.mutation(kind, self.new_id(), "create", changes=changes))
        elif action == "delete":
            candidates = sorted(key for key, value in shown.items() if value is not None)
            # Often one this device changed since it last pulled it (the
            # answer perhaps lost): the delete then comes from an older rev.
            own = self.wrote.get(device.device_id, {})
            changed_here = [key for key in candidates
                            if max(own.get(key, {0})) > (device.confirmed.get(key) or {"rev": 0})["rev"]
                            or any((m["kind"], m["id"]) == key for m in device.outbox)]
            if changed_here and data.draw(st.booleans(), label="one changed here"):
                candidates = changed_here
            if candidates:
                key = kind, record_id = data.draw(st.sampled_from(candidates), label="record")
                confirmed = device.confirmed.get(key)  # None: made here, never pulled (base_rev null)
                self.queue(device, self.mutation(kind, record_id, "delete", base_rev=confirmed and confirmed["rev"]))
        else:
            if action == "edit":
                candidates = {key: EDITABLE[key[0]] for key, value in shown.items() if value is not None}
            else:
                # Fields with an edit waiting here; first, if the device wants,
                # those whose server value has moved on since that edit's base
                # (the device pulled while the edit waited: a risky corner).
                pending, overtaken = {}, {}
                for m in device.outbox:
                    key = (m["kind"], m["id"])
                    if shown.get(key) is None:
                        continue
                    server = device.confirmed.get(key)
                    for name in m["changes"]:
                        if name in EDITABLE[m["kind"]]:
                            pending.setdefault(key, set()).add(name)
                            if server and not server["deleted"] and m["base_rev"] is not None and \
                                    server["rev"] > m["base_rev"] and \
                                    server["data"][name] not in (m["base"].get(name), m["changes"][name]):
                                overtaken.setdefault(key, set()).add(name)
                use_overtaken = bool(overtaken) and data.draw(st.booleans(), label="overtaken first")
                candidates = {key: sorted(names) for key, names in (overtaken if use_overtaken else pending).items()}
            if candidates:
                # Often the same record (the visit everyone is busy with today).
                ordered = sorted(candidates)
                key = kind, record_id = data.draw(st.one_of(st.just(ordered[0]), st.sampled_from(ordered)),
                                                  label="record")
                confirmed = device.confirmed.get(key)  # None: made here, not yet confirmed
                names = data.draw(st.lists(st.sampled_from(candidates[key]), min_size=1, max_size=3, unique=True),
                                  label="fields")
                changes = {name: self.value(device, kind, name, data) for name in names}
                base = {name: shown[key][name] for name in names}
                self.queue(device, self.mutation(kind, record_id, "update", base_rev=confirmed and confirmed["rev"],
                                                 base=base, changes=changes))

    @rule(data=st.data(), action=st.sampled_from(["sync", "sync-lost", "sync-lost", "push", "push-lost", "pull",
                                                  "pull-partly"]),
          limit=st.sampled_from([None, None, 2, 5]))
    @step
    def network(self, data, action, limit):
        """Push then pull (what the app does); the same with the push's
        response lost (the batch goes again later and must replay); push
        only (the pull failed), perhaps with the response lost too; or pull
        only, to the end or a page or two (the next pull goes on from the
        cursor)."""
        device = self.device(data)
        if action.startswith(("push", "sync")):
            self.push(device, lose_response=action.endswith("-lost"))
        if action.startswith(("pull", "sync")) and action != "pull-partly":
            device.pull_all(limit)
        elif action == "pull-partly":
            for _ in range(data.draw(st.integers(1, 2), label="pages")):
                device.pull_page(limit)
                if not device.has_more:
                    break

    @precondition(lambda self: any(d.visible_conflicts(self.conflict_order) for d in self.devices if not d.has_more))
    @rule(data=st.data())
    @step
    def resolve(self, data):
        device = data.draw(st.sampled_from([d for d in self.devices
                                            if not d.has_more and d.visible_conflicts(self.conflict_order)]),
                           label="device")
        c = data.draw(st.sampled_from(device.visible_conflicts(self.conflict_order)), label="conflict")
        kind, record_id = c["kind"], c["record_id"]
        # A device that is not mid-pull holds every live record; one it lacks
        # was deleted before its first snapshot (which carries no tombstones).
        confirmed = device.confirmed.get((kind, record_id))
        shown = device.shown().get((kind, record_id))  # None: deleted (or never seen) here
        base_rev = confirmed and confirmed["rev"]
        if c["field"] == DELETED:
            choice = data.draw(st.sampled_from(["keep-delete", "keep-edit"]), label="choice")
        elif shown is None:
            choice = "keep-delete"  # the record is gone here: settle the field conflict with the delete
        else:
            choice = data.draw(st.sampled_from(["mine", "theirs", "new"]), label="choice")
        if choice == "keep-delete":
            m = self.mutation(kind, record_id, "delete", base_rev=base_rev, resolves=[c["id"]])
        else:
            if choice == "keep-edit":
                # mine: the edit's changes (edit met delete) or {"deleted": true} (this delete met an edit:
                # keeping the record needs no changes)
                changes = {} if c["mine"] == {"deleted": True} else dict(c["mine"])
            else:
                value = {"mine": c["mine"], "theirs": c["theirs"]}.get(choice)
                if choice == "new":
                    value = self.value(device, kind, c["field"], data)
                # a phone sends no change for a value it already shows
                changes = {} if shown is not None and shown[c["field"]] == value else {c["field"]: value}
            # The base of a resolution is the server's version the person
            # decided against: what this device last got from the server.
            live_data = confirmed["data"] if confirmed and not confirmed["deleted"] else {}
            base = {name: live_data[name] for name in changes if name in live_data}
            m = self.mutation(kind, record_id, "update", base_rev=base_rev, base=base, changes=changes,
                              resolves=[c["id"]])
        STATS[f"resolutions sent ({c['field'] == DELETED and 'delete vs edit' or 'field'}: {choice})"] += 1
        self.resolutions += 1
        self.queue(device, m)

    # -- the end ---------------------------------------------------------
    def settle_and_check(self):
        for _ in range(2):
            for device in self.devices:
                self.push(device)
                assert device.outbox == []
            for device in self.devices:
                device.pull_all()

        truth, open_conflicts = snapshot(self.devices[0])
        open_ids = {c["id"] for c in open_conflicts}
        for device in self.devices:
            assert live(device) == truth, f"{device.name} differs from the server"
            other_truth, other_conflicts = snapshot(device)
            assert other_truth == truth
            assert {c["id"] for c in device.conflicts} == open_ids == {c["id"] for c in other_conflicts}
        # the open conflicts are exactly those open in the database
        records, conflicts = self.server_state()
        assert open_ids == {cid for cid, c in conflicts.items() if c["open"]}
        # no duplicate rows; every record made is on the server; every mutation has its stored result
        with self.sessionmaker() as s:
            for kind_name in KIND_FIELDS:
                table = KINDS[kind_name].table
                duplicates = s.execute(select(table.c.id, func.count()).group_by(table.c.id)
                                       .having(func.count() > 1)).all()
                assert duplicates == []
            stored = set(map(str, s.scalars(select(SyncMutation.mutation_id))))
        assert set(self.made) <= stored
        assert set(self.made) == set(self.results)
        for m in self.made.values():
            if m["op"] == "create":
                assert (m["kind"], m["id"]) in records
        north = set(self.devices[0].client_ids())
        for key, rec in records.items():
            if not rec["deleted"] and rec["data"]["client_id"] in north:
                assert truth[key] == (rec["rev"], rec["data"])
        STATS["open conflicts at the end"] += len(open_ids)
        STATS["examples with a conflict"] += bool(self.conflicts_seen)
        STATS["examples with a resolution"] += bool(self.resolutions)
        STATS["max conflicts in one example"] = max(STATS["max conflicts in one example"], len(self.conflicts_seen))

    def teardown(self):
        try:
            if self.devices and not self.failed:
                self.settle_and_check()
        finally:
            self.app.extensions["database"]["engine"].dispose()
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def seeded_db(sqlite_template, tmp_path_factory):
    """A migrated SQLite file with the demo data, copied for every example."""
    folder = tmp_path_factory.mktemp("convergence")
    path = folder / "seeded.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app({
        "APP_ENV": "testing",
        "DATABASE_URL": f"sqlite:///{path}",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "INSTANCE_PATH": folder / "instance",
    })
    ids = (uuid.UUID(int=n) for n in itertools.count(1))
    with app.app_context(), mock.patch("uuid.uuid4", lambda: next(ids)):  # the same ids every run
        seed_demo(db.session, DEMO_PASSWORD, today=date(2026, 11, 23))
        db.session.commit()
    app.extensions["database"]["engine"].dispose()  # the last connection closes: WAL checkpointed
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


def test_devices_converge(seeded_db, tmp_path):
    SyncConvergence.seeded_db = seeded_db
    SyncConvergence.workdir = tmp_path
    STATS.clear()
    run_state_machine_as_test(
        SyncConvergence,
        settings=settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    print("\nconvergence figures:", *(f"  {k}: {v}" for k, v in sorted(STATS.items())), sep="\n")
