// IndexedDB: one store per kind, the outbox, attachments, conflicts, meta.
// Upgrades are numbered steps; each runs once, in order, and never drops the
// outbox, so an app update cannot lose queued entries.
export const KINDS = ['client', 'visit', 'goal', 'progress', 'problem', 'concern'];
export const DB_NAME = 'peer-mentors';

const UPGRADES = [
  // 1: the first schema.
  (db) => {
    for (const kind of KINDS) db.createObjectStore(kind, { keyPath: 'id' });
    const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    outbox.createIndex('record', ['kind', 'id']);
    db.createObjectStore('attachments', { keyPath: 'id' });
    db.createObjectStore('conflicts', { keyPath: 'id' });
    db.createObjectStore('meta');
  },
];
export const DB_VERSION = UPGRADES.length;

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        for (let step = event.oldVersion; step < DB_VERSION; step++) {
          UPGRADES[step](request.result, request.transaction);
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab (or the service worker) wants a newer schema: let it.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
      request.onblocked = () => console.warn('database upgrade waits for another tab to close');
    });
  }
  return opening;
}

export function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Run fn(stores) in one transaction; resolves with fn's result once it commits.
export async function transaction(names, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    let result;
    Promise.resolve(fn(stores, tx)).then((value) => { result = value; }, (err) => { tx.abort(); reject(err); });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

export const getAll = (store, query) => req(store.getAll(query));
export const get = (store, key) => req(store.get(key));

export async function getMeta(key) {
  return transaction(['meta'], 'readonly', (s) => get(s.meta, key));
}

export async function setMeta(key, value) {
  return transaction(['meta'], 'readwrite', (s) => req(s.meta.put(value, key)));
}

// Sign-out and account change: nothing of the last person stays on the phone.
export async function wipe() {
  const db = await openDb();
  db.close();
  opening = null;
  await req(indexedDB.deleteDatabase(DB_NAME));
}
