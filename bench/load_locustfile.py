"""Locust users for ``python -m bench load`` (run by bench/load.py, not on its own).

Each simulated volunteer takes one seeded account (LOAD_ACCOUNTS, a JSON
file), already signed in by bench/load.py's warm-up (its cookies and CSRF
token are in the account; without them it signs in here, as the field app
does), pulls everything (following cursors until ``has_more`` is false),
then loops like a phone coming back
into signal: push what it queued since the last sync (1-3 new visits or goals
with fresh mutation ids, and sometimes an edit of the visit its pair partner
edits too, made against what it last pulled, so conflicts arise; sometimes a
"keep theirs" resolution of conflicts it raised), sometimes send the same
batch again (a phone that lost the answer), then pull from its cursor.

Every result the server acknowledged is written to LOAD_RESULTS at the end,
for the database check in bench/load.py. A push that failed (no answer, or an
error) stays in the outbox and is sent again next time, as the phone does.
Only the standard library and locust are imported: this runs under gevent.
"""
from __future__ import annotations

import json
import os
import random
import time
import uuid

import gevent
from locust import HttpUser, between, events, task

PASSWORD = os.environ["LOAD_PASSWORD"]
with open(os.environ["LOAD_ACCOUNTS"]) as f:
    ACCOUNTS = json.load(f)
RESULTS = os.environ["LOAD_RESULTS"]
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS") or 0)
EDIT_SHARED = float(os.environ.get("LOAD_EDIT_SHARED", "0.4"))  # chance per sync to edit the shared visit
REPLAY = float(os.environ.get("LOAD_REPLAY", "0.1"))  # chance per sync to send the batch twice
RESOLVE = float(os.environ.get("LOAD_RESOLVE", "0.5"))  # chance per sync to settle own open conflicts
WAIT = (float(os.environ.get("LOAD_WAIT_MIN", "10")), float(os.environ.get("LOAD_WAIT_MAX", "30")))

_next_account = iter(ACCOUNTS)
acked: list[dict] = []  # one per acknowledged mutation: what was sent and what came back
problems: list[str] = []  # wrong answers seen by the users (a replay answered differently...)
unacked: list[dict] = []  # mutations still in an outbox at the end
requests_made = 0
_quitting = False


timings: list[list] = []  # [name, milliseconds, failed, unix time, failure message]
_environment = None
spawned_at = None  # unix time when the last user had started


@events.request.add_listener
def _record(name, response_time, exception=None, **_kw):
    """Keep every response time (exact percentiles), and stop the whole run
    (not just one user) once MAX_REQUESTS were made."""
    global requests_made, _quitting
    requests_made += 1
    timings.append([name, response_time, exception is not None, time.time(),
                    str(exception)[:200] if exception else None])
    if MAX_REQUESTS and requests_made >= MAX_REQUESTS and not _quitting:
        _quitting = True
        runner = _environment.runner if _environment else None
        if runner is not None:
            gevent.spawn(runner.quit)



@events.init.add_listener
def _init(environment, **_kw):
    global _environment
    _environment = environment


@events.spawning_complete.add_listener
def _all_started(user_count, **_kw):
    global spawned_at
    spawned_at = time.time()


@events.test_stop.add_listener
def _write_results(environment, **_kw):
    with open(RESULTS, "w") as out:
        json.dump({"timings": timings, "acked": acked, "problems": problems, "unacked": unacked,
                   "requests": requests_made, "spawned_at": spawned_at}, out)


class Volunteer(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        try:
            self.account = next(_next_account)
        except StopIteration:
            problems.append("more users than seeded accounts")
            raise
        self.device_id = str(uuid.uuid4())
        self.cursor = None
        self.shared = None  # (rev, notes) of the shared visit as last pulled
        self.my_conflicts: set[str] = set()
        self.outbox: list[dict] = []
        if "cookies" in self.account:  # signed in by the warm-up
            for name, value in self.account["cookies"].items():
                self.client.cookies.set(name, value)
            self.csrf, self.user_id = self.account["csrf"], self.account["user_id"]
            if "cursor" in self.account:  # its first full pull was in the warm-up too
                self.cursor = self.account["cursor"]
                self.shared = tuple(self.account["shared"]) if self.account["shared"] else None
            else:
                self.pull()
            self.random_phase()
            return
        with self.client.post("/api/session", json={"email": self.account["email"], "password": PASSWORD,
                                                    "app": "field"},
                              name="POST /api/session", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"sign-in {response.status_code}: {response.text[:200]}")
                self.csrf = None
                return
            self.csrf = response.json()["csrf_token"]
            self.user_id = response.json()["user"]["id"]
        self.pull()

    def random_phase(self):
        """Wait part of one interval before the first sync: phones sync at
        their own moments, not all at once as they start here (locust would
        otherwise sync each one the moment it started)."""
        gevent.sleep(random.uniform(0, self.wait_time()))

    def on_stop(self):
        unacked.extend(self.outbox)

    @task
    def sync(self):
        if self.csrf is None:
            return
        if not self.outbox:
            self.outbox = self.queue()
        batch = self.outbox
        results = self.push(batch)
        if results is not None:
            self.outbox = []
            if random.random() < REPLAY:
                again = self.push(batch, name="POST /api/sync/push (replay)")
                if again is not None and again != results:
                    problems.append(f"replay answered differently: {again} != {results}")
        self.pull()

    def queue(self) -> list[dict]:
        """What the phone recorded offline since its last sync."""
        entries = []
        for _ in range(random.randint(1, 3)):
            mutation_id = str(uuid.uuid4())
            client_id = random.choice(self.account["client_ids"])
            if random.random() < 0.7:
                changes = {"client_id": client_id, "scheduled_start": "2026-12-01T10:30:00+00:00",
                           "duration_minutes": 60, "location": "Client's home", "notes": f"load {mutation_id}"}
                kind = "visit"
            else:
                changes = {"client_id": client_id, "title": f"load {mutation_id}", "status": "active"}
                kind = "goal"
            entries.append({"mutation_id": mutation_id, "kind": kind, "id": str(uuid.uuid4()), "op": "create",
                            "changes": changes})
        if self.shared is not None and random.random() < EDIT_SHARED:
            rev, notes = self.shared
            mutation_id = str(uuid.uuid4())
            entries.append({"mutation_id": mutation_id, "kind": "visit", "id": self.account["shared_visit_id"],
                            "op": "update", "base_rev": rev, "base": {"notes": notes},
                            "changes": {"notes": f"edit {mutation_id}"}})
        if self.my_conflicts and self.shared is not None and random.random() < RESOLVE:
            # Keep theirs: settle the conflicts this phone raised, changing nothing.
            entries.append({"mutation_id": str(uuid.uuid4()), "kind": "visit", "id": self.account["shared_visit_id"],
                            "op": "update", "base_rev": self.shared[0], "changes": {},
                            "resolves": sorted(self.my_conflicts)})
        return entries

    def push(self, batch, name="POST /api/sync/push"):
        body = {"device_id": self.device_id, "schema_version": 1, "mutations": batch}
        with self.client.post("/api/sync/push", json=body, headers={"X-CSRF-Token": self.csrf}, name=name,
                              catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"push {response.status_code}: {response.text[:200]}")
                return None
            try:
                results = response.json()["results"]
            except (ValueError, KeyError):
                response.failure("push: no results in the answer")
                return None
            if len(results) != len(batch):
                response.failure(f"push: {len(results)} results for {len(batch)} mutations")
                return None
            for mutation, result in zip(batch, results):
                if result.get("mutation_id") != mutation["mutation_id"]:
                    response.failure("push: results out of order")
                    return None
                if result["status"] == "rejected":
                    response.failure(f"push: rejected {result.get('errors')}")
            if name == "POST /api/sync/push":
                for mutation, result in zip(batch, results):
                    acked.append({"user": self.account["email"], "mutation": mutation, "result": result})
            return results

    def pull(self):
        while True:
            params = {"limit": "500"}
            if self.cursor:
                params["cursor"] = self.cursor
            with self.client.get("/api/sync/pull", params=params, name="GET /api/sync/pull",
                                 catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"pull {response.status_code}: {response.text[:200]}")
                    return
                body = response.json()
            for change in body["changes"]:
                if change["id"] == self.account["shared_visit_id"] and not change["deleted"]:
                    self.shared = (change["rev"], change["data"]["notes"])
            self.my_conflicts = {c["id"] for c in body["conflicts"]
                                 if c["record_id"] == self.account["shared_visit_id"] and c["raised_by"] == self.user_id}
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return
