"""Fault injection for sync tests (tests/sync/test_faults.py).

- ``Server``: the app under gunicorn in its own process group, on a free
  port. ``kill_worker()`` SIGKILLs the process that is running the request
  (gunicorn's master forks a fresh one from the preloaded app);
  ``kill_all()`` SIGKILLs master and worker together and ``start()`` brings
  the server back on the same port.
- ``Proxy``: a TCP proxy (threads and sockets) between the phone and the
  server. For the next connection the test may order ``drop`` (forward the
  request, read the server's whole answer, i.e. after its commit, then close
  the phone's side without a byte) or ``kill`` (forward the request, then
  call a kill hook after a random delay, while the batch is in flight).
- ``HttpPhone``: plain HTTP with urllib, its own cookies and CSRF token.
- ``FieldPhone``: the field app's local store and outbox (static/js/store.js,
  static/js/sync.js) in Python: every local edit queues an entry with a new
  mutation_id, ``base_rev`` = the rev last pulled and ``base`` = what the
  person saw; a sync pushes the outbox in order, in batches, keeps what was
  not acknowledged (same mutation ids) and pulls once the outbox is empty.

The server is started with ``tests.sync.faults:make_app()``, which reads its
settings from FAULT_* environment variables.
"""
from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SECRET_KEY = "fault-test-secret-key-long-enough-0123456789abcdef"


def make_app():
    """The gunicorn app factory (``--preload``: built once in the master)."""
    from app import create_app

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": os.environ["FAULT_DATABASE_URL"],
                      "SECRET_KEY": SECRET_KEY, "INSTANCE_PATH": os.environ["FAULT_INSTANCE_PATH"]})
    # No pooled connection may be shared by the forked workers.
    app.extensions["database"]["engine"].dispose()
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, tmp_path: Path):
        self.database_url = database_url
        self.instance = tmp_path / "instance"
        self.log_path = tmp_path / "gunicorn.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.worker_kills = 0
        self.full_kills = 0
        self._lock = threading.Lock()

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "FAULT_DATABASE_URL": self.database_url, "FAULT_INSTANCE_PATH": str(self.instance)}
        env.pop("GUNICORN_CMD_ARGS", None)
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--no-control-socket", "--preload", "--workers", "1",
             "--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "1",
             "--bind", f"127.0.0.1:{self.port}", "tests.sync.faults:make_app()"],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                urllib.request.urlopen(self.url + "/manifest.webmanifest", timeout=2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not start:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def worker_pids(self) -> list[int]:
        if not self.alive():
            return []
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def kill_worker(self) -> bool:
        """SIGKILL the worker (the process running the request); gunicorn forks another."""
        with self._lock:
            pids = self.worker_pids()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):  # it died already
                    os.kill(pid, signal.SIGKILL)
            if pids:
                self.worker_kills += 1
            return bool(pids)

    def wait_for_worker(self, old: set[int], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if set(self.worker_pids()) - old:
                return
            time.sleep(0.02)
        raise RuntimeError(f"gunicorn did not fork a new worker:\n{self.log_tail()}")

    def kill_all(self) -> None:
        """SIGKILL master and worker at once (the whole process group)."""
        with self._lock:
            if self.alive():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                self.full_kills += 1

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Proxy:
    """Forwards 127.0.0.1:<port> to the server, one thread per direction."""

    def __init__(self, upstream_port: int, rng: random.Random):
        self.upstream_port = upstream_port
        self.rng = rng
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._next: tuple | None = None
        self._lock = threading.Lock()
        self.dropped = 0  # responses the server sent in full that the phone never got
        self.kills_ordered = 0
        self._closed = False
        self._threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def drop_next(self) -> None:
        with self._lock:
            self._next = ("drop",)

    def kill_next(self, kill, max_delay: float) -> threading.Event:
        """Call ``kill()`` up to ``max_delay`` seconds after the next request's
        first bytes reach the server; the event is set once it was called."""
        done = threading.Event()

        def fire():
            try:
                kill()
            finally:
                done.set()

        with self._lock:
            self._next = ("kill", fire, self.rng.uniform(0, max_delay))
        return done

    def close(self) -> None:
        self._closed = True
        self.listener.close()
        for t in self._threads:
            t.join(5)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                action, self._next = self._next, None
            t = threading.Thread(target=self._serve, args=(client, action or ("pass",)), daemon=True)
            self._threads = [x for x in self._threads if x.is_alive()] + [t]
            t.start()

    def _serve(self, client: socket.socket, action: tuple) -> None:
        upstream = None
        try:
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60)
            except OSError:
                if action[0] == "kill":
                    action[1]()  # nothing to kill: the server is down already
                return  # the phone sees the connection close
            client.settimeout(60)
            killer = None

            def forward_request():
                nonlocal killer
                with contextlib.suppress(OSError):  # either side hung up: stop forwarding
                    while True:
                        data = client.recv(65536)
                        if not data:
                            break
                        upstream.sendall(data)
                        if action[0] == "kill" and killer is None:
                            killer = threading.Timer(action[2], action[1])
                            killer.start()
                with contextlib.suppress(OSError):
                    upstream.shutdown(socket.SHUT_WR)

            if action[0] == "kill":
                self.kills_ordered += 1
            sender = threading.Thread(target=forward_request, daemon=True)
            sender.start()
            answer = bytearray()
            while True:
                try:
                    data = upstream.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                if action[0] == "drop":
                    answer += data  # held back: the phone never sees it
                else:
                    try:
                        client.sendall(data)
                    except OSError:
                        break
            if action[0] == "drop" and answer:
                self.dropped += 1
            if killer is not None:
                killer.join()
        finally:
            for s in (client, upstream):
                if s is not None:
                    # shutdown first: a plain close would wait for the other
                    # thread's recv on the same socket to return.
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                    s.close()


class Offline(Exception):
    """No answer reached the phone (dropped, reset, server down)."""


class HttpPhone:
    """Plain HTTP: cookies in a jar, the CSRF token from sign-in on unsafe methods."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None

    def request(self, method: str, path: str, body=None, timeout: float = 60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.csrf and method not in ("GET", "HEAD"):
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as err:  # URLError, reset, closed without an answer
            raise Offline(repr(err)) from None

    def sign_in(self, email: str, password: str) -> None:
        status, body = self.request("POST", "/api/session", {"email": email, "password": password, "app": "field"})
        assert status == 200, body
        self.csrf = body["csrf_token"]


WRITABLE_FIELDS = {
    "visit": ("notes", "location", "duration_minutes"),
    "goal": ("title", "reality", "options", "will"),
    "progress": ("note", "score"),
}


class FieldPhone:
    """The field app's store and outbox. ``intended`` is what the person
    wants each record to hold (the fields they set) and ``edits`` how many
    accepted mutations each record should have had: the test's expectations."""

    def __init__(self, http: HttpPhone, rng: random.Random, max_batch: int):
        self.http = http
        self.rng = rng
        self.max_batch = max_batch
        self.device_id = str(uuid.uuid4())
        self.records: dict[tuple, dict] = {}  # (kind, id) -> {rev, server, data, deleted}
        self.outbox: list[dict] = []
        self.cursor = None
        self.sent: dict[str, dict] = {}  # every mutation made, by mutation_id
        self.acked: dict[str, dict] = {}  # the result the phone took for each
        self.created: dict[tuple, dict] = {}  # (kind, id) -> the create's changes
        self.intended: dict[tuple, dict] = {}
        self.mutations_on: dict[tuple, int] = {}  # accepted mutations expected per record
        self.deleted: set[tuple] = set()
        self.start_rev: dict[tuple, int] = {}  # rev of records the phone did not create, when first pulled
        self.client_ids: set[str] = set()
        self.pushes = self.pulls = self.push_failures = self.pull_failures = 0
        self.counter = 0

    # -- local edits (store.js saveLocal) --------------------------------
    def save_local(self, kind: str, record_id: str, op: str, changes: dict | None = None) -> None:
        changes = changes or {}
        key = (kind, record_id)
        record = self.records.setdefault(key, {"rev": None, "server": None, "data": {}, "deleted": False,
                                               "own_since_pull": 0})
        entry = {"mutation_id": str(uuid.uuid4()), "kind": kind, "id": record_id, "op": op,
                 "base_rev": record["rev"], "base": {k: record["data"].get(k) for k in changes},
                 "changes": changes, "resolves": []}
        self.outbox.append(entry)
        self.sent[entry["mutation_id"]] = entry
        if op == "delete":
            record["deleted"] = True
            self.deleted.add(key)
        else:
            record["own_since_pull"] += 1  # made after the rev the phone holds: its later delete is from an older rev
            record["data"] = {**record["data"], **changes}
            self.intended[key] = {**self.intended.get(key, {}), **changes}
        if op == "create":
            self.created[key] = changes
        self.mutations_on[key] = self.mutations_on.get(key, 0) + 1

    def live(self, kind: str | None = None) -> list[tuple]:
        return [key for key, r in self.records.items()
                if not r["deleted"] and (kind is None or key[0] == kind) and r["data"]]

    def text(self, what: str) -> str:
        self.counter += 1
        return f"{what} {self.counter} ({self.rng.randrange(10**6)})"

    def random_edit(self, client_ids: list[str]) -> None:
        """One thing a mentor might do on the phone."""
        rng = self.rng
        choice = rng.random()
        goals = self.live("goal")
        if choice < 0.15:
            self.save_local("visit", str(uuid.uuid4()), "create", {
                "client_id": rng.choice(client_ids), "status": "planned", "notes": self.text("notes"),
                "scheduled_start": f"2026-12-{rng.randint(1, 28):02d}T{rng.randint(8, 18):02d}:30:00+00:00",
                "location": self.text("location"), "duration_minutes": rng.choice([30, 45, 60, 90])})
        elif choice < 0.27:
            self.save_local("goal", str(uuid.uuid4()), "create", {
                "client_id": rng.choice(client_ids), "title": self.text("goal"), "reality": self.text("reality")})
        elif choice < 0.40 and goals:
            self.save_local("progress", str(uuid.uuid4()), "create", {
                "goal_id": rng.choice(goals)[1], "score": rng.randint(0, 10), "note": self.text("note"),
                "recorded_at": f"2026-11-{rng.randint(1, 25):02d}T{rng.randint(8, 18):02d}:00:00+00:00"})
        elif choice < 0.88:
            live = self.live()
            if not live:
                return
            kind, record_id = key = rng.choice(live)
            data = self.records[key]["data"]
            changes = {}
            for name in rng.sample(WRITABLE_FIELDS[kind], rng.randint(1, 2)):
                if name == "score":
                    changes[name] = rng.choice([s for s in range(11) if s != data.get("score")])
                elif name == "duration_minutes":
                    changes[name] = rng.choice([m for m in (15, 30, 45, 60, 75, 90, 120) if m != data.get(name)])
                else:
                    changes[name] = self.text(name)
            self.save_local(kind, record_id, "update", changes)
        else:
            # A delete carries the rev the phone last pulled (null for a
            # record it made and never pulled), even when its own edits are
            # queued or were sent since, answered or not: every change since
            # is its own, so the server applies it (docs/sync-protocol.md,
            # "delete"). Often it is one just made or changed (a mistake).
            live = self.live()
            changed = [key for key in live if self.records[key]["own_since_pull"]]
            if changed and rng.random() < 0.5:
                live = changed
            if live:
                kind, record_id = rng.choice(live)
                self.save_local(kind, record_id, "delete")

    # -- sync (sync.js) ----------------------------------------------------
    def push_once(self, before_send=None) -> bool:
        """Push the head of the outbox; False if no answer came back."""
        batch = self.outbox[:self.rng.randint(1, self.max_batch)]
        body = {"device_id": self.device_id, "schema_version": 1, "mutations": batch}
        if before_send:
            before_send(batch)
        self.pushes += 1
        try:
            status, answer = self.http.request("POST", "/api/sync/push", body)
        except Offline:
            self.push_failures += 1
            return False
        assert status == 200, f"push answered {status}: {answer}"
        results = answer["results"]
        assert [r["mutation_id"] for r in results] == [m["mutation_id"] for m in batch], results
        for entry, result in zip(batch, results):
            assert result["status"] in ("applied", "merged"), (entry, result)
            self.acked[entry["mutation_id"]] = result
        done = {m["mutation_id"] for m in batch}
        self.outbox = [e for e in self.outbox if e["mutation_id"] not in done]
        return True

    def pull_all(self, cursor="keep") -> list[dict] | None:
        changes = []
        use = self.cursor if cursor == "keep" else cursor
        while True:
            self.pulls += 1
            path = "/api/sync/pull?limit=500" + (f"&cursor={use}" if use else "")
            try:
                status, page = self.http.request("GET", path)
            except Offline:
                self.pull_failures += 1
                return None
            assert status == 200, f"pull answered {status}: {page}"
            changes += page["changes"]
            self.apply_pull(page)
            use = self.cursor = page["cursor"]
            if not page["has_more"]:
                return changes

    def apply_pull(self, page: dict) -> None:
        for change in page["changes"]:
            key = (change["kind"], change["id"])
            if change["kind"] == "client":
                self.client_ids.add(change["id"])
            if change["kind"] not in WRITABLE_FIELDS:
                continue
            if key not in self.created:
                self.start_rev.setdefault(key, change["rev"])  # a record the phone found on the server
            record = self.records.setdefault(key, {"rev": None, "server": None, "data": {}, "deleted": False,
                                                   "own_since_pull": 0})
            record["rev"] = change["rev"]
            record["server"] = change["data"]
            record["own_since_pull"] = sum((e["kind"], e["id"]) == key for e in self.outbox)
            data = dict(change["data"] or {})
            deleted = change["deleted"]
            for e in self.outbox:  # what the person sees: the server's version and their queued edits
                if (e["kind"], e["id"]) == key:
                    if e["op"] == "delete":
                        deleted = True
                    else:
                        data.update(e["changes"])
            record["data"], record["deleted"] = data, deleted

    def sync(self, before_send=None) -> bool:
        """Push the whole outbox, batch by batch, then pull; False if cut off."""
        while self.outbox:
            if not self.push_once(before_send):
                return False
        return self.pull_all() is not None
