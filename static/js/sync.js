// The sync client: push the outbox in order, then pull until nothing is left.
// Runs in the page and in the service worker; a Web Lock keeps them from
// syncing at the same time (the server would cope, but it wastes signal).
import { SCHEMA_VERSION } from './contract.js';
import { getMeta, setMeta } from './db.js';
import { api, AuthError, OfflineError, RevokedError } from './api.js';
import { applyPull, applyPushResults, outboxEntries } from './store.js';
import { sendPendingPreferences } from './reminders.js';
import { uploadReceipts } from './receipts.js';

const BATCH = 200;
const PULL_LIMIT = 500;

async function deviceId() {
  let id = await getMeta('device_id');
  if (!id) { id = crypto.randomUUID(); await setMeta('device_id', id); }
  return id;
}

// A delete waits out its undo time; entries after it wait too, so the
// server still gets everything in the order the person did it.
const isHeld = (e) => e.hold_until && Date.parse(e.hold_until) > Date.now();

// Returns when the first held entry may go (ISO), or null.
async function pushOutbox() {
  const device_id = await deviceId();
  for (;;) {
    let queued = (await outboxEntries()).filter((e) => e.state === 'queued').sort((a, b) => a.seq - b.seq);
    const held = queued.findIndex(isHeld);
    const heldUntil = held === -1 ? null : queued[held].hold_until;
    if (held !== -1) queued = queued.slice(0, held);
    if (queued.length === 0) return heldUntil;
    const batch = queued.slice(0, BATCH);
    const body = {
      device_id, schema_version: SCHEMA_VERSION,
      mutations: batch.map((e) => ({
        mutation_id: e.mutation_id, kind: e.kind, id: e.id, op: e.op,
        base_rev: e.base_rev, base: e.base, changes: e.changes, resolves: e.resolves || [],
      })),
    };
    const { results } = await api('POST', '/api/sync/push', body);
    await applyPushResults(batch, results);
    if (queued.length <= BATCH) return heldUntil;
  }
}

// Returns whether anything a screen shows changed.
async function pullAll() {
  let changed = false;
  for (;;) {
    const cursor = await getMeta('cursor');
    const query = new URLSearchParams({ limit: String(PULL_LIMIT) });
    if (cursor) query.set('cursor', cursor);
    const page = await api('GET', `/api/sync/pull?${query}`);
    changed = (await applyPull(page)) || changed;
    if (!page.has_more) return changed;
  }
}

// Result: 'synced' | 'offline' | 'signed-out' | 'revoked' | 'error'
async function runSync() {
  try {
    const heldUntil = await pushOutbox();
    const changed = await pullAll();
    await sendPendingPreferences().catch(() => {}); // reminder settings changed with no signal
    await uploadReceipts().catch(() => {}); // receipt photos the server has not got yet
    await setMeta('last_sync_at', new Date().toISOString());
    await setMeta('auth', 'ok');
    return { outcome: 'synced', heldUntil, changed };
  } catch (err) {
    if (err instanceof OfflineError) return { outcome: 'offline', message: err.message };
    if (err instanceof RevokedError) return { outcome: 'revoked', message: err.message };
    if (err instanceof AuthError) { await setMeta('auth', 'expired'); return { outcome: 'signed-out', message: err.message }; }
    if (err && err.code === 'csrf_failed') {
      // The session lives but the token is stale: fetch it and try once more.
      try { await api('GET', '/api/session').then((d) => setMeta('csrf_token', d.csrf_token)); } catch (e) { /* next run */ }
    }
    return { outcome: 'error', message: (err && err.message) || String(err) };
  }
}

let running = null;

export function syncNow() {
  if (!running) {
    const locked = (typeof navigator !== 'undefined' && navigator.locks)
      ? navigator.locks.request('peer-mentors-sync', runSync)
      : runSync();
    running = locked.finally(() => { running = null; });
  }
  return running;
}

export const isSyncing = () => running !== null;
