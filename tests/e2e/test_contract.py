"""The phone takes the sync contract from the server (/static/js/contract.js):
its words cover every value the server accepts, and its database has a store
for every kind the server syncs."""
import copy

from app import create_app
from app.sync.contract import phone_contract

LABELS = "/static/js/screens/labels.js"


def server_contract():
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40})
    with app.app_context():
        return phone_contract()


# Each choice of each kind's field in the contract given, for which labels.js has no words.
MISSING_WORDS = """async (contract) => {
    const { WORDS } = await import('/static/js/screens/labels.js');
    const missing = [];
    for (const [kind, about] of Object.entries(contract.kinds)) {
        for (const [field, limit] of Object.entries(about.limits)) {
            for (const value of limit.choices || []) {
                if (!((WORDS[kind] || {})[field] || {})[value]) missing.push(`${kind}.${field}=${value}`);
            }
        }
    }
    return missing;
}"""


def test_the_phone_has_the_servers_contract_and_words_for_every_choice(server, new_context):
    page = new_context().new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    page.wait_for_selector("h1:text('Sign in')")
    contract = server_contract()
    assert page.evaluate("async () => (await import('/static/js/contract.js')).CONTRACT") == contract
    assert page.evaluate("async () => (await import('/static/js/contract.js')).KINDS") == list(contract["kinds"])
    assert page.evaluate("async () => Object.isFrozen((await import('/static/js/contract.js')).CONTRACT.kinds.visit.limits)")

    assert page.evaluate(MISSING_WORDS, contract) == [], "labels.js has no words for these values the server accepts"
    # The check fails when the server accepts a value the phone has no words for.
    more = copy.deepcopy(contract)
    more["kinds"]["visit"]["limits"]["status"]["choices"].append("postponed")
    assert page.evaluate(MISSING_WORDS, more) == ["visit.status=postponed"]

    # Lists of choices keep the server's order; the text limits are the server's.
    assert page.evaluate(f"async () => (await import('{LABELS}')).VISIT_STATUS.map(([v]) => v)") == \
        contract["kinds"]["visit"]["limits"]["status"]["choices"]
    assert page.evaluate("async () => (await import('/static/js/contract.js')).maxLength('visit', 'location')") == 300
    assert not errors


def test_an_older_database_gets_a_store_for_each_kind_and_keeps_its_outbox(server, new_context):
    """A phone whose database lacks a kind's store (a kind the server added
    since) gets the store at the next start, with its queued entries kept."""
    page = new_context().new_page()
    page.goto(server.url + "/manifest.webmanifest")  # the origin, without the app running
    page.evaluate("""() => new Promise((resolve, reject) => {
        const request = indexedDB.open('peer-mentors', 1);
        request.onupgradeneeded = () => {
            const db = request.result;
            for (const kind of ['client', 'visit', 'goal', 'progress', 'problem']) db.createObjectStore(kind, { keyPath: 'id' });
            const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
            outbox.createIndex('record', ['kind', 'id']);
            db.createObjectStore('attachments', { keyPath: 'id' });
            db.createObjectStore('conflicts', { keyPath: 'id' });
            db.createObjectStore('meta');
            outbox.add({ mutation_id: 'm-1', kind: 'visit', id: 'v-1', op: 'update', state: 'queued', changes: { notes: 'kept' } });
        };
        request.onsuccess = () => { request.result.close(); resolve(); };
        request.onerror = () => reject(request.error);
    })""")
    page.goto(server.url + "/")
    page.wait_for_selector("h1:text('Sign in')")
    found = page.evaluate("""async () => {
        const { openDb } = await import('/static/js/db.js');
        const db = await openDb();
        const entries = await new Promise((resolve) => {
            const request = db.transaction(['outbox'], 'readonly').objectStore('outbox').getAll();
            request.onsuccess = () => resolve(request.result);
        });
        return { stores: [...db.objectStoreNames].sort(), version: db.version, notes: entries.map((e) => e.changes.notes) };
    }""")
    kinds = list(server_contract()["kinds"])
    assert set(kinds) <= set(found["stores"]) and "concern" in found["stores"]
    assert {"outbox", "attachments", "conflicts", "meta"} <= set(found["stores"])
    assert found["notes"] == ["kept"]
    assert found["version"] == 1000 + len(kinds)
