// Pieces several screens share: the "needs checking" banner, the partner's
// name, Undo after a delete, "which visit was this at?", the server's limits.
import { afterSave } from '../app.js';
import { limits } from '../contract.js';
import { getMeta } from '../db.js';
import { listRecords, undoDelete } from '../store.js';
import { formatWhen, h, plural, refreshScreen, sameDay } from '../ui.js';
import { VISIT_STATUS, label } from './labels.js';

// A kind's form fields with the server's limits (contract.js): the longest
// text, the lowest and highest number.
export const limited = (kind, fields) => fields.map((f) => {
  const l = limits(kind, f.name);
  return { ...f, maxLength: l.max_length ?? f.maxLength, min: l.min ?? f.min, max: l.max ?? f.max };
});

export function checkBanner(count, what) {
  if (!count) return null;
  return h('div', { class: 'warning' },
    h('p', {}, h('strong', {}, `${plural(count, 'thing')} about ${what} ${count === 1 ? 'needs' : 'need'} checking.`)),
    h('p', {}, 'Both phones changed it, or the office did not accept a change. '), h('a', { href: '#/conflicts' }, 'See what to check'));
}

// pair: { id, name, members: [{ id, name }] } from the last sync.
export async function partnerName(pair) {
  const me = await getMeta('user');
  if (!pair || !me) return null;
  const others = (pair.members || []).filter((m) => m.id !== me.id).map((m) => m.name);
  return others.length ? others.join(' and ') : null;
}

export function undoAction(group, what) {
  return {
    label: 'Undo',
    run: async () => {
      const undone = await undoDelete(group);
      afterSave();
      return undone ? `${what} restored.` : `${what} had already been sent to the office, so it cannot be undone here. Tell your coordinator if it was a mistake.`;
    },
    then: refreshScreen,
  };
}

// Progress and concerns can say which visit they came from. The choice is
// the person's: today's visit is offered first, never picked silently.
export async function visitChoices(clientId) {
  const now = new Date();
  const visits = (await listRecords('visit', (v) => v.data.client_id === clientId && v.data.status !== 'cancelled'))
    .sort((a, b) => new Date(b.data.scheduled_start) - new Date(a.data.scheduled_start));
  const today = visits.filter((v) => sameDay(new Date(v.data.scheduled_start), now) || (v.data.checked_in_at && sameDay(new Date(v.data.checked_in_at), now)));
  const earlier = visits.filter((v) => !today.includes(v) && new Date(v.data.scheduled_start) < now).slice(0, 4);
  const options = [...today, ...earlier].map((v) => [v.id,
    `${sameDay(new Date(v.data.scheduled_start), now) ? 'Today’s visit' : 'Visit'}, ${formatWhen(v.data.scheduled_start)} (${label(VISIT_STATUS, v.data.status).toLowerCase()})`]);
  options.push(['none', 'Not at a visit']);
  return { options, preferred: today.length ? today[0].id : null };
}

export const visitField = (options) => ({
  name: 'visit_id', label: 'Which visit was this at?', type: 'radios', options, required: true,
  requiredMessage: 'Choose the visit this was at, or “Not at a visit”',
});

export const visitIdOf = (value) => (value === 'none' ? null : value);
