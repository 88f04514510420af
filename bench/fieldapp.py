"""Field app figures, in real Chromium against the app on a real HTTP server.

1. app shell: the bytes of every file the service worker precaches (the list
   ``app.fieldapp.shell.shell_files`` gives it, the same one ``Shell.build``
   hashes), raw and gzipped (each file on its own at level 9, as a server
   with gzip would send it), checked against what the running server serves.
   Targets, raw: what a phone loads to start the app (everything but the
   screens loaded by import() when first opened) under 100 KB (102,400
   bytes); everything precached under 120 KB.
2. offline cold start: signed in once as amira@demo.test on a browser profile
   on disk, until the service worker controls the page; then the browser is
   closed and the server stopped. Each run opens the same profile in a new
   browser, offline, and goes to the app: the time from navigation start to
   the visits list (h1 "Your visits" and a visit link) is taken in the page
   (``performance.now()``, recorded by a MutationObserver put in before any
   page script) and on the wall clock (``page.goto`` called to the list seen
   by Playwright). Target: median under 1 s.
3. sync 500 queued entries: on a page signed in with the server running, 500
   goal creates are queued offline through the app's own store module, then
   the page goes online and ``requestSync()`` is timed until it answers
   ``{outcome: 'synced'}``; the server database must then hold exactly 500 new
   goals and the outbox must be empty. The time in the page's ``fetch`` calls
   (server and network) is shown apart from the rest (IndexedDB and script).
   Target: median under 10 s.

A fresh SQLite database (the demo data on a copy of a migrated template) and
a browser profile are made in a temporary directory; everything is removed
and every process stopped at the end. Needs Chromium (``CHROMIUM``, default
/usr/bin/chromium) and Playwright for Python; never downloads a browser.
"""
from __future__ import annotations

import gzip
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

from app import PROJECT_ROOT, create_app, migrate
from app.accounts import passwords
from app.demo.seed import seed_demo
from app.fieldapp.shell import Shell, shell_files
from bench.sync import BenchFailed

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 360, "height": 740}
PASSWORD = "bench-demo-password"
VOLUNTEER = "amira@demo.test"
CLIENT_NAME = "Margaret Hill"
SHELL_TARGET = 100 * 1024  # bytes, raw: what a phone loads to start
PRECACHE_TARGET = 120 * 1024  # bytes, raw: all the service worker precaches
COLD_START_TARGET = 1.0  # seconds
SYNC_ENTRIES = 500
SYNC_TARGET = 10.0  # seconds

# Put in before any page script: notes performance.now() the moment the
# visits list is in the page (the heading and at least one visit link).
MARK_VISITS_SHOWN = """
(() => {
  const shown = () => {
    const h1 = document.querySelector('main h1');
    return h1 && h1.textContent.trim() === 'Your visits'
      && document.querySelector('main a[href^="#/visit/"]:not([href^="#/visit/new/"])') !== null;
  };
  const observer = new MutationObserver(() => {
    if (window.__visitsShownAt === undefined && shown()) {
      window.__visitsShownAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();
"""

NAVIGATION_TIMES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return [window.__visitsShownAt, navigator.serviceWorker.controller !== null,
          { workerStart: nav.workerStart, responseEnd: nav.responseEnd,
            domContentLoadedEventEnd: nav.domContentLoadedEventEnd, shown: window.__visitsShownAt }];
}"""

QUEUE_GOALS = """async ([count, name, prefix]) => {
  const { listRecords, saveLocal } = await import('/static/js/store.js');
  const [client] = await listRecords('client', (c) => c.data.name === name);
  if (!client) throw new Error(`no client ${name} on this phone`);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await saveLocal('goal', crypto.randomUUID(), 'create', { client_id: client.id, title: `${prefix} ${i}` });
  }
  const ms = performance.now() - start;
  return { ms, counts: await (await import('/static/js/store.js')).counts() };
}"""

# Times requestSync() in the page. If going online already set off a sync
# (the app listens for 'online'), requestSync() joins it, so the clock starts
# at that 'online' event. Every fetch is timed too (start to body read).
TIMED_SYNC = """async () => {
  const start = Math.min(performance.now(), window.__benchOnlineAt ?? Infinity);
  const { requestSync } = await import('/static/js/app.js');
  const result = await requestSync();
  const ms = performance.now() - start;
  const { counts } = await import('/static/js/store.js');
  return { result, ms, joined: window.__benchOnlineAt !== undefined, fetches: window.__benchFetches.splice(0),
           counts: await counts() };
}"""

INSTRUMENT = """() => {
  window.__benchOnlineAt = undefined;
  if (window.__benchFetches) { window.__benchFetches.length = 0; return; }
  window.addEventListener('online', () => { window.__benchOnlineAt ??= performance.now(); });
  window.__benchFetches = [];
  const realFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const t0 = performance.now();
    const response = await realFetch(input, init);
    const url = typeof input === 'string' ? input : input.url;
    const clone = response.clone();
    const body = await clone.arrayBuffer();
    window.__benchFetches.push({ url, method: (init && init.method) || 'GET', ms: performance.now() - t0,
                                 bytes: body.byteLength });
    return response;
  };
}"""




class Unavailable(RuntimeError):
    """No browser to run in: the field app figures are skipped."""


def check_browser() -> None:
    if not Path(CHROMIUM).exists():
        raise Unavailable(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise Unavailable("Playwright for Python is not installed (pip install -e '.[test]')") from None


def median(values):
    return statistics.median(values)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app in its own process (as the browser tests run it); stop() and start() keep the address."""

    def __init__(self, database_url: str, instance: Path):
        self.database_url = database_url
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.serve", self.database_url, str(self.port), str(self.instance)],
            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchFailed(f"the app server exited with status {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url + "/manifest.webmanifest", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise BenchFailed("the app server did not start within 20 s")

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.read()


def seeded_database(template: Path, tmp: Path, name: str) -> str:
    """A copy of the migrated template with the demo data (as tests/e2e seeded_db does)."""
    path = tmp / f"{name}.sqlite"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "x" * 40,
                      "INSTANCE_PATH": tmp / f"{name}-instance"})
    session = app.extensions["database"]["sessionmaker"]()
    try:
        seed_demo(session, PASSWORD)
        session.commit()
    finally:
        session.close()
        app.extensions["database"]["engine"].dispose()
    return url


def db_scalar(database_url: str, sql: str, *params):
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql, params).fetchone()[0]


# -- the page --------------------------------------------------------------
def sign_in(page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.wait_for_selector("h1:text('Sign in')", timeout=20000)
    page.fill("#f-email", VOLUNTEER)
    page.fill("#f-password", PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_selector("h1:text('Your visits')", timeout=20000)
    page.wait_for_function("() => /All sent/.test(document.getElementById('sync-status').textContent)",
                           timeout=20000)


def wait_service_worker(page) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)


def first_page(context):
    return context.pages[0] if context.pages else context.new_page()


# -- the figures -----------------------------------------------------------
class Bench:
    def __init__(self, tmp: Path, cold_runs: int, sync_runs: int):
        self.tmp = tmp
        self.cold_runs = cold_runs
        self.sync_runs = sync_runs
        self.rows = []  # (label, median, fastest, unit, target) or None for a gap
        self.notes = []

    def launch(self, playwright, profile: Path, **kwargs):
        return playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=VIEWPORT, **kwargs)

    # 1 ------------------------------------------------------------------
    def shell_size(self, server: Server) -> None:
        static_dir = PROJECT_ROOT / "static"
        shell = Shell.build(static_dir)
        files = shell_files(static_dir)
        if tuple(files) != shell.urls:
            raise BenchFailed("shell_files() and Shell.build() disagree about the shell's URLs")
        raw = gz = 0
        groups: dict[str, list[int]] = {}
        source = 0
        for url, path in files.items():
            content = shell.contents[url]  # as served: code trimmed, see app/fieldapp/shell.py
            source += path.stat().st_size
            served = server.get(url)
            if served != content:
                raise BenchFailed(f"{url}: the server sent {len(served):,} bytes, not the {len(content):,} of {path}")
            zipped = len(gzip.compress(content, compresslevel=9, mtime=0))
            raw, gz = raw + len(content), gz + zipped
            group = ("JavaScript" if url.endswith(".js") else "icons" if "/icons/" in url
                     else "CSS" if url.endswith(".css") else "page and manifest")
            counts = groups.setdefault(group, [0, 0, 0])
            counts[0] += 1
            counts[1] += len(content)
            counts[2] += zipped
        if raw != shell.total_bytes:
            raise BenchFailed(f"summed {raw} bytes, Shell.build() says {shell.total_bytes}")
        worker = server.get("/sw.js")
        startup = shell.startup_bytes
        self.rows.append(("app shell loaded to start, raw", startup, None, "bytes",
                          f"< {SHELL_TARGET // 1024} KB: {'met' if startup < SHELL_TARGET else 'MISSED'}"))
        self.rows.append((f"app shell, {len(files)} precached files, raw", raw, None, "bytes",
                          f"< {PRECACHE_TARGET // 1024} KB: {'met' if raw < PRECACHE_TARGET else 'MISSED'}"))
        self.rows.append(("app shell, each file gzip -9, summed", gz, None, "bytes", ""))
        self.notes.append(f"the shell's source files are {source:,} bytes; served trimmed (indentation and "
                          f"whole-line comments removed) they are {raw:,}")
        self.notes.append("shell by type (files, raw, gzip): " + "; ".join(
            f"{name} {n}, {r:,}, {z:,}" for name, (n, r, z) in sorted(groups.items(), key=lambda g: -g[1][1])))
        self.notes.append(f"not precached but fetched to install: /sw.js {len(worker):,} bytes "
                          f"({len(gzip.compress(worker, 9, mtime=0)):,} gzip)")

    # 2 ------------------------------------------------------------------
    def cold_start(self, playwright, server: Server) -> None:
        profile = self.tmp / "profile"
        context = self.launch(playwright, profile)
        try:
            page = first_page(context)
            sign_in(page, server.url)
            wait_service_worker(page)
        finally:
            context.close()
        server.stop()  # no network at all: not for the page, not for the service worker
        in_page, wall, launches, phases = [], [], [], []
        for _ in range(self.cold_runs):
            started = time.perf_counter()
            context = self.launch(playwright, profile, offline=True)
            try:
                launches.append(time.perf_counter() - started)
                context.add_init_script(MARK_VISITS_SHOWN)
                page = first_page(context)
                started = time.perf_counter()
                page.goto(server.url + "/")
                page.wait_for_function("() => window.__visitsShownAt !== undefined", polling=10, timeout=15000)
                wall.append(time.perf_counter() - started)
                shown_at, controlled, nav = page.evaluate(NAVIGATION_TIMES)
                if not controlled:
                    raise BenchFailed("offline cold start: the page is not controlled by the service worker")
                in_page.append(shown_at / 1000)
                phases.append(nav)
            finally:
                context.close()
        verdict = "met" if median(in_page) < COLD_START_TARGET else "MISSED"
        self.rows.append(("offline cold start to visits list, in page", median(in_page), min(in_page), "s",
                          f"< {COLD_START_TARGET:g} s: {verdict}"))
        self.rows.append(("offline cold start to visits list, wall clock", median(wall), min(wall), "s", ""))
        self.rows.append(("  (browser launch before it, not counted)", median(launches), min(launches), "s", ""))
        steps = ", ".join(f"{name} {median([p[key] for p in phases]):,.0f}" for key, name in (
            ("workerStart", "service worker started"), ("responseEnd", "page answered from the cache"),
            ("domContentLoadedEventEnd", "DOMContentLoaded"), ("shown", "visits shown")))
        self.notes.append(f"offline cold start runs (in page): {', '.join(f'{s * 1000:,.0f}' for s in in_page)} ms;"
                          f" medians from navigation start, ms: {steps}")

    # 3 ------------------------------------------------------------------
    def sync_queue(self, playwright, server: Server) -> None:
        context = self.launch(playwright, self.tmp / "sync-profile")
        runs = []
        try:
            page = first_page(context)
            sign_in(page, server.url)
            for run in range(self.sync_runs):
                runs.append(self.sync_once(context, page, server, f"Bench goal {run}"))
        finally:
            context.close()
        seconds = [r["seconds"] for r in runs]
        typical = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]  # the median run
        verdict = "met" if median(seconds) < SYNC_TARGET else "MISSED"
        self.rows.append((f"sync {SYNC_ENTRIES} queued goal creates, requestSync()", median(seconds), min(seconds),
                          "s", f"< {SYNC_TARGET:g} s: {verdict}"))
        fetching = sum(f["ms"] for f in typical["fetches"]) / 1000
        self.rows.append(("  median run: waiting on fetch (server + network)", fetching, None, "s", ""))
        self.rows.append(("  median run: the rest (IndexedDB + script)", typical["seconds"] - fetching, None, "s", ""))
        queueing = [r["queue_seconds"] for r in runs]
        self.rows.append((f"  (queueing them: {SYNC_ENTRIES} saveLocal() calls, not counted)", median(queueing),
                          min(queueing), "s", ""))
        pushes = [f for f in typical["fetches"] if "/api/sync/push" in f["url"]]
        pulls = [f for f in typical["fetches"] if "/api/sync/pull" in f["url"]]
        push_ms = ", ".join(f"{f['ms']:.0f}" for f in pushes)
        pull_ms = ", ".join(f"{f['ms']:.0f} ms, {f['bytes']:,} bytes" for f in pulls)
        start = ("from the 'online' event (the app's own listener starts the sync; requestSync() joins it)"
                 if all(r["joined"] for r in runs) else "from the requestSync() call")
        self.notes.append(f"sync runs, timed {start}: {', '.join(f'{s * 1000:,.0f}' for s in seconds)} ms;"
                          f" the median run made {plural(len(pushes), 'push request')} ({push_ms} ms) and"
                          f" {plural(len(pulls), 'pull request')} ({pull_ms})")

    def sync_once(self, context, page, server: Server, prefix: str) -> dict:
        before = db_scalar(server.database_url, "select count(*) from goals")
        page.evaluate(INSTRUMENT)
        context.set_offline(True)
        queued = page.evaluate(QUEUE_GOALS, [SYNC_ENTRIES, CLIENT_NAME, prefix])
        if queued["counts"]["waiting"] != SYNC_ENTRIES:
            raise BenchFailed(f"{queued['counts']['waiting']} entries waiting after queueing {SYNC_ENTRIES}")
        context.set_offline(False)  # the app's 'online' listener starts a sync at once
        timed = page.evaluate(TIMED_SYNC)
        if not timed["result"] or timed["result"]["outcome"] != "synced":
            raise BenchFailed(f"requestSync() answered {timed['result']}")
        after = db_scalar(server.database_url, "select count(*) from goals")
        named = db_scalar(server.database_url, "select count(*) from goals where title like ?", prefix + " %")
        if after - before != SYNC_ENTRIES or named != SYNC_ENTRIES:
            raise BenchFailed(f"the server has {after - before} new goals ({named} named {prefix!r}), "
                              f"expected exactly {SYNC_ENTRIES}")
        if timed["counts"]["waiting"] or timed["counts"]["rejected"]:
            raise BenchFailed(f"after the sync the outbox still holds {timed['counts']}")
        return {"seconds": timed["ms"] / 1000, "fetches": timed["fetches"], "queue_seconds": queued["ms"] / 1000,
                "joined": timed["joined"]}

    # -- output ------------------------------------------------------------
    def print_table(self) -> None:
        width = max(len(row[0]) for row in self.rows if row) + 2
        header = f"{'measurement':<{width}}{'median':>12}{'fastest':>12}  target"
        print(header)
        print("-" * (len(header) + 16))
        for row in self.rows:
            if row is None:
                print()
                continue
            label, mid, fastest, unit, target = row
            if unit == "bytes":
                print(f"{label:<{width}}{f'{mid:,} B':>12}{'':>12}  {target}")
            else:
                fastest = "" if fastest is None else f"{fastest * 1000:,.0f} ms"
                print(f"{label:<{width}}{f'{mid * 1000:,.0f} ms':>12}{fastest:>12}  {target}")
        print()
        for note in self.notes:
            print(textwrap.fill(note, width=100, subsequent_indent="    "))


def run(repeats: int) -> None:
    """Print the field app figures; ``repeats`` is 5 (3 with --quick) and sets the cold start runs."""
    check_browser()
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    passwords.HASH_METHOD = "scrypt:1024:8:1"  # cheap hashing: seeding in well under a second
    cold_runs, sync_runs = repeats, 3 if repeats >= 5 else 1
    with tempfile.TemporaryDirectory(prefix="bench-fieldapp-") as name:
        tmp = Path(name)
        template = tmp / "migrated.sqlite"
        migrate.upgrade(f"sqlite:///{template}")
        print(f"== Field app in {CHROMIUM}, app server on SQLite, temporary directory {tmp}")
        print(f"   offline cold start: median of {cold_runs} runs; sync of {SYNC_ENTRIES}: median of {sync_runs}\n")
        bench = Bench(tmp, cold_runs, sync_runs)
        servers = []
        try:
            with sync_playwright() as playwright:
                server = Server(seeded_database(template, tmp, "cold"), tmp / "cold-instance")
                servers.append(server)
                server.start()
                bench.shell_size(server)
                bench.rows.append(None)
                bench.cold_start(playwright, server)  # stops this server
                bench.rows.append(None)
                server = Server(seeded_database(template, tmp, "sync"), tmp / "sync-instance")
                servers.append(server)
                server.start()
                bench.sync_queue(playwright, server)
        except PlaywrightError as err:
            raise BenchFailed(f"in Chromium: {err.message.strip().splitlines()[0]}") from err
        finally:
            for server in servers:
                server.stop()
        bench.print_table()
        print()
