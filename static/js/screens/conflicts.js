// "To check": conflicts with the other mentor's edits, and entries the
// server turned down. Nothing leaves this list without a person's choice.
import { afterSave } from '../app.js';
import { getMeta } from '../db.js';
import { conflicts, discardEntry, getRecord, outboxEntries, refreshView, resolveConflict, retryEntry } from '../store.js';
import { form, h, render } from '../ui.js';
import { FIELD_LABELS, KIND_LABELS } from './labels.js';

const show = (value) => {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'object') {
    if (value.deleted) return 'Deleted';
    return Object.entries(value).map(([k, v]) => `${FIELD_LABELS[k] || k}: ${show(v)}`).join('; ');
  }
  return String(value);
};

async function describe(kind, id) {
  const record = await getRecord(kind, id);
  const d = (record && record.data) || {};
  const name = d.title || d.scanning || d.details || (d.scheduled_start ? new Date(d.scheduled_start).toLocaleString('en-GB') : '');
  return `${KIND_LABELS[kind] || kind}${name ? `: ${name}` : ''}`;
}

async function done(message) {
  afterSave();
  await toCheckScreen(message);
}

// The server kept one version ("saved") and holds the other; either mentor
// may settle it, so words depend on who raised it.
function conflictCard(c, title, me) {
  const whose = c.raised_by === me ? 'Your version' : 'Your pair partner’s version';
  const deleteMetEdit = c.field === '_deleted';
  const raiserDeleted = deleteMetEdit && c.mine && c.mine.deleted;
  let heading;
  if (!deleteMetEdit) heading = `${FIELD_LABELS[c.field] || c.field}: changed on both phones`;
  else if (raiserDeleted) heading = `${c.raised_by === me ? 'You' : 'Your pair partner'} deleted this, but it had been changed`;
  else heading = `${c.raised_by === me ? 'You' : 'Your pair partner'} changed this, but it had been deleted`;
  const card = h('div', { class: 'card' },
    h('h2', {}, title), h('p', {}, h('strong', {}, heading)),
    h('dl', { class: 'summary' },
      h('div', {}, h('dt', {}, 'Saved version'), h('dd', {}, show(c.theirs))),
      h('div', {}, h('dt', {}, `${whose} (not saved)`), h('dd', {}, show(c.mine)))));
  const useOther = () => (deleteMetEdit
    ? resolveConflict(c, raiserDeleted ? 'delete' : 'update', raiserDeleted ? {} : c.mine)
    : resolveConflict(c, 'update', { [c.field]: c.mine }));
  const useSaved = () => resolveConflict(c, 'update', {});
  card.append(
    h('button', { type: 'button', class: 'button button--secondary', onclick: async () => { await useSaved(); done('The saved version stays.'); } },
      raiserDeleted ? 'Keep it' : deleteMetEdit ? 'Leave it deleted' : 'Use the saved version'),
    h('button', { type: 'button', class: 'button button--secondary', onclick: async () => { await useOther(); done(`${whose} will be saved.`); } },
      raiserDeleted ? 'Delete it' : deleteMetEdit ? 'Bring it back with these changes' : `Use ${whose.toLowerCase()}`));
  if (!deleteMetEdit && (typeof c.mine === 'string' || typeof c.theirs === 'string')) {
    card.append(h('details', {}, h('summary', {}, 'Write a new version'), form({
      fields: [{ name: 'value', label: `New ${(FIELD_LABELS[c.field] || c.field).toLowerCase()}`, type: 'textarea', required: true, requiredMessage: 'Write the new version' }],
      values: { value: typeof c.mine === 'string' ? c.mine : c.theirs },
      submitLabel: 'Save this version',
      onSubmit: async ({ value }) => { await resolveConflict(c, 'update', { [c.field]: value }); done('Your new version will be saved.'); },
    })));
  }
  return card;
}

function rejectedCard(entry, title) {
  const reasons = Object.entries(entry.errors || {}).map(([k, v]) => `${FIELD_LABELS[k] || k}: ${[].concat(v).join(' ')}`);
  return h('div', { class: 'card' },
    h('h2', {}, title),
    h('p', {}, h('strong', {}, 'The office system did not accept this entry.')),
    h('ul', {}, reasons.map((r) => h('li', {}, r))),
    h('p', {}, `What you entered: ${show(entry.op === 'delete' ? { deleted: true } : entry.changes)}`),
    h('button', { type: 'button', class: 'button button--secondary', onclick: async () => { await retryEntry(entry); done('It will be sent again.'); } }, 'Send it again'),
    h('button', { type: 'button', class: 'button button--warning', onclick: async () => {
      await discardEntry(entry.seq);
      await refreshView(entry.kind, entry.id);
      done('The entry was removed from this phone.');
    } }, 'Remove it'));
}

export async function toCheckScreen(message) {
  const [open, entries, user] = await Promise.all([conflicts(), outboxEntries(), getMeta('user')]);
  const rejected = entries.filter((e) => e.state === 'rejected');
  const cards = [];
  for (const c of open) cards.push(conflictCard(c, await describe(c.kind, c.record_id), user && user.id));
  for (const e of rejected) cards.push(rejectedCard(e, await describe(e.kind, e.id)));
  render('To check',
    typeof message === 'string' ? h('p', { class: 'card', role: 'status' }, message) : null,
    cards.length ? h('p', {}, 'Both mentors of a pair can change the same record. Where both phones changed the same thing, choose which to keep. Either of you can choose.') : h('p', {}, 'Nothing to check. Everything you entered has been accepted.'),
    ...cards);
}
