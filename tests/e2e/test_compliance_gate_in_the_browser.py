"""In Chromium: a mentor whose partner's DBS check lapsed has the pair's
clients wiped from the phone and is told why; once the office records the
renewed check, they come back."""
from datetime import timedelta

from tests.e2e.conftest import sign_in
from tests.e2e.test_field_app import show, sync


def office_session(server, tmp_path):
    from app import create_app

    office = create_app({"APP_ENV": "testing", "DATABASE_URL": server.database_url, "SECRET_KEY": "x" * 40,
                         "INSTANCE_PATH": tmp_path / "office"})
    return office, office.extensions["database"]["sessionmaker"]()


def stored_client_names(page):
    return page.evaluate("""async () => {
        const { listRecords } = await import('/static/js/store.js');
        const all = [...await listRecords('client'), ...await listRecords('visit'), ...await listRecords('goal')];
        return all.map((r) => r.data.name || r.data.client_id);
    }""")


def test_a_lapsed_check_wipes_the_pairs_clients_and_the_phone_says_why(server, new_context, tmp_path):
    from sqlalchemy import select

    from app.accounts.services import find_by_email
    from app.scope import today
    from app.volunteers.lapses import recheck_pair_clearance, sweep
    from app.volunteers.models import ComplianceCheck, MentorPair

    page = new_context().new_page()
    sign_in(page, server, "amira@demo.test")
    assert "George Turner" in page.inner_text("main")
    assert page.locator("#gate").count() == 0

    office, session = office_session(server, tmp_path)
    ben = find_by_email(session, "ben@demo.test")
    dbs = session.scalar(select(ComplianceCheck).where(ComplianceCheck.user_id == ben.id, ComplianceCheck.kind == "dbs"))
    dbs.expires_on = today() - timedelta(days=1)  # it lapsed at midnight
    session.commit()
    assert sweep(session)["blocked"] == 1
    session.commit()

    assert sync(page)["outcome"] == "synced"
    left = stored_client_names(page)
    assert "George Turner" not in left and "Margaret Hill" not in left and left == []
    show(page, "#/")
    main = page.inner_text("main")
    assert "Client details are hidden on this phone until the office updates your pair's checks." in main
    assert "Ben Walker’s DBS check is out of date or missing." in main and "Carol Coordinator" in main
    assert "George Turner" not in main
    page.screenshot(path=str(tmp_path / "gate-phone.png"), full_page=True)

    session.add(ComplianceCheck(user_id=ben.id, kind="dbs", completed_on=today(),
                                expires_on=today() + timedelta(days=3 * 365)))
    north = session.scalar(select(MentorPair).where(MentorPair.name == "North"))
    assert recheck_pair_clearance(session, north) is False
    session.commit()
    session.close()
    office.extensions["database"]["engine"].dispose()

    assert sync(page)["outcome"] == "synced"
    show(page, "#/")
    page.wait_for_selector("text=George Turner")
    assert page.locator("#gate").count() == 0
    assert "Margaret Hill" in stored_client_names(page)
