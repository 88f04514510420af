"""flask --app app db upgrade | seed-demo | create-user."""
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.services import authenticate, find_by_email
from app.clients.models import Client
from app.fieldwork.models import Goal, Visit


def test_seed_demo_fills_an_empty_database(runner, session):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "coordinator@demo.test" in result.output and "DEMO_PASSWORD" in result.output
    emails = set(session.scalars(select(User.email)))
    assert emails == {"coordinator@demo.test", "amira@demo.test", "ben@demo.test", "chloe@demo.test", "dev@demo.test"}
    assert authenticate(session, "dev@demo.test", "test-demo-password") is not None


def assert_sign_in_help(output):
    """Mentors go to the field app at /, the coordinator to the office at /sign-in."""
    lines = output.splitlines()
    mentors = next(line for line in lines if line.startswith("Mentors:"))
    assert "http://127.0.0.1:5000/ " in mentors and "/sign-in" not in mentors
    for email in ("amira@demo.test", "ben@demo.test", "chloe@demo.test", "dev@demo.test"):
        assert email in mentors
    assert "coordinator@demo.test" not in mentors
    coordinators = next(line for line in lines if line.startswith("Coordinators:"))
    assert "office at http://127.0.0.1:5000/sign-in" in coordinators and "coordinator@demo.test" in coordinators
    password = next(line for line in lines if line.startswith("Password"))
    assert "demo-mentors-2026" in password and "DEMO_PASSWORD" in password


def test_seed_demo_says_where_mentors_and_coordinators_sign_in(runner, session):
    assert_sign_in_help(runner.invoke(args=["seed-demo"]).output)
    assert_sign_in_help(runner.invoke(args=["seed-demo", "--if-empty"]).output)  # what `make run` prints


def test_seed_demo_gives_each_client_a_visit_this_week_and_an_active_goal(runner, session):
    from datetime import datetime, timedelta, timezone

    runner.invoke(args=["seed-demo"])
    now = datetime.now(timezone.utc)
    clients = session.scalars(select(Client).where(Client.status == "active")).all()
    assert len(clients) == 4
    for client in clients:
        visits = session.scalars(select(Visit).where(Visit.client_id == client.id, Visit.status == "planned")).all()
        assert any(now < v.scheduled_start_at <= now + timedelta(days=7) for v in visits)
        assert "+" in visits[0].scheduled_start or visits[0].scheduled_start.endswith("Z")
        assert session.scalar(select(func.count()).select_from(Goal).where(Goal.client_id == client.id, Goal.status == "active")) == 1
        assert client.seq > 0 and client.rev == 1


def test_seed_demo_refuses_a_database_with_data(runner, session):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "already has data" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 5


def test_seed_demo_if_empty_leaves_data_alone(runner, session):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 5


def test_seed_demo_refuses_in_production(app, runner, session):
    app.config["APP_ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "production" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_reads_the_password_from_stdin(runner, session):
    result = runner.invoke(
        args=["create-user", "--email", "Lead@Scheme.example", "--name", "Lead Coordinator",
              "--role", "coordinator", "--area", "Darlington", "--create-area"],
        input="a-strong-passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = find_by_email(session, "lead@scheme.example")
    assert user.role == "coordinator" and user.area.name == "Darlington"
    assert authenticate(session, "lead@scheme.example", "a-strong-passphrase") is not None


def test_create_user_rejects_bad_input_and_writes_nothing(runner, session):
    result = runner.invoke(
        args=["create-user", "--email", "not-an-email", "--name", "X", "--role", "volunteer", "--area", "Nowhere"],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "email" in result.output and "password" in result.output and "Nowhere" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_has_no_password_option(runner):
    result = runner.invoke(args=["create-user", "--help"])
    assert "--password" not in result.output


def test_db_upgrade_command(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


# ---- reminders send-due | reminders run -------------------------------------

def _reminder_world(session, webpush_service, names=("amira",)):
    """North's first visit starts in 30 minutes: its "soon" reminder is due now."""
    from datetime import datetime, timedelta, timezone

    from app.webpush.models import WebPushSubscription
    from tests.webpush.test_subscriptions_api import Browser

    visit = session.scalars(select(Visit).order_by(Visit.scheduled_start_at)).first()
    start = (datetime.now(timezone.utc) + timedelta(minutes=30)).replace(microsecond=0)
    visit.scheduled_start_at, visit.scheduled_start = start, start.isoformat()
    pair_emails = {"amira": "amira@demo.test", "ben": "ben@demo.test", "chloe": "chloe@demo.test", "dev": "dev@demo.test"}
    from app.clients.models import ClientAssignment
    from app.volunteers.models import PairMembership

    pair_id = session.scalar(select(ClientAssignment.pair_id).where(ClientAssignment.client_id == visit.client_id))
    mentors = set(session.scalars(select(PairMembership.user_id).where(PairMembership.pair_id == pair_id)))
    phones = {}
    for name in names:
        user = find_by_email(session, pair_emails[name])
        browser = Browser(f"{webpush_service.url}/webpush/{name}")
        session.add(WebPushSubscription(user_id=user.id, endpoint=browser.subscription["endpoint"],
                                        p256dh=browser.subscription["keys"]["p256dh"], auth=browser.subscription["keys"]["auth"]))
        phones[f"/webpush/{name}"] = (browser, user.id in mentors)
    session.commit()
    return phones


def _webpush_service():
    from tests.webpush.test_subscriptions_api import WebPushService

    return WebPushService()


def test_reminders_send_due_sends_what_is_due_once(runner, session, demo):
    service = _webpush_service()
    try:
        phones = _reminder_world(session, service, ("amira", "ben"))
        in_pair = sum(1 for _, mine in phones.values() if mine)
        result = runner.invoke(args=["reminders", "send-due"])
        assert result.exit_code == 0, result.output
        assert f"Reminders: {in_pair} sent" in result.output
        again = runner.invoke(args=["reminders", "send-due"])
        assert "0 sent" in again.output and f"{in_pair} skipped" in again.output
        assert len(service.received) == in_pair
        for path, _headers, body in service.received:
            assert phones[path][0].decrypt(body)["body"].endswith("in 60 minutes - open the app for details")
    finally:
        service.close()


def _flask_env(app):
    import os

    return {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "APP_ENV": "development",
            "SECRET_KEY": app.config["SECRET_KEY"]}


def test_two_send_due_processes_at_once_send_each_reminder_once(app, session, demo):
    import subprocess
    import sys

    service = _webpush_service()
    try:
        phones = _reminder_world(session, service, ("amira", "ben"))
        in_pair = sorted(path for path, (_, mine) in phones.items() if mine)
        command = [sys.executable, "-m", "flask", "--app", "app", "reminders", "send-due"]
        procs = [subprocess.Popen(command, env=_flask_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(3)]
        outputs = [p.communicate(timeout=60)[0] for p in procs]
        assert all(p.returncode == 0 for p in procs), outputs
        assert sorted(path for path, _, _ in service.received) == in_pair, outputs
    finally:
        service.close()


def test_reminders_run_stops_cleanly_on_sigterm(app, session, demo):
    import signal
    import subprocess
    import sys
    import time

    command = [sys.executable, "-m", "flask", "--app", "app", "reminders", "run", "--interval", "1"]
    proc = subprocess.Popen(command, env=_flask_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout.readline().startswith("Sending due visit reminders every 1 s")
        time.sleep(2.5)  # a few rounds
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=10)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert "Reminders stopped." in output and "failed" not in output
