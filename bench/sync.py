"""Sync engine figures: push throughput against a raw bulk insert, and pull.

On each backend: a fresh, migrated database with the demo data
(``seed_demo``), signed in as the volunteer amira@demo.test, whose scope holds
Margaret Hill and George Turner.

1. pull: 10,000 visits are bulk-inserted for those two clients (with change
   numbers from the real counter), then a first full pull is timed page by
   page (limit 1000) until ``has_more`` is false, a single page, and the same
   paging through the HTTP API; then a pull with nothing new (a phone in
   step, the commonest pull) through the HTTP API, with the SQL statements
   it sends (tests/sync/test_pull_statements.py bounds the engine's own).
2. push: batches of 100 and 1,000 ``create`` mutations of kind ``visit``
   through ``app.sync.push.push()``, each run followed by a Core bulk insert
   of as many equivalent visit rows; the 1,000 batch also through the HTTP
   API (Flask test client, so JSON and request overhead show).

Each figure is the median of N runs (N=5, or 3 with --quick); the fastest is
shown too. Mutations and rows are built before the clock starts.
"""
from __future__ import annotations

import gc
import os
import statistics
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from time import perf_counter

from sqlalchemy import event, insert, make_url, select, text

from app import create_app, migrate
from app.accounts import passwords
from app.accounts.models import User
from app.clients.models import Client
from app.config import normalise_database_url
from app.db import make_engine, utcnow
from app.demo.seed import seed_demo
from app.fieldwork.models import Visit
from app.sync.changes import take_seqs
from app.sync.pull import Cursor, pull
from app.sync.push import push

PASSWORD = "bench-demo-password"
VOLUNTEER = "amira@demo.test"
CLIENT_NAMES = ("Margaret Hill", "George Turner")
PULL_RECORDS = 10_000
PULL_LIMIT = 1000
PUSH_TARGET = 3.0  # push within 3x of a raw insert
PULL_TARGET = 1.0  # seconds for 10,000 records
START = "2026-12-01T10:30:00+00:00"
NOTES = "Walked to the corner shop together; talked through the plan for next week. " * 2


class BenchFailed(RuntimeError):
    """A benchmark run whose results were wrong: its figures would mean nothing."""


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


def run(backend: str, pg_url: str | None, repeats: int) -> None:
    passwords.HASH_METHOD = "scrypt:1024:8:1"  # cheap hashing: seeding in well under a second
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if backend == "sqlite":
            path = Path(tmp) / "bench.sqlite"
            url = f"sqlite:///{path}"
            print(f"== SQLite, temporary file {path}")
        else:
            url = pg_url
            print(f"== PostgreSQL {make_url(url).render_as_string(hide_password=True)}")
            print("   WIPES THIS DATABASE: DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            wipe_postgres(url)
        migrate.upgrade(url)
        app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "x" * 40,
                          "INSTANCE_PATH": Path(tmp) / "instance"})
        try:
            print(f"   median of {repeats} runs (fastest also shown); mutations and rows are built before timing\n")
            Bench(app, repeats).report()
            print()
        finally:
            app.extensions["database"]["engine"].dispose()


def wipe_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def measure(repeats, prepare, run, check=lambda result: None) -> list[float]:
    """Seconds of ``run(prepare())``, ``repeats`` times; ``check`` each result (untimed)."""
    seconds = []
    for _ in range(repeats):
        arg = prepare()
        gc.collect()
        start = perf_counter()
        result = run(arg)
        seconds.append(perf_counter() - start)
        check(result)
    return seconds


class Bench:
    def __init__(self, app, repeats: int):
        self.repeats = repeats
        self.session = app.extensions["database"]["sessionmaker"]()
        seed_demo(self.session, PASSWORD)
        self.session.commit()
        self.user = self.session.scalars(select(User).where(User.email == VOLUNTEER)).one()
        names = self.session.execute(select(Client.name, Client.id).where(Client.name.in_(CLIENT_NAMES)))
        self.client_ids = [client_id for _name, client_id in sorted(names)]
        if len(self.client_ids) != len(CLIENT_NAMES):
            raise BenchFailed(f"the demo data no longer has the clients {CLIENT_NAMES}")
        # End the read: on SQLite a transaction that read before the sign-in
        # below wrote could not write later ("database is locked").
        self.session.commit()
        self.device_id = uuid.uuid4()
        self.engine = app.extensions["database"]["engine"]
        self.http = app.test_client()
        response = self.http.post("/api/session", json={"email": VOLUNTEER, "password": PASSWORD})
        if response.status_code != 200:
            raise BenchFailed(f"sign-in as {VOLUNTEER} failed: {response.status_code} {response.get_data(as_text=True)}")
        self.csrf = response.get_json()["csrf_token"]
        self.rows = []

    def report(self) -> None:
        self.pull_figures()
        self.push_figures()
        self.print_table()
        print(f"\npull: a first full snapshot (no cursor) as {VOLUNTEER}: {PULL_RECORDS:,} seeded visits plus the"
              f" demo records in scope.\nraw insert: session.execute(insert(Visit.__table__), rows) + commit; push also"
              f" writes one sync_mutations row per mutation.")
        self.session.close()

    # -- data -------------------------------------------------------------
    def mutations(self, n: int) -> list[dict]:
        return [
            {"mutation_id": str(uuid.uuid4()), "kind": "visit", "id": str(uuid.uuid4()), "op": "create",
             "base_rev": None, "base": {},
             "changes": {"client_id": str(self.client_ids[i % 2]), "scheduled_start": START, "status": "planned",
                         "notes": NOTES, "location": "Home"}}
            for i in range(n)
        ]

    def visit_rows(self, n: int) -> list[dict]:
        """As many visit rows as push would write, numbered from the real change counter."""
        last = take_seqs(self.session, n)
        self.session.commit()
        now = utcnow()
        return [
            {"id": uuid.uuid4(), "client_id": self.client_ids[i % 2], "scheduled_start": START,
             "scheduled_start_at": datetime.fromisoformat(START), "duration_minutes": None, "location": "Home",
             "status": "planned", "notes": NOTES, "checked_in_at": None, "checked_out_at": None,
             "rev": 1, "seq": last - n + 1 + i, "deleted_at": None, "created_at": now, "updated_at": now,
             "created_by_id": self.user.id, "updated_by_id": self.user.id}
            for i in range(n)
        ]

    def raw_insert(self, rows) -> None:
        self.session.execute(insert(Visit.__table__), rows)
        self.session.commit()

    # -- pull -------------------------------------------------------------
    def pull_service(self, cursor: str | None, limit: int = PULL_LIMIT) -> dict:
        body = pull(self.session, self.user, Cursor.decode(cursor), limit=limit)
        self.session.rollback()  # end the read, as the end of a request does
        return body

    def pull_http(self, cursor: str | None) -> dict:
        query = {"limit": PULL_LIMIT} | ({"cursor": cursor} if cursor else {})
        response = self.http.get("/api/sync/pull", query_string=query)
        if response.status_code != 200:
            raise BenchFailed(f"HTTP pull: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json()

    def pull_figures(self) -> None:
        self.raw_insert(self.visit_rows(PULL_RECORDS))
        for how, fetch in (("service", self.pull_service), ("HTTP", self.pull_http)):
            counts = []
            seconds = measure(self.repeats, no_input, lambda _: page_through(fetch), counts.append)
            records, pages = counts[0]
            if records < PULL_RECORDS or len(set(counts)) != 1:
                raise BenchFailed(f"pull returned {counts} (records, pages), expected at least {PULL_RECORDS:,} records")
            verdict = "met" if median(seconds) < PULL_TARGET else "MISSED"
            self.add(f"pull {records:,} records, {how}, {pages} pages of {PULL_LIMIT:,}", records, seconds,
                     target=f"< {PULL_TARGET:g} s: {verdict}")
            if how == "service":
                seconds = measure(self.repeats, no_input, lambda _: self.pull_service(None), check_one_page)
                self.add(f"pull one page of {PULL_LIMIT:,}, service", PULL_LIMIT, seconds)
        cursor = None
        while True:
            body = self.pull_http(cursor)
            cursor = body["cursor"]
            if not body["has_more"]:
                break
        sent = []

        def count(conn, dbapi_cursor, statement, parameters, context, executemany):
            if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
                sent.append(statement)

        event.listen(self.engine, "before_cursor_execute", count)
        try:
            self.pull_http(cursor)
        finally:
            event.remove(self.engine, "before_cursor_execute", count)
        seconds = measure(self.repeats, no_input, lambda _: self.pull_http(cursor))
        self.add(f"pull with nothing new, HTTP ({len(sent)} SQL statements)", 1, seconds)
        self.rows.append(None)

    # -- push -------------------------------------------------------------
    def push_figures(self) -> None:
        def service_push(mutations):
            return push(self.session, self.user, self.device_id, mutations)

        def http_push(mutations):
            response = self.http.post("/api/sync/push", headers={"X-CSRF-Token": self.csrf},
                                      json={"device_id": str(self.device_id), "schema_version": 1, "mutations": mutations})
            if response.status_code != 200:
                raise BenchFailed(f"HTTP push: {response.status_code} {response.get_data(as_text=True)[:300]}")
            return response.get_json()["results"]

        for n in (100, 1000):
            push_seconds, raw_seconds = [], []
            for _ in range(self.repeats):  # alternate, so both see the same table sizes
                push_seconds += measure(1, lambda: self.mutations(n), service_push, check_applied)
                raw_seconds += measure(1, lambda: self.visit_rows(n), self.raw_insert)
            self.add(f"push {n:,} visit creates, service", n, push_seconds)
            self.add(f"raw Core insert of {n:,} visit rows", n, raw_seconds)
            ratio = median(push_seconds) / median(raw_seconds)
            self.rows.append((f"  push / raw insert (medians): {ratio:.1f}x", None, None,
                              f"<= {PUSH_TARGET:g}x: {'met' if ratio <= PUSH_TARGET else 'MISSED'}"))
        self.add("push 1,000 visit creates, HTTP test client", 1000,
                 measure(self.repeats, lambda: self.mutations(1000), http_push, check_applied))

    # -- output -----------------------------------------------------------
    def add(self, label, records, seconds, target=""):
        self.rows.append((label, records, seconds, target))

    def print_table(self) -> None:
        width = max(len(row[0]) for row in self.rows if row) + 2
        header = f"{'measurement':<{width}}{'median ms':>10}{'fastest ms':>12}{'records/s':>11}  target"
        print(header)
        print("-" * (len(header) + 14))
        for row in self.rows:
            if row is None:
                print()
                continue
            label, records, seconds, target = row
            if seconds is None:
                print(f"{label:<{width + 33}}  {target}")
                continue
            mid = median(seconds)
            print(f"{label:<{width}}{mid * 1000:>10.1f}{min(seconds) * 1000:>12.1f}{records / mid:>11,.0f}  {target}")


def no_input():
    return None


def median(seconds: list[float]) -> float:
    return statistics.median(seconds)


def page_through(fetch) -> tuple[int, int]:
    """Pull from no cursor until has_more is false; (records, pages)."""
    cursor, records, pages = None, 0, 0
    while True:
        body = fetch(cursor)
        records, pages, cursor = records + len(body["changes"]), pages + 1, body["cursor"]
        if not body["has_more"]:
            return records, pages


def check_one_page(body: dict) -> None:
    if len(body["changes"]) != PULL_LIMIT or not body["has_more"]:
        raise BenchFailed(f"one pull page held {len(body['changes'])} changes, expected {PULL_LIMIT} and more to come")


def check_applied(results: list[dict]) -> None:
    for result in results:
        if result.get("status") != "applied":
            raise BenchFailed(f"push result was {result.get('status')!r}, not 'applied': {result}")
