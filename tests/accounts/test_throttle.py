"""Password guesses are throttled per account and per address (issue 12,
item 4): refused attempts count, the right password never does; over the
limit every attempt gets 429 with Retry-After and words, on the phone's API,
the office sign-in and the new-password page alike."""
import pytest

from tests.safeguarding.conftest import form_token


@pytest.fixture
def limits(app):
    app.config.update(SIGN_IN_LIMIT_PER_ACCOUNT="3 per 15 minutes", SIGN_IN_LIMIT_PER_ADDRESS="5 per 15 minutes")


def guess(client, email, password="not-the-password"):
    return client.post("/api/session", json={"email": email, "password": password})


def test_after_too_many_wrong_passwords_the_account_is_throttled_even_with_the_right_one(client, demo, limits):
    assert [guess(client, "amira@demo.test").status_code for _ in range(3)] == [401, 401, 401]
    throttled = guess(client, "Amira@demo.test ", demo)  # the same account however typed
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    body = throttled.get_json()["error"]
    assert body["code"] == "too_many_attempts"
    assert "Too many attempts to sign in. Wait 15 minutes" in body["message"]
    assert guess(client, "ben@demo.test", demo).status_code == 200  # another account is not held up


def test_right_passwords_never_count(client, demo, limits):
    assert all(guess(client, "amira@demo.test", demo).status_code == 200 for _ in range(8))


def test_one_address_guessing_many_accounts_is_throttled(client, demo, limits):
    answers = [guess(client, f"person{i}@demo.test").status_code for i in range(6)]
    assert answers == [401] * 5 + [429]


def test_the_office_sign_in_form_is_throttled_with_a_page_in_words(client, demo, limits):
    def attempt(password):
        token = form_token(client.get("/sign-in").get_data(as_text=True))
        return client.post("/sign-in", data={"email": "coordinator@demo.test", "password": password,
                                             "csrf_token": token})

    assert [attempt("wrong-wrong-wrong").status_code for _ in range(3)] == [400, 400, 400]
    page = attempt(demo)
    assert page.status_code == 429 and "Retry-After" in page.headers
    html = page.get_data(as_text=True)
    assert "Too many attempts to sign in" in html and "<h1" in html
    assert client.get("/sign-in").status_code == 200  # looking at the page is not an attempt


def test_the_new_password_page_is_throttled_too(client, demo, limits):
    def attempt():
        token = form_token(client.get("/account/new-password").get_data(as_text=True))
        return client.post("/account/new-password", data={
            "email": "amira@demo.test", "current_password": "wrong-first", "new_password": "a-new-password-1",
            "repeat_password": "a-new-password-1", "csrf_token": token})

    assert [attempt().status_code for _ in range(3)] == [400, 400, 400]
    assert attempt().status_code == 429


def test_the_default_limits_stop_the_reported_attack(client, demo):
    """30 wrong passwords in a row on one account: most are refused unhashed."""
    answers = [guess(client, "amira@demo.test").status_code for _ in range(30)]
    assert answers.count(401) == 10 and answers.count(429) == 20


@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of the test's own (as two web nodes would share)."""
    import os
    import shutil
    import socket
    import subprocess
    import time

    if not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs it")
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    server.terminate()
    server.wait(5)


def test_two_web_nodes_share_the_counts_through_redis(database_url, tmp_path, demo, app, redis_url):
    """With RATELIMIT_STORAGE_URI set, guesses made on one node count on another."""
    from app import create_app

    def node(name):
        return create_app({"APP_ENV": "testing", "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "k" * 40,
                           "INSTANCE_PATH": tmp_path / name, "RATELIMIT_STORAGE_URI": redis_url,
                           "SIGN_IN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"}).test_client()

    one, two = node("one"), node("two")
    assert [guess(c, "amira@demo.test").status_code for c in (one, two, one)] == [401, 401, 401]
    assert guess(two, "amira@demo.test", demo).status_code == 429
    import redis

    assert any(b"amira@demo.test" in key for key in redis.Redis.from_url(redis_url).keys("*"))
