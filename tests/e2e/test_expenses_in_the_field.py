"""Expenses in the field app, in Chromium: a journey and a parking cost with a
receipt photo, recorded and sent offline; the server's amounts and the photo
arrive once there is signal; the office approves; the phone shows it."""
import hashlib
import sqlite3
import struct
import uuid
import zlib
from pathlib import Path

from tests.e2e.conftest import sign_in, wait_service_worker, wait_synced


def png(width=64, height=48) -> bytes:
    """A small real PNG (a grey gradient), made by hand: no image library needed."""
    rows = b"".join(b"\0" + bytes((x * 4 + y) % 256 for x in range(width) for _ in range(3)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def rows(server, sql, *params):
    with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql, params).fetchall()


def sync(page):
    return page.evaluate("async () => (await import('/static/js/app.js')).requestSync()")


def outbox_size(page):
    return page.evaluate("async () => (await (await import('/static/js/store.js')).outboxEntries()).length")


def open_expenses(page):
    page.goto(page.url.split("#")[0] + "#/")
    page.wait_for_selector("h1:text('Your visits')")
    page.click("a:text('Your journeys, costs and claims')")
    page.wait_for_selector("h1:text('Expenses')")


def approve(server, tmp_path, claim_id):
    from app import create_app
    from app.accounts.services import find_by_email
    from app.expenses.models import ExpenseClaim
    from app.expenses.services import approve as approve_claim

    office = create_app({"APP_ENV": "testing", "DATABASE_URL": server.database_url, "SECRET_KEY": "x" * 40,
                         "INSTANCE_PATH": tmp_path / "office"})
    session = office.extensions["database"]["sessionmaker"]()
    approve_claim(session, session.get(ExpenseClaim, uuid.UUID(claim_id)), find_by_email(session, "coordinator@demo.test"))
    session.commit()
    session.close()
    office.extensions["database"]["engine"].dispose()


def test_a_claim_made_offline_with_a_receipt_reaches_the_office_and_comes_back_approved(server, new_context, tmp_path):
    context = new_context()
    page = context.new_page()
    sign_in(page, server, "amira@demo.test")
    wait_service_worker(page)
    context.set_offline(True)
    open_expenses(page)  # the screen's code comes from the service worker's cache
    assert "You have no claim started" in page.inner_text("main")

    page.click("a:text('Add a journey')")
    page.wait_for_selector("h1:text('Add a journey')")
    page.fill("#f-from_place", "Home")
    page.fill("#f-to_place", "Margaret Hill's")
    page.fill("#f-miles", "12.3")
    page.click("button:text('Add journey to the claim')")
    page.wait_for_selector("h1:text('Expenses')")
    assert "about £5.54 (estimate until sent)" in page.inner_text("main")

    page.click("a:text('Add a cost')")
    page.wait_for_selector("h1:text('Add a cost')")
    page.check("input[name='category'][value='parking']")
    page.fill("#f-amount", "£4.50")
    page.fill("#f-description", "Car park by the flats")
    page.set_input_files("#f-receipt", files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": png()}])
    page.wait_for_selector("text=Photo added")
    page.click("button:text('Add cost to the claim')")
    page.wait_for_selector("h1:text('Expenses')")
    main = page.inner_text("main")
    assert "Receipt waiting to send" in main and "about £4.50" in main and "about £10.04" in main

    page.click("a:text('Send this claim')")
    page.wait_for_selector("h1:text('Check your claim')")
    page.click("button:text('Send claim')")
    assert "Tick the box" in page.inner_text(".error-summary")
    page.check("#f-declaration")
    page.click("button:text('Send claim')")
    page.wait_for_selector("h1:text('Expenses')")
    assert "Claim will be sent to the office when you have signal." in page.inner_text("main")
    assert rows(server, "select count(*) from expense_claims where volunteer_id = "
                        "(select id from users where email = 'amira@demo.test')") == [(0,)]

    context.set_offline(False)
    assert sync(page)["outcome"] == "synced"
    wait_synced(page)
    [(claim_id, status, total)] = rows(server, "select c.id, c.status, c.total_pence from expense_claims c join users u "
                                               "on u.id = c.volunteer_id where u.email = 'amira@demo.test'")
    assert (status, total) == ("submitted", 554 + 450)
    [(sha,)] = rows(server, "select receipt_sha256 from expense_items where receipt_sha256 is not null and "
                            "volunteer_id = (select id from users where email = 'amira@demo.test')")
    stored = Path(server.instance) / "receipts" / sha[:2] / sha
    for _ in range(50):  # the photo goes up just after the records
        if stored.exists():
            break
        page.wait_for_timeout(100)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    assert stored.read_bytes()[:3] == b"\xff\xd8\xff"  # downscaled on the phone to a JPEG

    open_expenses(page)
    main = page.inner_text("main")
    assert "Sent to the office" in main and "£10.04" in main and "estimate" not in main

    approve(server, tmp_path, str(uuid.UUID(claim_id)))
    sync(page)
    open_expenses(page)
    assert "Approved on" in page.inner_text("main")


def test_bad_values_are_refused_on_the_phone_and_nothing_is_queued(server, new_context):
    page = new_context().new_page()
    sign_in(page, server, "amira@demo.test")
    open_expenses(page)
    page.click("a:text('Add a journey')")
    page.wait_for_selector("h1:text('Add a journey')")
    cases = [("#f-miles", "twelve", "like 12.3"), ("#f-miles", "0", "Enter between"),
             ("#f-miles", "1000.1", "Enter between"), ("#f-spent_on", "2099-01-01", "future")]
    for selector, value, message in cases:
        page.fill("#f-from_place", "Home")
        page.fill("#f-to_place", "Town")
        page.fill("#f-miles", "5")
        page.fill(selector, value)
        page.click("button:text('Add journey to the claim')")
        page.wait_for_selector(".error-summary")
        assert message in page.inner_text(".error-summary"), (value, page.inner_text(".error-summary"))
    assert page.input_value("#f-from_place") == "Home"  # what was typed stays
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.goto(page.url.split("#")[0] + "#/expenses/cost")
    page.wait_for_selector("h1:text('Add a cost')")
    for value in ("4.505", "-3", "£", "1001"):
        page.check("input[name='category'][value='parking']")
        page.fill("#f-amount", value)
        page.click("button:text('Add cost to the claim')")
        page.wait_for_selector(".error-summary")
        assert page.locator(".error-summary a[href='#f-amount']").count() == 1, value
    assert outbox_size(page) == 0
    assert questions and "not saved" in questions[0]  # leaving the typed journey asked first


def test_an_item_of_a_sent_claim_cannot_be_changed_and_says_why(server, new_context):
    page = new_context().new_page()
    sign_in(page, server, "chloe@demo.test")  # the demo gives pair South's mentors claims in each state
    open_expenses(page)
    page.click("summary:has-text('What was claimed')")
    [(item_id,)] = rows(server, "select i.id from expense_items i join expense_claims c on c.id = i.claim_id "
                                "where c.status = 'submitted' and c.volunteer_id = (select id from users where "
                                "email = 'chloe@demo.test') limit 1")
    page.goto(page.url.split("#")[0] + f"#/expenses/item/{uuid.UUID(item_id)}")
    page.wait_for_selector(".warning")
    assert "can no longer be changed here" in page.inner_text("main")
    assert page.locator("form").count() == 0


def test_two_phones_of_one_volunteer_changing_an_amount_differently_is_a_conflict_in_pounds(server, new_context):
    first, second = new_context().new_page(), new_context().new_page()
    sign_in(first, server, "amira@demo.test")
    sign_in(second, server, "amira@demo.test")
    open_expenses(first)
    first.click("a:text('Add a cost')")
    first.wait_for_selector("h1:text('Add a cost')")
    first.check("input[name='category'][value='parking']")
    first.fill("#f-amount", "4.50")
    first.click("button:text('Add cost to the claim')")
    first.wait_for_selector("h1:text('Expenses')")
    sync(first)
    sync(second)
    for page, amount in ((first, "5.00"), (second, "6.00")):
        open_expenses(page)
        page.click("a:text('Change or delete')")
        page.wait_for_selector("h1:has-text('Cost of')")
        page.fill("#f-amount", amount)
        page.click("button:text('Save cost')")
        page.wait_for_selector("h1:text('Expenses')")
        sync(page)
    second.goto(second.url.split("#")[0] + "#/conflicts")
    second.wait_for_selector("h2:has-text('Cost on')")
    card = second.inner_text("main")
    assert "Amount: changed on both phones" in card or "changed on both phones" in card
    assert "£5.00" in card and "£6.00" in card


def test_the_phone_warns_as_the_tax_years_car_miles_near_10000(server, new_context):
    page = new_context().new_page()
    sign_in(page, server, "amira@demo.test")
    open_expenses(page)
    assert "You are near" not in page.inner_text("main")
    page.evaluate("""async () => {
        const { getMeta, setMeta } = await import('/static/js/db.js');
        const mileage = await getMeta('mileage');
        await setMeta('mileage', { ...mileage, car_van_miles_tenths: 90_123 });
    }""")
    open_expenses(page)
    main = page.inner_text("main")
    assert "9,012.3 miles" in main
    assert "From 10,000 miles in a tax year the car or van rate drops from 45p to 25p a mile." in main
