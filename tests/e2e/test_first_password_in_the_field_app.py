"""A mentor whose account the office just made signs in on the phone with the
first-time password: the app says to choose their own and links to the page."""
from sqlalchemy import select

from tests.e2e.conftest import sign_in


def test_a_first_time_password_sends_the_mentor_to_choose_their_own(server, new_context, tmp_path):
    from app import create_app
    from app.accounts.services import create_volunteer
    from app.areas.models import Area

    office = create_app({"APP_ENV": "testing", "DATABASE_URL": server.database_url, "SECRET_KEY": "x" * 40,
                         "INSTANCE_PATH": tmp_path / "office"})
    session = office.extensions["database"]["sessionmaker"]()
    area = session.scalar(select(Area).where(Area.name == "County Durham"))
    _, first = create_volunteer(session, name="Edna New", email="edna@demo.test", area=area)
    session.commit()
    session.close()
    office.extensions["database"]["engine"].dispose()

    page = new_context().new_page()
    page.goto(server.url + "/")
    page.wait_for_selector("h1:text('Sign in')")
    page.fill("#f-email", "edna@demo.test")
    page.fill("#f-password", first)
    page.click("button:text('Sign in')")
    page.wait_for_selector(".error-summary")
    assert "new-password" in page.inner_text(".error-summary") or "password" in page.inner_text(".error-summary").lower()
    page.click("a:text('Choose your own password')")
    page.wait_for_load_state()
    assert page.url.endswith("/account/new-password") and page.locator("h1").count() == 1
    assert "sign_in" not in page.url and first not in page.url


def test_a_mentor_with_their_own_password_is_not_shown_the_link(server, new_context):
    page = new_context().new_page()
    sign_in(page, server, "amira@demo.test")
    assert page.locator("a:text('Choose your own password')").count() == 0
