"""The office sign-in page and home page."""
import re


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email, password):
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_sign_in_page_renders(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<label for="email">' in html and "<script" not in html


def test_coordinator_signs_in_and_sees_area_clients(client, demo):
    response = sign_in(client, "coordinator@demo.test", demo)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/office/")
    html = client.get("/office/").get_data(as_text=True)
    for name in ("Margaret Hill", "George Turner", "Patricia Lowe", "Daniel Reed"):
        assert name in html
    assert "North" in html and "South" in html


def test_wrong_password_shows_error_summary(client, demo):
    response = sign_in(client, "coordinator@demo.test", "wrong-password")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "Email or password is incorrect." in html
    assert 'href="#email"' in html


def test_empty_form_says_what_is_missing(client):
    response = sign_in(client, "", "")
    html = response.get_data(as_text=True)
    assert "Enter your email address." in html and "Enter your password." in html


def test_form_without_csrf_token_is_refused(client, demo):
    response = client.post("/sign-in", data={"email": "coordinator@demo.test", "password": demo})
    assert response.status_code == 400
    assert client.get("/office/").status_code == 302


def test_next_parameter_cannot_leave_the_site(client, demo):
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in?next=//evil.example/x",
                           data={"email": "coordinator@demo.test", "password": demo, "csrf_token": token})
    assert response.headers["Location"].endswith("/office/")


def test_office_needs_sign_in(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def links_to_field_app(html, text):
    return re.search(r'<a [^>]*href="/"[^>]*>' + re.escape(text) + "</a>", html) is not None


def assert_readable_page(html):
    """A whole page of the office's own, with nothing leaked from the machinery."""
    assert 'href="/static/office/office.css"' in html and "<h1>" in html
    text = re.sub(r"<[^>]+>", " ", html)
    for leak in ("None", "null", "403", "404", "405", "Forbidden", "Not Found", "Method Not Allowed"):
        assert leak not in text, leak


def test_volunteer_is_not_signed_in_at_the_office_and_is_sent_to_the_field_app(client, demo):
    response = sign_in(client, "amira@demo.test", demo)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "The office is for coordinators" in html
    assert links_to_field_app(html, "Open the mentors' app")
    assert_readable_page(html)
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/api/session").status_code == 401
    assert client.get("/office/").status_code == 302


def test_volunteer_with_a_wrong_password_gets_the_ordinary_error(client, demo):
    """The mentors' page comes only after a right password, so it gives away nobody's role."""
    response = sign_in(client, "amira@demo.test", "wrong-password")
    assert response.status_code == 400
    assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_volunteer_signed_in_to_the_field_app_gets_a_page_pointing_back_to_it(app, client, demo):
    assert client.post("/api/session", json={"email": "ben@demo.test", "password": demo}).status_code == 200
    response = client.get("/office/")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "The office is for coordinators" in html and links_to_field_app(html, "Open the mentors' app")
    assert_readable_page(html)
    assert client.get("/api/session").status_code == 200  # still signed in to the field app


def test_sign_in_page_points_mentors_to_their_app(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert links_to_field_app(html, "open the mentors' app")


def test_sign_out(client, demo):
    sign_in(client, "coordinator@demo.test", demo)
    token = form_token(client.get("/office/").get_data(as_text=True))
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/office/").status_code == 302


def test_times_are_shown_in_uk_local_time():
    from datetime import datetime, timezone

    from app.office.views import local_time

    assert local_time(datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)) == "Wed 01 Jul 2026, 10:30"  # BST
    assert local_time(datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)) == "Tue 01 Dec 2026, 09:30"  # GMT


def test_sign_out_makes_a_copy_of_the_old_cookie_worthless(client, demo):
    sign_in(client, "coordinator@demo.test", demo)
    saved = client.get_cookie("session").value
    token = form_token(client.get("/office/").get_data(as_text=True))
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    client.set_cookie("session", saved)
    response = client.get("/office/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_sign_out_when_already_signed_out_goes_to_the_sign_in_page(client, demo):
    """Not to /sign-in?next=/sign-out, which would lead to a GET of /sign-out after signing in."""
    token = form_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")


def test_office_pages_link_an_icon_that_is_served(client):
    html = client.get("/sign-in").get_data(as_text=True)
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert icons
    for href in icons:
        response = client.get(href)
        assert response.status_code == 200 and response.mimetype.startswith("image/"), href


def test_unknown_office_address_is_a_readable_page(client, demo):
    for signed_in in (False, True):
        if signed_in:
            sign_in(client, "coordinator@demo.test", demo)
        response = client.get("/office/no-such-page")
        assert response.status_code == 404 and response.mimetype == "text/html"
        html = response.get_data(as_text=True)
        assert "Page not found" in html
        assert_readable_page(html)
    assert 'href="/office/">Go to the office start page</a>' in html


def test_wrong_method_on_a_page_is_a_readable_page(client):
    response = client.get("/sign-out")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "Allow" in response.headers
    html = response.get_data(as_text=True)
    assert "This page cannot be opened like that" in html
    assert links_to_field_app(html, "Open the mentors' app")
    assert_readable_page(html)


def test_expired_form_is_a_readable_page(client, demo):
    response = client.post("/sign-in", data={"email": "coordinator@demo.test", "password": demo})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The form expired. Go back, reload the page and try again." in html
    assert 'href="/sign-in">Coordinators: sign in to the office</a>' in html
    assert_readable_page(html)


def test_errors_under_api_stay_json(client, api, demo):
    for response, code in (
        (client.get("/api/no-such-thing"), "not_found"),
        (client.get("/api/office"), "not_found"),
        (api("amira@demo.test").client.patch("/api/session", json={}), None),
        (client.put("/api/session", json={}), "method_not_allowed"),
    ):
        assert response.is_json, response.get_data(as_text=True)[:80]
        if code:
            assert response.get_json()["error"]["code"] == code
