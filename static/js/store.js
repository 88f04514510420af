// Local records and the outbox. Every local edit and its outbox entry are
// written in one IndexedDB transaction: there is never an edit without its
// entry, or an entry without its edit.
//
// A record: { id, rev, server, data, deleted }
//   server: the fields as the server last confirmed them (null if never synced)
//   data:   what the person sees: server + their queued edits
// An outbox entry: { seq, mutation_id, kind, id, op, base_rev, base, changes,
//   resolves, state: 'queued' | 'rejected', errors, created_at }
import { KINDS, get, getAll, req, transaction } from './db.js';

const ALL = [...KINDS, 'outbox', 'conflicts', 'meta'];

// What the person sees: the server's version with their queued edits on top.
// Gone when the server holds a tombstone, when the last queued entry deletes
// it, or when it never reached the server and nothing of it is queued.
function view(kind, id, rev, server, entries) {
  const queued = entries.filter((e) => e.state === 'queued');
  let data = server ? { ...server } : {};
  let deleted = server === null && (rev !== null || queued.length === 0);
  for (const e of queued) {
    if (e.op === 'delete') deleted = true;
    else if (server !== null || rev === null) data = { ...data, ...e.changes };
  }
  return { id, rev, server, data, deleted };
}

export async function getRecord(kind, id) {
  return transaction([kind], 'readonly', (s) => get(s[kind], id));
}

export async function listRecords(kind, filter = () => true) {
  const all = await transaction([kind], 'readonly', (s) => getAll(s[kind]));
  return all.filter((r) => !r.deleted && filter(r));
}

// Queue a create, update or delete, and show it locally at once.
export async function saveLocal(kind, id, op, changes = {}, resolves = []) {
  return transaction([kind, 'outbox'], 'readwrite', async (s) => {
    const record = (await get(s[kind], id)) || { id, rev: null, server: null, data: {}, deleted: false };
    const base = {};
    for (const name of Object.keys(changes)) base[name] = record.data[name] === undefined ? null : record.data[name];
    const entry = {
      mutation_id: crypto.randomUUID(), kind, id, op,
      base_rev: record.rev, base, changes, resolves, state: 'queued', errors: null,
      created_at: new Date().toISOString(),
    };
    await req(s.outbox.add(entry));
    if (op === 'delete') record.deleted = true;
    else { record.data = { ...record.data, ...changes }; record.deleted = false; }
    await req(s[kind].put(record));
    return record;
  });
}

export async function outboxEntries() {
  return transaction(['outbox'], 'readonly', (s) => getAll(s.outbox));
}

export async function conflicts() {
  return transaction(['conflicts'], 'readonly', (s) => getAll(s.conflicts));
}

// Results of a push: accepted entries leave the outbox; rejected ones stay,
// marked, for the person to see. Conflicts are held on the server.
export async function applyPushResults(entries, results) {
  const byMutation = new Map(entries.map((e) => [e.mutation_id, e]));
  return transaction(['outbox'], 'readwrite', (s) => {
    for (const result of results) {
      const entry = byMutation.get(result.mutation_id);
      if (!entry) continue;
      if (result.status === 'rejected') s.outbox.put({ ...entry, state: 'rejected', errors: result.errors || {} });
      else s.outbox.delete(entry.seq);
    }
  });
}

// One page of a pull, applied in one transaction. The outbox is read once and
// the writes are issued together (the transaction runs them in order).
export async function applyPull(page) {
  return transaction(ALL, 'readwrite', async (s) => {
    const queuedFor = new Map();
    for (const entry of await getAll(s.outbox)) { // in seq order
      const key = `${entry.kind}/${entry.id}`;
      if (!queuedFor.has(key)) queuedFor.set(key, []);
      queuedFor.get(key).push(entry);
    }
    for (const change of page.changes) {
      if (!s[change.kind]) continue;
      const entries = queuedFor.get(`${change.kind}/${change.id}`) || [];
      s[change.kind].put(view(change.kind, change.id, change.rev, change.deleted ? null : change.data, entries));
    }
    for (const gone of page.removed) {
      if (s[gone.kind]) s[gone.kind].delete(gone.id);
    }
    s.conflicts.clear();
    for (const conflict of page.conflicts) s.conflicts.put(conflict);
    s.meta.put(page.cursor, 'cursor');
  });
}

// After a rejected entry was read: drop it (the person chose to) or queue it
// again with corrected values under a new mutation id.
export async function discardEntry(seq) {
  return transaction(['outbox'], 'readwrite', (s) => req(s.outbox.delete(seq)));
}

export async function refreshView(kind, id) {
  return transaction([kind, 'outbox'], 'readwrite', async (s) => {
    const record = await get(s[kind], id);
    if (!record) return;
    const entries = await getAll(s.outbox.index('record'), [kind, id]);
    await req(s[kind].put(view(kind, id, record.rev, record.server, entries)));
  });
}

export async function counts() {
  return transaction(['outbox', 'conflicts'], 'readonly', async (s) => {
    const entries = await getAll(s.outbox);
    const open = await req(s.conflicts.count());
    return {
      waiting: entries.filter((e) => e.state === 'queued').length,
      rejected: entries.filter((e) => e.state === 'rejected').length,
      conflicts: open,
    };
  });
}

// Settle a conflict from the server: queue the person's choice, naming the
// conflict so both phones see it settled after the next sync.
export async function resolveConflict(conflict, op, changes) {
  await saveLocal(conflict.kind, conflict.record_id, op, changes, [conflict.id]);
  return transaction(['conflicts'], 'readwrite', (s) => req(s.conflicts.delete(conflict.id)));
}

// Queue a rejected entry again under a new mutation id (the old result is final).
export async function retryEntry(entry) {
  await transaction(['outbox'], 'readwrite', (s) => req(s.outbox.delete(entry.seq)));
  await saveLocal(entry.kind, entry.id, entry.op, entry.changes, entry.resolves || []);
}
