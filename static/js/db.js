// IndexedDB: one store per kind, the outbox, attachments, conflicts, meta.
// Upgrades are numbered steps; each runs once, in order, and never drops the
// outbox, so an app update cannot lose queued entries.
// The kinds come from the server's contract (contract.js): every upgrade
// ends by making a store for any kind that has none, and the version counts
// the kinds, so a kind the server adds is a new version that makes its store.
import { KINDS } from './contract.js';

export const DB_NAME = 'peer-mentors';

const UPGRADES = [
  // 1: the first schema (and a store per kind, made after every step).
  (db) => {
    const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    outbox.createIndex('record', ['kind', 'id']);
    db.createObjectStore('attachments', { keyPath: 'id' });
    db.createObjectStore('conflicts', { keyPath: 'id' });
    db.createObjectStore('meta');
  },
];
// Steps × 1000 + kinds: grows with a new step and with a new kind. Phones
// from before the contract have version 1 (step 1 and the first six kinds).
export const DB_VERSION = UPGRADES.length * 1000 + KINDS.length;
const stepsDone = (version) => (version < 1000 ? version : Math.floor(version / 1000));

function upgrade(db, tx, oldVersion) {
  for (let step = stepsDone(oldVersion); step < UPGRADES.length; step++) UPGRADES[step](db, tx);
  for (const kind of KINDS) if (!db.objectStoreNames.contains(kind)) db.createObjectStore(kind, { keyPath: 'id' });
}

let opening = null;

function open(version) {
  return new Promise((resolve, reject) => {
    const request = version ? indexedDB.open(DB_NAME, version) : indexedDB.open(DB_NAME);
    request.onupgradeneeded = (event) => upgrade(request.result, request.transaction, event.oldVersion);
    request.onsuccess = () => {
      const db = request.result;
      // Another tab (or the service worker) wants a newer schema: let it.
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => console.warn('database upgrade waits for another tab to close');
  });
}

export function openDb() {
  if (!opening) {
    // A database newer than this version (the server dropped a kind, or
    // another tab runs a newer app) has every store this one needs: use it.
    opening = open(DB_VERSION)
      .catch((err) => (err && err.name === 'VersionError' ? open() : Promise.reject(err)))
      .catch((err) => { opening = null; throw err; });
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
