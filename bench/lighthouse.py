"""Lighthouse scores of three signed-in screens of the field app.

The app runs on a real HTTP server over a temporary SQLite file with the demo
data (as ``bench.fieldapp`` does). In Chromium (``CHROMIUM``, default
/usr/bin/chromium; never downloaded), driven by Playwright on a browser
profile on disk, amira@demo.test signs in and the page waits for "All sent"
and for the service worker; a client id and a visit id are read from the
app's IndexedDB through its own store module, and each screen is opened once
to note the title it shows signed in. That browser is closed, and for each
screen the same profile is opened in headless Chromium with a DevTools port,
where Lighthouse (the npm package pinned in bench/package.json, installed by
``npm ci --prefix bench``) audits it with its defaults: mobile form factor,
screen emulation and simulated throttling, storage not reset (the sign-in
lives in IndexedDB and a cookie, so the page loads as a signed-in phone with
the app shell cached by the service worker). After the run the audited tab
must still show the title noted before (not "Sign in"), or the benchmark
stops.

Categories: performance (target >= 95), accessibility and best practices
(target 100). For a category under target every audit that Lighthouse's own
report would show as failed (score under 0.9, or informative/error for none)
is listed with the items it names (selectors and snippets, URLs), so that it
can be fixed. Figures, not a test: a missed target does not fail the command.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

from app import PROJECT_ROOT, migrate
from app.accounts import passwords
from bench import fieldapp
from bench.fieldapp import CHROMIUM, CHROMIUM_ARGS, CLIENT_NAME, VIEWPORT, Unavailable
from bench.sync import BenchFailed

BENCH_DIR = Path(__file__).resolve().parent
RUNNER = BENCH_DIR / "lighthouse_page.mjs"
LIGHTHOUSE_PACKAGE = BENCH_DIR / "node_modules" / "lighthouse" / "package.json"
NODE = os.environ.get("NODE", "node")
CATEGORIES = (("performance", "performance", 95), ("accessibility", "accessibility", 100),
              ("best-practices", "best practices", 100))
RUN_TIMEOUT = 240  # seconds for one Lighthouse run
# What Playwright passes when it opens a profile, so that the cookie Playwright's
# browser stored can be read back by the browser started here.
PROFILE_ARGS = ["--password-store=basic", "--use-mock-keychain"]

# Which client and which visit: the demo client CLIENT_NAME if on the phone
# (else the first by name), and that client's earliest planned visit (else its
# earliest visit, else anyone's earliest).
PICK_RECORDS = """async (name) => {
  const { listRecords } = await import('/static/js/store.js');
  const clients = (await listRecords('client')).sort((a, b) => a.data.name.localeCompare(b.data.name));
  if (!clients.length) throw new Error('no client on this phone');
  const client = clients.find((c) => c.data.name === name) || clients[0];
  const visits = (await listRecords('visit'))
    .sort((a, b) => new Date(a.data.scheduled_start) - new Date(b.data.scheduled_start));
  const own = visits.filter((v) => v.data.client_id === client.id);
  const visit = own.find((v) => v.data.status === 'planned') || own[0] || visits[0];
  if (!visit) throw new Error('no visit on this phone');
  return { client: client.id, clientName: client.data.name, visit: visit.id };
}"""

SCREEN_SHOWN = """() => {
  const h1 = document.querySelector('main h1');
  return h1 && h1.textContent.trim() !== '' && document.title === `${h1.textContent.trim()} – Peer Mentors`;
}"""


def check_tools() -> str:
    """The pinned Lighthouse version; Unavailable when Chromium, Playwright, node or the package is missing."""
    fieldapp.check_browser()
    if shutil.which(NODE) is None:
        raise Unavailable(f"node not found ({NODE}): apt-get install -y nodejs npm, or set NODE")
    if not LIGHTHOUSE_PACKAGE.exists():
        raise Unavailable("Lighthouse is not installed: run `npm ci --prefix bench` (make bench does)")
    return json.loads(LIGHTHOUSE_PACKAGE.read_text())["version"]


# -- signing in once, with Playwright ---------------------------------------
def prepare_profile(playwright, server: fieldapp.Server, profile: Path) -> list[dict]:
    """Sign in on the profile; return the screens: name, URL and the title each shows signed in."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=VIEWPORT)
    try:
        page = fieldapp.first_page(context)
        fieldapp.sign_in(page, server.url)
        fieldapp.wait_service_worker(page)
        ids = page.evaluate(PICK_RECORDS, CLIENT_NAME)
        screens = [{"name": "home", "path": "/#/"},
                   {"name": f"client ({ids['clientName']})", "path": f"/#/client/{ids['client']}"},
                   {"name": "visit", "path": f"/#/visit/{ids['visit']}"}]
        for screen in screens:
            page.goto("about:blank")  # a fresh load: the screen before cannot be taken for this one
            page.goto(server.url + screen["path"])
            page.wait_for_function(SCREEN_SHOWN, timeout=15000)
            screen["title"] = page.title()
            if screen["title"].startswith(("Sign in", "Client not found", "Visit not found")):
                raise BenchFailed(f"{screen['path']} shows {screen['title']!r} right after signing in")
        # Let the last sync end before the browser closes, so nothing is queued.
        fieldapp.first_page(context).wait_for_function(
            "() => /All sent/.test(document.getElementById('sync-status').textContent)", timeout=20000)
    finally:
        context.close()
    return screens


# -- Lighthouse, in a Chromium started here -----------------------------------
class Chromium:
    """Headless Chromium on the profile, with a DevTools port (chosen by Chromium, read from the profile)."""

    def __init__(self, profile: Path):
        self.profile = profile
        self.process = None
        self.port = None

    def __enter__(self):
        port_file = self.profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless=new", f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             *PROFILE_ARGS, *CHROMIUM_ARGS, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchFailed(f"{CHROMIUM} exited with status {self.process.returncode} on start")
            lines = port_file.read_text().split() if port_file.exists() else []
            if lines and lines[0].isdigit():
                self.port = int(lines[0])
                return self
            time.sleep(0.1)
        self.__exit__()
        raise BenchFailed(f"{CHROMIUM} did not open a DevTools port within 30 s")

    def __exit__(self, *exc):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def audit(profile: Path, url: str, out: Path) -> dict:
    with Chromium(profile) as chromium:
        try:
            done = subprocess.run([NODE, str(RUNNER), str(chromium.port), url, str(out)], cwd=BENCH_DIR,
                                  capture_output=True, text=True, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BenchFailed(f"Lighthouse on {url} took over {RUN_TIMEOUT} s") from None
    if done.returncode != 0 or not out.exists():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BenchFailed(f"Lighthouse on {url} exited with status {done.returncode}:\n{tail}")
    return json.loads(out.read_text())


# -- reading the report --------------------------------------------------------
def score(lhr: dict, category: str) -> int | None:
    value = lhr["categories"][category]["score"]
    return None if value is None else round(value * 100)


def shown_as_failed(audit_result: dict) -> bool:
    """As Lighthouse's report: manual and not-applicable pass, informative and error never do, else score < 0.9."""
    mode = audit_result.get("scoreDisplayMode")
    if mode in ("manual", "notApplicable"):
        return False
    if mode in ("informative", "error"):
        return mode == "error"  # an informative audit is not a failure
    return audit_result.get("score") is None or audit_result["score"] < 0.9


def describe_value(value, kind: str | None = None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        typ = value.get("type")
        if typ == "node":
            parts = [value.get("selector"), value.get("snippet")]
            label = value.get("nodeLabel")
            if label and label not in (value.get("snippet") or ""):
                parts.append(f"({label})")
            text = "  ".join(p for p in parts if p)
            if value.get("explanation"):
                text += "\n" + value["explanation"]
            return text
        if typ == "source-location":
            return f"{value.get('url')}:{value.get('line', 0) + 1}:{value.get('column', 0) + 1}"
        if typ in ("url", "code", "text"):
            return str(value.get("value"))
        if typ == "numeric":
            return str(value.get("value"))
        if "value" in value:
            return str(value["value"])
        return None
    if kind == "bytes" and isinstance(value, (int, float)):
        return f"{value / 1024:,.1f} KiB"
    if kind in ("ms", "timespanMs") and isinstance(value, (int, float)):
        return f"{value:,.0f} ms"
    if isinstance(value, float):
        return f"{value:,.3g}"
    return str(value)


def describe_chains(chains: dict, depth: int = 0) -> list[str]:
    lines = []
    for chain in chains.values():
        lines.append(f"{'  ' * depth}{chain.get('url')} (done at {chain.get('navStartToEndTime', 0):,.0f} ms,"
                     f" {chain.get('transferSize', 0):,} bytes)")
        lines += describe_chains(chain.get("children") or {}, depth + 1)
    return lines


def describe_items(details: dict | None) -> list[str]:
    """One string per item of an audit's details (table, opportunity, list, list section, request tree, text)."""
    if not details:
        return []
    kind = details.get("type")
    if kind == "list":
        return [line for sub in details.get("items", []) for line in describe_items(sub)]
    if kind == "list-section":
        inner = describe_items(details.get("value"))
        if details.get("title") and inner:
            return [f"{details['title']}: {inner[0]}", *inner[1:]]
        return inner
    if kind == "network-tree":
        lines = describe_chains(details.get("chains") or {})
        return ["request chain:\n" + "\n".join(lines)] if lines else []
    if kind == "text":
        return [str(details.get("value"))]
    if kind not in ("table", "opportunity", None):
        return []
    headings = details.get("headings") or []
    lines = []
    for item in details.get("items") or []:
        if not isinstance(item, dict):
            continue
        fields = []
        keys = [(h.get("key"), h.get("valueType"), h.get("label") or "") for h in headings if h.get("key")]
        if not keys:
            keys = [(k, None, "") for k in item if k not in ("subItems", "debugData")]
        for key, kind, label in keys:
            text = describe_value(item.get(key), kind)
            if text is not None:
                fields.append(text if (not label or "\n" in text or kind in ("node", "url")) else f"{label}: {text}")
        for sub in (item.get("subItems") or {}).get("items", []):
            sub_text = "; ".join(t for t in (describe_value(v) for k, v in sub.items()) if t)
            if sub_text:
                fields.append("  - " + sub_text)
        if fields:
            lines.append("\n".join(fields))
    return lines


def failing_audits(lhr: dict, category: str) -> list[dict]:
    audits = []
    for ref in lhr["categories"][category]["auditRefs"]:
        result = lhr["audits"][ref["id"]]
        if shown_as_failed(result):
            audits.append({"id": ref["id"], "title": result.get("title", ""), "score": result.get("score"),
                           "display": result.get("displayValue") or "", "weight": ref.get("weight", 0),
                           "error": result.get("errorMessage"), "items": describe_items(result.get("details"))})
    # Weighted first (they move the score), then the rest as the report orders them.
    return sorted(audits, key=lambda a: -a["weight"])


def print_results(results: list[dict]) -> None:
    width = max(len(r["name"]) for r in results) + 2
    header = f"{'screen':<{width}}" + "".join(f"{label:>16}" for _, label, _ in CATEGORIES) + "  runs (performance)"
    print(header)
    print("-" * len(header))
    for r in results:
        cells = []
        for category, _, target in CATEGORIES:
            value = r["scores"][category]
            missed = value is None or value < target
            cells.append(f"{'-' if value is None else value}{' MISSED' if missed else ''}")
        runs = ", ".join(str(v) for v in r["runs"]["performance"])
        print(f"{r['name']:<{width}}" + "".join(f"{c:>16}" for c in cells) + f"  {runs}")
    print(f"{'target':<{width}}" + "".join(f"{f'>= {t}' if t < 100 else str(t):>16}" for _, _, t in CATEGORIES))
    print()
    for r in results:
        print(f"{r['name']}: {r['url']}  title {r['title']!r}; Lighthouse {r['version']}, "
              f"{r['form_factor']}, {r['throttling']}")
        for warning in r["warnings"]:
            print(textwrap.fill(f"warning: {warning}", width=100, initial_indent="    ", subsequent_indent="      "))
    for r in results:
        for category, label, target in CATEGORIES:
            value = r["scores"][category]
            if value is not None and value >= target:
                continue
            failed = r["failing"][category]
            print(f"\n== {r['name']}, {label} {value} (target {'>= ' if target < 100 else ''}{target}):"
                  f" {len(failed)} failing audit{'' if len(failed) == 1 else 's'}")
            for a in failed:
                shown = f" {a['display']}" if a["display"] else ""
                mark = f"score {a['score']}" if a["score"] is not None else "no score"
                print(f"  - {a['id']}: {a['title']}{shown} [{mark}, weight {a['weight']}]")
                if a["error"]:
                    print(f"      error: {a['error']}")
                for item in a["items"]:
                    lines = item.splitlines()
                    print(f"      * {lines[0]}")
                    for line in lines[1:]:
                        print(textwrap.fill(line, width=110, initial_indent="        ", subsequent_indent="        "))


def check_audited(report: dict, url: str, title: str) -> None:
    """The tab Lighthouse audited must show the screen meant, signed in: same URL, same title as seen before."""
    if report["title"] != title or report["url"] != url:
        raise BenchFailed(f"Lighthouse audited {report['url']} titled {report['title']!r} (h1 {report['h1']!r}),"
                          f" not {url} titled {title!r}")
    error = report["lhr"].get("runtimeError")
    if error:
        raise BenchFailed(f"Lighthouse on {url}: {error.get('message')}")


def run(runs: int = 3, save_dir: Path | None = None) -> None:
    """Print the Lighthouse scores of the three screens, each the median of ``runs`` runs (by performance);
    save the median runs' JSON reports in save_dir if given."""
    version = check_tools()
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    passwords.HASH_METHOD = "scrypt:1024:8:1"  # cheap hashing: seeding in well under a second
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as name:
        tmp = Path(name)
        template = tmp / "migrated.sqlite"
        migrate.upgrade(f"sqlite:///{template}")
        print(f"== Lighthouse {version} (mobile defaults) in {CHROMIUM}, app server on SQLite, "
              f"temporary directory {tmp}")
        print(f"   each screen: the median of {runs} run{'' if runs == 1 else 's'} by performance score\n")
        server = fieldapp.Server(fieldapp.seeded_database(template, tmp, "lighthouse"), tmp / "instance")
        profile = tmp / "profile"
        results = []
        try:
            server.start()
            try:
                with sync_playwright() as playwright:
                    screens = prepare_profile(playwright, server, profile)
            except PlaywrightError as err:
                raise BenchFailed(f"signing in, in Chromium: {err.message.strip().splitlines()[0]}") from err
            for n, screen in enumerate(screens):
                url = server.url + screen["path"]
                reports = []
                for attempt in range(runs):
                    report = audit(profile, url, tmp / f"report-{n}-{attempt}.json")
                    check_audited(report, url, screen["title"])
                    reports.append(report["lhr"])
                # The median run by performance score, as Lighthouse's own computeMedianRun picks one.
                lhr = sorted(reports, key=lambda r: r["categories"]["performance"]["score"] or 0)[len(reports) // 2]
                settings = lhr["configSettings"]
                results.append({
                    "name": screen["name"], "url": screen["path"], "title": screen["title"], "version": version,
                    "form_factor": settings["formFactor"], "throttling": settings["throttlingMethod"] + " throttling",
                    "scores": {c: score(lhr, c) for c, _, _ in CATEGORIES},
                    "runs": {c: [score(r, c) for r in reports] for c, _, _ in CATEGORIES},
                    "failing": {c: failing_audits(lhr, c) for c, _, _ in CATEGORIES},
                    "warnings": sorted({w for r in reports for w in r.get("runWarnings", [])})})
                if save_dir:
                    save_dir.mkdir(parents=True, exist_ok=True)
                    slug = screen["name"].split()[0]
                    (save_dir / f"lighthouse-{slug}.json").write_text(json.dumps(lhr, indent=1))
        finally:
            server.stop()
        print_results(results)
        if save_dir:
            print(f"\nLighthouse JSON reports in {save_dir} (open them in the Lighthouse viewer)")
        print()
