// Local records and the outbox. Every local edit and its outbox entry are
// written in one IndexedDB transaction: there is never an edit without its
// entry, or an entry without its edit.
//
// A record: { id, rev, server, data, deleted }
//   server: the fields as the server last confirmed them (null if never synced)
//   data:   what the person sees: server + their queued edits
// An outbox entry: { seq, mutation_id, kind, id, op, base_rev, base, changes,
//   resolves, state: 'queued' | 'rejected', errors, created_at }
import { KINDS } from './contract.js';
import { get, getAll, getMeta, req, setMeta, transaction } from './db.js';

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

// Open conflicts, less those about a record this phone has deleted: its
// delete settles them on the server when sent, and Undo brings them back.
async function openConflicts(s) {
  const deleting = new Set((await getAll(s.outbox)).filter((e) => e.op === 'delete' && e.state === 'queued').map((e) => e.id));
  return (await getAll(s.conflicts)).filter((c) => !deleting.has(c.record_id));
}

export async function conflicts() {
  return transaction(['conflicts', 'outbox'], 'readonly', openConflicts);
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

// One page of a pull, applied in one transaction; true if it changed what
// a screen would show. The outbox is read once and
// the writes are issued together (the transaction runs them in order).
export async function applyPull(page) {
  return transaction(ALL, 'readwrite', async (s) => {
    const queuedFor = new Map();
    for (const entry of await getAll(s.outbox)) { // in seq order
      const key = `${entry.kind}/${entry.id}`;
      if (!queuedFor.has(key)) queuedFor.set(key, []);
      queuedFor.get(key).push(entry);
    }
    // A conflict this phone still showed, now settled elsewhere: tell the
    // person, with the record as it was (a delete may have settled it).
    const shown = new Set((await getAll(s.conflicts)).map((c) => c.id));
    const settled = ((await get(s.meta, 'settled')) || []);
    const me = (await get(s.meta, 'user')) || {};
    for (const done of page.settled || []) {
      // Settled by this person (a delete made here): nothing to tell them.
      if (!shown.has(done.id) || (me.id && done.resolved_by === me.id) || settled.some((n) => n.id === done.id) || !s[done.kind]) continue;
      const record = await get(s[done.kind], done.record_id);
      settled.push({ ...done, data: record ? record.data : {} });
    }
    s.meta.put(settled, 'settled');
    for (const change of page.changes) {
      if (!s[change.kind]) continue;
      const entries = queuedFor.get(`${change.kind}/${change.id}`) || [];
      s[change.kind].put(view(change.kind, change.id, change.rev, change.deleted ? null : change.data, entries));
    }
    for (const gone of page.removed) {
      if (s[gone.kind]) s[gone.kind].delete(gone.id);
    }
    const conflictsMoved = page.conflicts.length !== shown.size || page.conflicts.some((c) => !shown.has(c.id));
    s.conflicts.clear();
    for (const conflict of page.conflicts) s.conflicts.put(conflict);
    if (page.pair !== undefined) s.meta.put(page.pair, 'pair');
    if (page.mileage !== undefined) s.meta.put(page.mileage, 'mileage');
    s.meta.put(page.cursor, 'cursor');
    // Whether a screen showing records has anything new to draw.
    return page.changes.length > 0 || page.removed.length > 0 || conflictsMoved;
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

// What waits, counted as the person thinks of it: records, not the steps
// they took (a visit created, checked in, checked out and saved is 1 visit).
export async function counts() {
  return transaction(['outbox', 'conflicts', 'meta'], 'readonly', async (s) => {
    const entries = await getAll(s.outbox);
    const open = (await openConflicts(s)).length;
    const settled = (await get(s.meta, 'settled')) || [];
    const waitingByKind = {};
    const seen = new Set();
    for (const e of entries) {
      if (e.state !== 'queued' || seen.has(`${e.kind}/${e.id}`)) continue;
      seen.add(`${e.kind}/${e.id}`);
      waitingByKind[e.kind] = (waitingByKind[e.kind] || 0) + 1;
    }
    return {
      waiting: seen.size,
      waitingByKind,
      rejected: entries.filter((e) => e.state === 'rejected').length,
      conflicts: open,
      settled: settled.length,
    };
  });
}

// Where one record stands on this phone: 'waiting' (queued), 'rejected'
// (the server said no), 'sent' (the server has it), or 'local'.
export async function recordState(kind, id) {
  return transaction(['outbox', kind], 'readonly', async (s) => {
    const entries = await getAll(s.outbox.index('record'), [kind, id]);
    if (entries.some((e) => e.state === 'rejected')) return 'rejected';
    if (entries.length) return 'waiting';
    const record = await get(s[kind], id);
    return record && record.rev !== null ? 'sent' : 'local';
  });
}

// Open conflicts and rejected entries about some records (ids are UUIDs,
// unique across kinds), for the records' own screens.
export async function toCheckAbout(ids) {
  const [open, entries] = await Promise.all([conflicts(), outboxEntries()]);
  return open.filter((c) => ids.has(c.record_id)).length
    + entries.filter((e) => e.state === 'rejected' && ids.has(e.id)).length;
}

export const needsChecking = (kind, id) => toCheckAbout(new Set([id]));

// Delete records the person made by mistake (a record and what hangs off it),
// in one transaction. The deletes wait UNDO_MS before they are sent, so Undo
// works online too; until sent, undoDelete takes them back.
export const UNDO_MS = 10 * 1000;

export async function deleteLocal(records) {
  const group = crypto.randomUUID();
  const holdUntil = new Date(Date.now() + UNDO_MS).toISOString();
  const kinds = [...new Set(records.map(([kind]) => kind))];
  await transaction([...kinds, 'outbox', 'conflicts'], 'readwrite', async (s) => {
    const open = await getAll(s.conflicts);
    for (const [kind, id] of records) {
      const record = await get(s[kind], id);
      if (!record || record.deleted) continue;
      // The delete settles the record's conflicts (conflicts() hides them now).
      const resolves = open.filter((c) => c.kind === kind && c.record_id === id).map((c) => c.id);
      await req(s.outbox.add({
        mutation_id: crypto.randomUUID(), kind, id, op: 'delete', base_rev: record.rev, base: {}, changes: {},
        resolves, state: 'queued', errors: null, created_at: new Date().toISOString(), group, hold_until: holdUntil,
      }));
      await req(s[kind].put({ ...record, deleted: true }));
    }
  });
  return group;
}

// true: the deletes were taken back; false: they had already been sent.
export async function undoDelete(group) {
  const undo = async () => {
    const taken = await transaction(['outbox'], 'readwrite', async (s) => {
      const mine = (await getAll(s.outbox)).filter((e) => e.group === group && e.state === 'queued');
      for (const e of mine) s.outbox.delete(e.seq);
      return mine;
    });
    for (const e of taken) await refreshView(e.kind, e.id);
    return taken.length > 0;
  };
  // Never while a sync is sending them: wait for it, then see what is left.
  return navigator.locks ? navigator.locks.request('peer-mentors-sync', undo) : undo();
}

// Conflicts settled on another phone that this phone had shown: the person
// is told once, then they go.
export async function settledNotices() {
  return (await getMeta('settled')) || [];
}

export async function dismissSettled() {
  return setMeta('settled', []);
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
