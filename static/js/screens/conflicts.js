// "To check": conflicts with the other mentor's edits, entries the server
// turned down, and conflicts settled on the other phone. Nothing leaves this
// list without a person's choice.
import { afterSave } from '../app.js';
import { DELETED_FIELD, choices, maxLength } from '../contract.js';
import { getMeta } from '../db.js';
import { conflicts, discardEntry, dismissSettled, getRecord, outboxEntries, refreshView, resolveConflict, retryEntry, settledNotices } from '../store.js';
import { form, formatDay, formatTime, formatWhen, h, hasUnsavedInput, notify, render, sameDay } from '../ui.js';
import { FIELD_LABELS, clientName, label, optionsFor } from './labels.js';

const DATE_TIMES = new Set(['scheduled_start', 'checked_in_at', 'checked_out_at', 'recorded_at']);

// A value of a kind's field as a person would write it.
function show(value, field, kind) {
  if (value === null || value === undefined || value === '') return 'Empty';
  if (typeof value === 'object') {
    if (value.deleted) return 'Deleted';
    return Object.entries(value).filter(([k]) => !k.endsWith('_id'))
      .map(([k, v]) => `${FIELD_LABELS[k] || k}: ${show(v, k, kind)}`).join('; ');
  }
  if (DATE_TIMES.has(field)) return formatWhen(value) || String(value);
  if (Number.isInteger(value) && field && field.endsWith('_pence')) return `£${Math.floor(value / 100).toLocaleString('en-GB')}.${String(value % 100).padStart(2, '0')}`;
  if (Number.isInteger(value) && field === 'miles_tenths') return `${Math.floor(value / 10).toLocaleString('en-GB')}.${value % 10} miles`;
  if (choices(kind, field).length) return label(optionsFor(kind, field), value);
  return String(value);
}

const when = (iso) => (sameDay(new Date(iso), new Date()) ? formatTime(iso) : formatWhen(iso));

// "Visit to Margaret Hill, Tue 1 Dec, 10:30": which record, in the app's words.
async function describe(kind, id, asItWas = {}) {
  const record = await getRecord(kind, id);
  const d = record && !record.deleted ? record.data : asItWas;
  let goal = null;
  if (kind === 'progress' && d.goal_id) goal = await getRecord('goal', d.goal_id);
  const clientId = d.client_id || (goal && goal.data.client_id);
  const client = clientId ? clientName(await getRecord('client', clientId)) : 'a client';
  switch (kind) {
    case 'visit': return `Visit to ${client}${d.scheduled_start ? `, ${formatWhen(d.scheduled_start)}` : ''}`;
    case 'goal': return `Goal for ${client}${d.title ? `: ${d.title}` : ''}`;
    case 'progress': return `Progress on ${goal ? `“${goal.data.title}”` : 'a goal'} (${client})`;
    case 'problem': return `Problem plan for ${client}`;
    case 'concern': return `Safeguarding concern about ${client}`;
    case 'expense_claim': return `Expense claim${d.title ? `: ${d.title}` : ''}`;
    case 'expense_item': return `${d.item_type === 'journey' ? `Journey${d.from_place ? ` from ${d.from_place} to ${d.to_place}` : ''}` : 'Cost'}${d.spent_on ? ` on ${formatDay(`${d.spent_on}T12:00`)}` : ''}`;
    default: return `A record about ${client}`;
  }
}

// After a choice: redraw the list with the message on top, unless another
// card holds typing (a new version being written), which a redraw would
// lose; then only this card gives way to the message.
async function done(message, card) {
  afterSave();
  if (card && hasUnsavedInput()) {
    card.replaceWith(h('div', { class: 'notice', role: 'status' }, h('p', {}, message)));
    return;
  }
  notify(message);
  await toCheckScreen();
}

// The server kept one version ("saved") and holds the other; either mentor
// may settle it, so words depend on who raised it.
function conflictCard(c, title, me) {
  const raisedByMe = c.raised_by === me;
  const who = raisedByMe ? 'Your' : `${c.raised_by_name || 'Your pair partner'}’s`;
  const whose = `${who} version, ${when(c.created_at)}`;
  const deleteMetEdit = c.field === DELETED_FIELD;
  const raiserDeleted = deleteMetEdit && c.mine && c.mine.deleted;
  const subject = raisedByMe ? 'You' : (c.raised_by_name || 'Your pair partner');
  let heading;
  if (!deleteMetEdit) heading = `${FIELD_LABELS[c.field] || c.field}: changed on both phones`;
  else if (raiserDeleted) heading = `${subject} deleted this, but it had been changed`;
  else heading = `${subject} changed this, but it had been deleted`;
  const card = h('div', { class: 'card' },
    h('h2', {}, title), h('p', {}, h('strong', {}, heading)),
    h('dl', { class: 'summary' },
      // The phone is not told who saved the kept version (the pull names
      // only who raised the conflict), so it says what it knows.
      h('div', {}, h('dt', {}, 'Saved version (it reached the office first)'), h('dd', {}, show(c.theirs, c.field, c.kind))),
      h('div', {}, h('dt', {}, `${whose} (not saved)`), h('dd', {}, show(c.mine, c.field, c.kind)))));
  const useOther = () => (deleteMetEdit
    ? resolveConflict(c, raiserDeleted ? 'delete' : 'update', raiserDeleted ? {} : c.mine)
    : resolveConflict(c, 'update', { [c.field]: c.mine }));
  const useSaved = () => resolveConflict(c, 'update', {});
  card.append(
    h('button', { type: 'button', class: 'button button--secondary', onclick: async () => { await useSaved(); done(`${title}: the saved version stays.`, card); } },
      raiserDeleted ? 'Keep it' : deleteMetEdit ? 'Leave it deleted' : 'Use the saved version'),
    h('button', { type: 'button', class: 'button button--secondary', onclick: async () => { await useOther(); done(`${title}: ${who.toLowerCase() === 'your' ? 'your' : who} version will be saved.`, card); } },
      raiserDeleted ? 'Delete it' : deleteMetEdit ? 'Bring it back with these changes' : `Use ${raisedByMe ? 'your' : who} version`));
  if (!deleteMetEdit && (typeof c.mine === 'string' || typeof c.theirs === 'string') && !DATE_TIMES.has(c.field) && !choices(c.kind, c.field).length) {
    card.append(h('details', {}, h('summary', {}, 'Write a new version'), form({
      fields: [{ name: 'value', label: `New ${(FIELD_LABELS[c.field] || c.field).toLowerCase()}`, type: 'textarea', required: true, requiredMessage: 'Write the new version', maxLength: maxLength(c.kind, c.field) }],
      values: { value: typeof c.mine === 'string' ? c.mine : c.theirs },
      submitLabel: 'Save this version',
      onSubmit: async ({ value }) => { await resolveConflict(c, 'update', { [c.field]: value }); await done(`${title}: your new version will be saved.`, card); return null; },
    })));
  }
  return card;
}

function rejectedCard(entry, title) {
  const reasons = Object.entries(entry.errors || {}).map(([k, v]) => `${FIELD_LABELS[k] || k}: ${[].concat(v).join(' ')}`);
  const card = h('div', { class: 'card' },
    h('h2', {}, title),
    h('p', {}, h('strong', {}, 'The office system did not accept this entry.')),
    h('ul', {}, reasons.map((r) => h('li', {}, r))),
    h('p', {}, `What you entered: ${entry.op === 'delete' ? 'Delete it' : show(entry.changes, null, entry.kind)}`));
  card.append(
    h('button', { type: 'button', class: 'button button--secondary', onclick: async () => { await retryEntry(entry); done(`${title}: it will be sent again.`, card); } }, 'Send it again'),
    h('button', { type: 'button', class: 'button button--warning', onclick: async () => {
      await discardEntry(entry.seq);
      await refreshView(entry.kind, entry.id);
      done(`${title}: the entry was removed from this phone.`, card);
    } }, 'Remove it'));
  return card;
}

async function settledCard(notices) {
  const items = [];
  for (const n of notices) {
    const who = n.resolved_by_name || 'Your pair partner';
    const record = await getRecord(n.kind, n.record_id);
    // Settled by a delete: the record is gone, so no version was chosen.
    const how = record && !record.deleted ? `${who} chose which version to keep` : `${who} deleted it, so there is nothing to choose`;
    items.push(h('li', {}, `${await describe(n.kind, n.record_id, n.data)}, ${FIELD_LABELS[n.field] || n.field}: ${how} (${when(n.resolved_at)}).`));
  }
  const card = h('div', { class: 'card' }, h('h2', {}, 'Settled on the other phone'), h('ul', {}, items));
  card.append(h('button', { type: 'button', class: 'button button--secondary', onclick: async () => { await dismissSettled(); done('Cleared from this list.', card); } }, 'OK, clear these'));
  return card;
}

export async function toCheckScreen() {
  const [open, entries, user, settled] = await Promise.all([conflicts(), outboxEntries(), getMeta('user'), settledNotices()]);
  const rejected = entries.filter((e) => e.state === 'rejected');
  const cards = [];
  for (const c of open) cards.push(conflictCard(c, await describe(c.kind, c.record_id), user && user.id));
  for (const e of rejected) cards.push(rejectedCard(e, await describe(e.kind, e.id)));
  render('To check',
    cards.length ? h('p', {}, 'Both mentors of a pair can change the same record. Where both phones changed the same thing, choose which to keep. Either of you can choose.') : h('p', {}, 'Nothing to check.'),
    ...cards,
    settled.length ? await settledCard(settled) : null);
}
