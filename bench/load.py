"""Load test: many volunteers syncing at once against gunicorn and PostgreSQL.

``python -m bench load`` (needs locust: ``.venv/bin/pip install -e '.[bench]'``):

1. creates the PostgreSQL database (``--database-url``, else LOAD_DATABASE_URL,
   else postgresql://postgres@127.0.0.1:5432/load) if it does not exist, and
   **wipes it** (DROP SCHEMA public CASCADE), migrates it and seeds
   ``users / 2`` pairs of real volunteer accounts (bench/load_seed.py);
2. starts gunicorn on 127.0.0.1 (a free port; ``--workers``, default 2 x cores + 1);
3. signs every volunteer in first, then makes each phone's first full pull,
   as a warm-up timed and reported on lines of their own (phones stay signed
   in for 30 days and keep what they pulled, so a real scheme never has all
   its mentors signing in and downloading everything within the same minute;
   ``--sign-in-in-run`` / ``--first-pull-in-run`` do these inside the
   measured run instead, as earlier versions did);
4. runs locust headless (bench/load_locustfile.py) with a fixed number of
   users, spawn rate and run time, and a cap on requests: it stops by itself;
5. checks in the database that every mutation the server acknowledged landed
   exactly once (creates: one row each with the mutation's marker; edits of
   the shared visits: one ``rev`` each, none lost; conflicts: one row each;
   stored results equal to the answers), and prints requests per second,
   p50/p95/p99, errors and lost/duplicated counts, and how busy the machine was.

Response times are measured by locust (client side, loopback), so they include
the time a request waits for a free gunicorn worker. The output states the
simulated rate (each volunteer syncs every ``--wait`` seconds). Passwords are hashed with
a cheap scrypt cost (as in the other benchmarks): sign-in is not what is measured.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from importlib.util import find_spec
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/load"
PASSWORD = "load-test-password-2026"
P95_TARGET_MS = 200.0
INSTALL_HINT = ("locust is not installed. Install the benchmark extra: .venv/bin/pip install -e '.[bench]' "
                "(or .venv/bin/pip install 'locust>=2.20').")
HERE = Path(__file__).resolve().parent
SYNC_NAMES = ("GET /api/sync/pull", "POST /api/sync/push", "POST /api/sync/push (replay)")


class Unavailable(RuntimeError):
    pass


def add_arguments(parser) -> None:
    group = parser.add_argument_group("load only")
    group.add_argument("--users", type=int, default=300, help="simulated volunteers (default 300; even)")
    group.add_argument("--spawn-rate", type=float, default=20, help="users started per second (default 20)")
    group.add_argument("--run-time", type=int, default=60, help="seconds of load after the start (default 60)")
    group.add_argument("--max-requests", type=int, default=60_000,
                       help="stop early after this many requests (default 60000)")
    group.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                       help="gunicorn sync workers (default 2 x cores + 1)")
    group.add_argument("--wait", type=float, nargs=2, default=(10.0, 30.0), metavar=("MIN", "MAX"),
                       help="seconds each volunteer waits between syncs (default 10 30; the field app syncs after each save and every 5 minutes)")
    group.add_argument("--sign-in-in-run", action="store_true",
                       help="sign the volunteers in inside the measured run, as they start (default: in a warm-up before it)")
    group.add_argument("--first-pull-in-run", action="store_true",
                       help="make each phone's first full pull inside the measured run, as it starts (default: in the"
                            " warm-up, after signing in; implied by --sign-in-in-run)")
    group.add_argument("--database-url", help=f"PostgreSQL database to create and WIPE (default LOAD_DATABASE_URL or {DEFAULT_URL})")


def run(args) -> int:
    if find_spec("locust") is None:
        print(f"BENCHMARK NOT RUN: {INSTALL_HINT}", file=sys.stderr)
        return 1
    if args.users < 2 or args.users % 2:
        print("BENCHMARK NOT RUN: --users must be an even number (volunteers come in pairs)", file=sys.stderr)
        return 1
    url = args.database_url or os.environ.get("LOAD_DATABASE_URL") or DEFAULT_URL
    from app.config import normalise_database_url

    url = normalise_database_url(url)
    if not url.startswith("postgresql"):
        print("BENCHMARK NOT RUN: the load test runs on PostgreSQL (--database-url postgresql://...)", file=sys.stderr)
        return 1
    shown = make_url(url).render_as_string(hide_password=True)
    print(f"== Load test: {args.users} volunteers, gunicorn x{args.workers} workers, PostgreSQL {shown}")
    print("   WIPES THIS DATABASE (created if missing)")
    guard = hold_lock(url)
    if guard is None:
        print(f"BENCHMARK NOT RUN: another load test is using {shown}; wait for it or pass --database-url",
              file=sys.stderr)
        return 1
    try:
        return _run(args, url)
    finally:
        guard.close()


def hold_lock(url: str):
    """A session-level advisory lock on the server, named after the database,
    held for the whole run: two load tests never wipe each other's database."""
    import psycopg

    parsed = make_url(url)
    conninfo = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = psycopg.connect(conninfo, autocommit=True)
    if conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (f"bench load {parsed.database}",)).fetchone()[0]:
        return conn
    conn.close()
    return None


def _run(args, url: str) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        tmp = Path(tmp)
        accounts = [a.as_dict() for a in prepare_database(url, args.users // 2)]
        port = free_port()
        server = start_gunicorn(url, port, args.workers, tmp)
        try:
            wait_until_up(port, server)
            warm_up = None
            if not args.sign_in_in_run:
                warm_up = sign_in_all(port, accounts, args.workers, first_pulls=not args.first_pull_in_run)
            (tmp / "accounts.json").write_text(json.dumps(accounts))
            warm_lines = access_lines(tmp / "access.log")  # the warm-up's requests, told apart from the run's
            load_before = os.getloadavg()
            monitor = Monitor(server.pid)
            monitor.start()
            started = time.monotonic()
            outcome = run_locust(args, port, tmp)
            elapsed = time.monotonic() - started
            monitor.stop()
        finally:
            stop(server)
        results = json.loads((tmp / "results.json").read_text()) if (tmp / "results.json").exists() else None
        if results is None:
            print(f"BENCHMARK ABORTED: locust wrote no results (exit {outcome.returncode})\n{outcome.stderr[-3000:]}",
                  file=sys.stderr)
            return 1
        integrity = check_database(url, results)
        report(args, results, integrity, elapsed, load_before, monitor, outcome,
               server_times(tmp / "access.log", start=warm_lines), warm_up,
               server_times(tmp / "access.log", stop=warm_lines))
        return 1 if integrity["lost"] or integrity["duplicated"] else 0


def prepare_database(url: str, pairs: int):
    from app import create_app, migrate
    from app.accounts import passwords
    from bench.load_seed import seed

    create_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)
    passwords.HASH_METHOD = "scrypt:1024:8:1"  # sign-in is not what is measured
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-load-app-") as instance:
        app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "x" * 40, "INSTANCE_PATH": instance})
        session = app.extensions["database"]["sessionmaker"]()
        try:
            accounts = seed(session, pairs, PASSWORD)
            session.commit()
        finally:
            session.close()
            app.extensions["database"]["engine"].dispose()
    # Fresh rows have no planner statistics until autovacuum gets to them
    # (a minute or more); without them PostgreSQL re-runs the scope subquery
    # for every visit and a pull takes seconds. A live database has them.
    analyze = create_engine(url, isolation_level="AUTOCOMMIT")
    with analyze.connect() as conn:
        conn.execute(text("ANALYZE"))
    analyze.dispose()
    print(f"   seeded {pairs} pairs ({2 * pairs} volunteers, {2 * pairs} clients) and analysed in {time.monotonic() - started:.1f} s")
    return accounts


def create_database(url: str) -> None:
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
                print(f"   created database {parsed.database}")
    finally:
        server.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32),
           "RECEIPTS_DIR": str(tmp / "receipts")}
    env.pop("TRUSTED_PROXIES", None)
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "--error-logfile", str(tmp / "gunicorn.log"),
               # Time spent in the worker per request (µs), without the wait for a free worker.
               "--access-logfile", str(tmp / "access.log"), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s",
               "app.wsgi:app"]
    print(f"   {' '.join(command[1:])}")
    return subprocess.Popen(command, env=env, cwd=HERE.parent, start_new_session=True)


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise Unavailable(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/session", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # 401: up
        except OSError:
            time.sleep(0.2)
    raise Unavailable("gunicorn did not answer within a minute")


def sign_in_all(port: int, accounts: list[dict], concurrency: int, first_pulls: bool) -> dict:
    """The warm-up: sign every account in as the field app does, ``concurrency``
    at a time; each account gets its cookies and CSRF token for locust. With
    ``first_pulls``, each phone then makes its first full pull (its cursor and
    the shared visit's rev go to locust too). Returns the times (ms) and
    failures of both, for lines of their own."""
    jars: dict[str, http.cookiejar.CookieJar] = {}  # email -> the cookies its sign-in set

    def sign_in(account: dict):
        jar = jars[account["email"]] = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        body = json.dumps({"email": account["email"], "password": PASSWORD, "app": "field"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/session", data=body,
                                         headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=60) as response:
                answer = json.loads(response.read())
        except (OSError, ValueError) as err:
            return (time.perf_counter() - started) * 1000, f"{account['email']}: {err}"
        account.update(cookies={cookie.name: cookie.value for cookie in jar}, csrf=answer["csrf_token"],
                       user_id=answer["user"]["id"])
        return (time.perf_counter() - started) * 1000, None

    def first_download(account: dict):
        """The phone's first pull after signing in: everything of its pair,
        following cursors; locust carries on from the cursor it ends with."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jars[account["email"]]))
        cursor, shared = None, None
        started = time.perf_counter()
        try:
            while True:
                query = urllib.parse.urlencode({"limit": "500", **({"cursor": cursor} if cursor else {})})
                with opener.open(f"http://127.0.0.1:{port}/api/sync/pull?{query}", timeout=60) as response:
                    body = json.loads(response.read())
                for change in body["changes"]:
                    if change["id"] == account["shared_visit_id"] and not change["deleted"]:
                        shared = [change["rev"], change["data"]["notes"]]
                cursor = body["cursor"]
                if not body["has_more"]:
                    break
        except (OSError, ValueError, KeyError) as err:
            return (time.perf_counter() - started) * 1000, f"{account['email']}: first pull: {err}"
        account.update(cursor=cursor, shared=shared)
        return (time.perf_counter() - started) * 1000, None

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = list(pool.map(sign_in, accounts))
    seconds = time.monotonic() - started
    downloads = []
    if first_pulls:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            downloads = list(pool.map(first_download, [a for a in accounts if "cookies" in a]))
    return {"ms": sorted(ms for ms, _ in outcomes), "failures": [failure for _, failure in outcomes if failure],
            "seconds": seconds, "concurrency": concurrency,
            "pull_ms": sorted(ms for ms, _ in downloads), "pull_failures": [f for _, f in downloads if f],
            "pull_seconds": time.monotonic() - started if downloads else 0.0}



def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the arbiter stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run_locust(args, port: int, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOAD_PASSWORD": PASSWORD, "LOAD_ACCOUNTS": str(tmp / "accounts.json"),
           "LOAD_RESULTS": str(tmp / "results.json"), "LOAD_MAX_REQUESTS": str(args.max_requests),
           "LOAD_WAIT_MIN": str(args.wait[0]), "LOAD_WAIT_MAX": str(args.wait[1])}
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "load_locustfile.py"), "--headless",
               "--host", f"http://127.0.0.1:{port}", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
               "--run-time", f"{args.run_time}s", "--stop-timeout", "15", "--csv", str(tmp / "locust"),
               "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    print(f"   locust --users {args.users} --spawn-rate {args.spawn_rate:g} --run-time {args.run_time}s"
          f" (at most {args.max_requests} requests; each volunteer waits {args.wait[0]:g}-{args.wait[1]:g} s between syncs)")
    try:
        return subprocess.run(command, env=env, cwd=HERE.parent, capture_output=True, text=True,
                              timeout=args.run_time + 180)
    except subprocess.TimeoutExpired as err:
        return subprocess.CompletedProcess(command, -9, err.stdout or "", f"locust timed out: {err}")


class Monitor(threading.Thread):
    """CPU use each second: the whole machine, gunicorn (arbiter and workers), PostgreSQL, locust and the rest."""

    def __init__(self, gunicorn_pid: int):
        super().__init__(daemon=True)
        self.gunicorn_pid = gunicorn_pid
        self.samples: list[dict] = []
        self._halt = threading.Event()

    def run(self):
        import psutil

        def tree(proc):
            try:
                return [proc, *proc.children(recursive=True)]
            except psutil.Error:
                return []

        def groups():
            me = psutil.Process()
            found = {"gunicorn": tree(psutil.Process(self.gunicorn_pid))}
            found["locust"] = [p for p in me.children(recursive=True) if p.pid not in {x.pid for x in found["gunicorn"]}]
            found["postgres"] = [p for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "postmaster")]
            return found

        def cpu_times(procs):
            total = 0.0
            for p in procs:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.Error:
                    pass
            return total

        psutil.cpu_percent()
        previous = {name: cpu_times(procs) for name, procs in groups().items()}
        last = time.monotonic()
        while not self._halt.wait(1.0):
            now = time.monotonic()
            found = groups()
            current = {name: cpu_times(procs) for name, procs in found.items()}
            sample = {"machine": psutil.cpu_percent() * (os.cpu_count() or 1) / 100, "load1": os.getloadavg()[0]}
            for name in current:
                sample[name] = max(0.0, (current[name] - previous.get(name, current[name])) / (now - last))
            self.samples.append(sample)
            previous, last = current, now

    def stop(self):
        self._halt.set()
        self.join(timeout=5)

    def summary(self) -> dict:
        if not self.samples:
            return {}
        keys = self.samples[0].keys()
        return {key: statistics.fmean(s[key] for s in self.samples) for key in keys}


def check_database(url: str, results: dict) -> dict:
    """Did every acknowledged mutation land exactly once?"""
    acked = results["acked"]
    unacked_ids = {m["mutation_id"] for m in results["unacked"]}
    lost, duplicated, wrong = [], [], []
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = {}
        ids = [a["mutation"]["mutation_id"] for a in acked]
        for i in range(0, len(ids), 5000):
            chunk = ids[i:i + 5000]
            for mutation_id, result in conn.execute(
                    text("SELECT mutation_id::text, result FROM sync_mutations WHERE mutation_id::text = ANY(:ids)"),
                    {"ids": chunk}):
                stored[mutation_id] = result
        markers = defaultdict(list)
        for record_id, marker in conn.execute(text(
                "SELECT id::text, notes FROM visits WHERE notes LIKE 'load %' "
                "UNION ALL SELECT id::text, title FROM goals WHERE title LIKE 'load %'")):
            markers[marker.removeprefix("load ")].append(record_id)
        shared = {row[0]: (row[1], row[2]) for row in conn.execute(text(
            "SELECT id::text, rev, notes FROM visits WHERE notes = 'seeded' OR notes LIKE 'edit %'"))}
        conflict_rows = Counter(str(row[0]) for row in conn.execute(text("SELECT id FROM sync_conflicts")))
        conflict_mutation = {str(row[0]): str(row[1]) for row in conn.execute(text("SELECT id, mutation_id FROM sync_conflicts"))}
        all_mutations = conn.scalar(text("SELECT count(*) FROM sync_mutations"))
    engine.dispose()

    statuses = Counter()
    writes = defaultdict(list)  # shared visit -> [(rev, notes)]
    acked_creates = set()
    raised = 0
    seen_ids = Counter(a["mutation"]["mutation_id"] for a in acked)
    duplicated += [f"mutation {m} acknowledged by two different pushes" for m, n in seen_ids.items() if n > 1]
    for a in acked:
        m, r = a["mutation"], a["result"]
        statuses[r["status"]] += 1
        row = stored.get(m["mutation_id"])
        if row is None:
            lost.append(f"{m['mutation_id']}: no stored result")
            continue
        if row.get("status") != r["status"] or row.get("rev") != r.get("rev"):
            wrong.append(f"{m['mutation_id']}: stored {row} answered {r}")
        if m["op"] == "create":
            acked_creates.add(m["mutation_id"])
            landed = markers.get(m["mutation_id"], [])
            if r["status"] == "applied":
                if not landed:
                    lost.append(f"create {m['mutation_id']} not in the database")
                elif len(landed) > 1:
                    duplicated.append(f"create {m['mutation_id']} is in the database {len(landed)} times")
                elif landed[0] != m["id"]:
                    wrong.append(f"create {m['mutation_id']} landed under another id")
        elif m["changes"] and r["status"] in ("applied", "merged"):
            writes[m["id"]].append((r["rev"], m["changes"]["notes"]))
        for conflict_id in r.get("conflicts", []):
            raised += 1
            if conflict_rows.get(conflict_id, 0) != 1:
                (lost if conflict_id not in conflict_rows else duplicated).append(f"conflict {conflict_id}")
            elif conflict_mutation[conflict_id] != m["mutation_id"]:
                wrong.append(f"conflict {conflict_id} names another mutation")
    unexplained = [marker for marker in markers if marker not in acked_creates and marker not in unacked_ids]
    duplicated += [f"create {marker} landed but was never sent" for marker in unexplained]
    landed_unacked = sum(1 for marker in markers if marker in unacked_ids)
    for visit_id, done in writes.items():
        revs = Counter(rev for rev, _ in done)
        duplicated += [f"visit {visit_id}: rev {rev} given to {n} edits" for rev, n in revs.items() if n > 1]
        rev, notes = shared.get(visit_id, (None, None))
        expected = 1 + len(done)
        if rev is None:
            lost.append(f"shared visit {visit_id} gone")
        elif rev < expected:
            lost.append(f"visit {visit_id}: rev {rev}, but {len(done)} edits were acknowledged (expected {expected})")
        elif rev > expected and not unacked_ids:
            duplicated.append(f"visit {visit_id}: rev {rev} after {len(done)} acknowledged edits (expected {expected})")
        elif notes != max(done)[1] and rev == expected:
            lost.append(f"visit {visit_id}: holds {notes!r}, the last acknowledged edit wrote {max(done)[1]!r}")
    return {"lost": lost, "duplicated": duplicated, "wrong": wrong, "statuses": statuses, "acked": len(acked),
            "creates": len(acked_creates), "edits": sum(len(v) for v in writes.values()), "conflicts": raised,
            "shared_visits": len(writes), "stored": all_mutations, "landed_unacked": landed_unacked,
            "unacked": len(unacked_ids)}


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q
    low, high = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (k - low)


def access_lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def server_times(path: Path, start: int = 0, stop: int | None = None) -> dict[str, list[float]]:
    """Milliseconds each request spent in a gunicorn worker, by route, from
    the access log's lines ``start`` to ``stop`` (the warm-up's, or the run's)."""
    times = defaultdict(list)
    if path.exists():
        for line in path.read_text().splitlines()[start:stop]:
            parts = line.split()
            if len(parts) == 4 and parts[3].isdigit():
                times[f"{parts[0]} {parts[1]}"].append(int(parts[3]) / 1000)
    return times


def report(args, results, integrity, elapsed, load_before, monitor, outcome, in_worker, warm_up,
           warm_up_in_worker) -> None:
    timings = results["timings"]  # [name, ms, failed, unix time, failure message]
    by_name = defaultdict(list)
    for name, ms, *_ in timings:
        by_name[name].append(ms)
    sync_ms = sorted(ms for name, ms, *_ in timings if name in SYNC_NAMES)
    failures = [t for t in timings if t[2]]
    stamps = [t[3] for t in timings if t[0] in SYNC_NAMES]
    span = (max(stamps) - min(stamps)) if len(stamps) > 1 else float("nan")
    if warm_up is not None:
        ms = warm_up["ms"]
        print(f"\n   sign-in warm-up, before the measured run (phones stay signed in for 30 days):"
              f" {len(ms)} sign-ins, {warm_up['concurrency']} at a time, in {warm_up['seconds']:.1f} s;"
              f" p50 {percentile(ms, .5):.1f} ms, p95 {percentile(ms, .95):.1f} ms, p99 {percentile(ms, .99):.1f} ms,"
              f" max {max(ms, default=float('nan')):.1f} ms; errors: {len(warm_up['failures'])}")
        for failure in warm_up["failures"][:5]:
            print(f"      {failure}")
        ms = warm_up["pull_ms"]
        if ms:
            print(f"   first download in the warm-up (a phone pulls everything of its pair once, after signing in):"
                  f" {len(ms)} full pulls, {warm_up['concurrency']} at a time, in {warm_up['pull_seconds']:.1f} s;"
                  f" p50 {percentile(ms, .5):.1f} ms, p95 {percentile(ms, .95):.1f} ms, p99 {percentile(ms, .99):.1f} ms,"
                  f" max {max(ms):.1f} ms; errors: {len(warm_up['pull_failures'])}")
            for failure in warm_up["pull_failures"][:5]:
                print(f"      {failure}")
        else:
            print("   no first download in the warm-up (--first-pull-in-run): each phone pulls everything inside the"
                  " measured run as it starts")
    else:
        print("\n   no warm-up (--sign-in-in-run): each volunteer signs in inside the measured run as it starts")
    mean_wait = sum(args.wait) / 2
    print(f"   simulated rate: each of {args.users} volunteers syncs (a push, then a pull) every {args.wait[0]:g}-{args.wait[1]:g} s"
          f" (about {args.users / mean_wait:.0f} syncs a second in all); the field app syncs after each save and"
          f" every 5 minutes, so this is many times a real scheme's rate")
    print(f"   ran {elapsed:.0f} s in all (users starting at {args.spawn_rate:g} a second included); {len(timings)} requests"
          f" ({results['requests']} counted by the request cap)")
    print(f"   {'request':<30} {'count':>7} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = [(name, sorted(v)) for name, v in sorted(by_name.items())] + [("sync (pull + push), all", sync_ms)]
    for name, values in rows:
        rps = len(values) / span if span == span and span > 0 else float("nan")
        print(f"   {name:<30} {len(values):>7} {rps:>7.1f} {percentile(values, .5):>8.1f} {percentile(values, .95):>8.1f}"
              f" {percentile(values, .99):>8.1f} {max(values, default=float('nan')):>8.1f}")
    inside = sorted(ms for route, values in in_worker.items() if route.startswith(("GET /api/sync", "POST /api/sync"))
                    for ms in values)
    if inside:
        print(f"   {'sync, time inside a worker':<30} {len(inside):>7} {'':>7} {percentile(inside, .5):>8.1f}"
              f" {percentile(inside, .95):>8.1f} {percentile(inside, .99):>8.1f} {max(inside):>8.1f}"
              "   (gunicorn's own clock: no queueing for a worker)")
        for route in ("POST /api/session", "GET /api/sync/pull", "POST /api/sync/push"):
            values = sorted(in_worker.get(route, []))
            if values:
                print(f"     inside a worker: {route:<20} p50 {percentile(values, .5):.1f} ms,"
                      f" p95 {percentile(values, .95):.1f} ms")
    for route, words in (("POST /api/session", "sign-ins"), ("GET /api/sync/pull", "first downloads")):
        values = sorted(warm_up_in_worker.get(route, []))
        if values:
            print(f"     inside a worker, the warm-up's {words}: p50 {percentile(values, .5):.1f} ms,"
                  f" p95 {percentile(values, .95):.1f} ms")
    # Users start at --spawn-rate a second, each with a first full pull: the
    # figures once all have started are given apart.
    signed_in = [t[3] for t in timings if t[0] == "POST /api/session"]
    all_started = max(signed_in) if signed_in else results.get("spawned_at")
    if all_started:
        starting = sorted(ms for name, ms, _f, at, *_ in timings if name in SYNC_NAMES and at - ms / 1000 <= all_started)
        steady = sorted(ms for name, ms, _f, at, *_ in timings if name in SYNC_NAMES and at - ms / 1000 > all_started)
        for label, values, note in (
                ("sync, while users started", starting, "sent before the last user had started"),
                ("sync, once all had started", steady, f"sent after, {max(stamps, default=all_started) - all_started:.0f} s of the run")):
            if values:
                print(f"   {label:<30} {len(values):>7} {'':>7} {percentile(values, .5):>8.1f}"
                      f" {percentile(values, .95):>8.1f} {percentile(values, .99):>8.1f} {max(values):>8.1f}   ({note})")
    print(f"   errors: {len(failures)}")
    for message, count in Counter(f"{t[0]}: {t[4]}" for t in failures).most_common(5):
        print(f"      {count} x {message}")
    for problem in results["problems"][:5]:
        print(f"   PROBLEM: {problem}")
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(integrity["statuses"].items()))
    print(f"   mutations acknowledged: {integrity['acked']} ({statuses}); {integrity['creates']} creates,"
          f" {integrity['edits']} edits of {integrity['shared_visits']} shared visits, {integrity['conflicts']} conflicts raised")
    print(f"   still in an outbox at the end: {integrity['unacked']} (of which landed: {integrity['landed_unacked']})")
    print(f"   lost: {len(integrity['lost'])}, duplicated: {len(integrity['duplicated'])},"
          f" stored result differs from the answer: {len(integrity['wrong'])}")
    for line in (integrity["lost"] + integrity["duplicated"] + integrity["wrong"])[:10]:
        print(f"      {line}")
    cpu = monitor.summary()
    if cpu:
        others = max(0.0, cpu["machine"] - cpu["gunicorn"] - cpu["postgres"] - cpu["locust"])
        print(f"   CPU in use, mean over the run (cores of {os.cpu_count()}): machine {cpu['machine']:.2f}, gunicorn"
              f" {cpu['gunicorn']:.2f}, PostgreSQL {cpu['postgres']:.2f} (all its clients), locust {cpu['locust']:.2f},"
              f" other processes {others:.2f}; load average {load_before[0]:.2f} before, {cpu['load1']:.2f} during")
    p95 = percentile(sync_ms, .95)
    verdict = "met" if p95 < P95_TARGET_MS and not failures else "MISSED"
    print(f"   target: sync p95 under {P95_TARGET_MS:.0f} ms, 0 errors, 0 lost or duplicated: {verdict}"
          f" (p95 {p95:.1f} ms, {len(failures)} errors, {len(integrity['lost']) + len(integrity['duplicated'])} lost/duplicated)")
    if outcome.returncode not in (0, None):
        print(f"   locust exited {outcome.returncode}: {outcome.stderr[-1500:]}")
