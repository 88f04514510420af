"""Browser tests: the real app on a real HTTP server, driven in Debian's Chromium.

Outside CI a missing browser skips these tests with one line saying how to
install it; in CI (CI=true) it is a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from app.demo.seed import seed_demo
from tests.conftest import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROJECT = Path(__file__).resolve().parents[2]


def _browser_or_skip():
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` to run the browser tests"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app in its own process; stop() and start() keep the same address."""

    def __init__(self, database_url: str, instance: Path, static_dir: Path | None = None):
        self.database_url = database_url
        self.static_dir = static_dir
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        args = [sys.executable, "-m", "tests.e2e.serve", self.database_url, str(self.port), str(self.instance)]
        if self.static_dir:
            args.append(str(self.static_dir))
        self.process = subprocess.Popen(
            args,
            cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/manifest.webmanifest", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the test server did not start")

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def seeded_db(sqlite_template, tmp_path):
    path = tmp_path / "e2e.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "x" * 40, "INSTANCE_PATH": tmp_path / "i"})
    session = app.extensions["database"]["sessionmaker"]()
    seed_demo(session, DEMO_PASSWORD)
    session.commit()
    session.close()
    app.extensions["database"]["engine"].dispose()
    return url


@pytest.fixture
def server(seeded_db, tmp_path):
    live = LiveServer(seeded_db, tmp_path / "instance")
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser):
    contexts = []

    def make(**kwargs):
        context = browser.new_context(viewport={"width": 360, "height": 740}, **kwargs)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def persistent_context(playwright_instance, tmp_path):
    """A browser profile on disk that survives closing the browser."""
    profile = tmp_path / "profile"
    opened = []

    def launch(**kwargs):
        context = playwright_instance.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": 360, "height": 740}, **kwargs)
        opened.append(context)
        return context

    yield launch
    for context in opened:
        try:
            context.close()
        except Exception:  # already closed by the test
            pass


def sign_in(page, server, email, password=DEMO_PASSWORD):
    page.goto(server.url + "/")
    page.wait_for_selector("h1:text('Sign in')")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button:text('Sign in')")
    page.wait_for_selector("h1:text('Your visits')")
    wait_synced(page)


def wait_synced(page, timeout=15000):
    page.wait_for_function(
        "() => /All sent/.test(document.getElementById('sync-status').textContent)", timeout=timeout)


def wait_service_worker(page):
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)


@pytest.fixture
def server_with_copied_static(seeded_db, tmp_path):
    """A server whose app shell can be changed by the test (for the update flow)."""
    static_dir = tmp_path / "static"
    shutil.copytree(PROJECT / "static", static_dir)
    live = LiveServer(seeded_db, tmp_path / "instance", static_dir)
    live.start()
    yield live, static_dir
    live.stop()
