// Wellbeing checks (SWEMWBS): the list and "due" line on a client's screen,
// and recording one. Loaded when first needed (routes.js, client.js).
// The raw and metric scores are the server's (app/outcomes/rules.py), shown
// once the check has synced. The statements (here) and answers (labels.js)
// are copies of rules.py that tests/wellbeing/test_field_app_words.py checks.
import { afterSave } from '../app.js';
import { getRecord, listRecords, recordState, saveLocal } from '../store.js';
import { form, h, isoWithOffset, notify, render } from '../ui.js';
import { clientName, optionsFor } from './labels.js';

export const ITEMS = [
  "I've been feeling optimistic about the future",
  "I've been feeling useful",
  "I've been feeling relaxed",
  "I've been dealing with problems well",
  "I've been thinking clearly",
  "I've been feeling close to other people",
  "I've been able to make up my own mind about things",
];
export const EVERY_MONTHS = 3;
const OCCASIONS = optionsFor('wellbeing', 'occasion');
const OCCASION = Object.fromEntries(OCCASIONS);

const today = () => isoWithOffset().slice(0, 10);
const pad = (n) => String(n).padStart(2, '0');
const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const day = (iso) => DAY.format(new Date(`${iso}T00:00:00Z`));

// rules.add_months and rules.swemwbs_next_due: the same day 3 months after
// the last check (the month's last day if it has fewer); none yet: due now.
export function addMonths(iso, months) {
  const [y, m, d] = iso.split('-').map(Number);
  const t = y * 12 + m - 1 + months;
  const year = Math.floor(t / 12); const month = t - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${year}-${pad(month + 1)}-${pad(Math.min(d, last))}`;
}
export const nextDue = (startedOn, lastOn) => (lastOn ? addMonths(lastOn, EVERY_MONTHS) : startedOn);

const byDay = (a, b) => a.data.recorded_on.localeCompare(b.data.recorded_on);

export async function wellbeingSection(clientId) {
  const checks = (await listRecords('wellbeing', (r) => r.data.client_id === clientId)).sort(byDay);
  const states = await Promise.all(checks.map((c) => recordState('wellbeing', c.id)));
  const last = checks.length ? checks[checks.length - 1].data.recorded_on : null;
  const due = nextDue(today(), last);
  return [
    h('p', { class: due <= today() ? 'warning' : 'caption', id: 'wellbeing-due' }, due <= today()
      ? h('strong', {}, last ? `A wellbeing check is due${due < today() ? ` (since ${day(due)})` : ''}.` : 'A wellbeing check is due: none recorded yet.')
      : `Next wellbeing check due on ${day(due)}.`),
    checks.length ? h('table', { class: 'history' },
      h('caption', { class: 'visually-hidden' }, 'Wellbeing checks, oldest first'),
      h('thead', {}, h('tr', {}, ['Date', 'Occasion', 'Scores'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, checks.map((c, i) => h('tr', {},
        h('td', {}, day(c.data.recorded_on)), h('td', {}, OCCASION[c.data.occasion] || c.data.occasion),
        h('td', {}, Number.isInteger(c.data.metric_hundredths)
          ? `Raw ${c.data.raw_score}, metric ${(c.data.metric_hundredths / 100).toFixed(2)}`
          : (states[i] === 'rejected' ? 'Not accepted: see To check' : 'Worked out when sent to the office'))))))
      : h('p', {}, 'No wellbeing checks yet.'),
    h('a', { class: 'button button--secondary', href: `#/wellbeing/new/${clientId}` }, 'Record a wellbeing check'),
  ];
}

export async function wellbeingScreen(clientId) {
  const client = await getRecord('client', clientId);
  const back = `#/client/${clientId}`;
  render(`Wellbeing check for ${clientName(client)}`,
    h('p', {}, 'Read each statement and ask how often they have felt like this over the last two weeks. All seven need an answer. You cannot change a check once saved.'),
    form({
      fields: [
        { name: 'recorded_on', label: 'The day it was taken', type: 'date', required: true, requiredMessage: 'Enter the day the check was taken' },
        { name: 'occasion', label: 'When in support is it?', type: 'radios', options: OCCASIONS, required: true, requiredMessage: 'Choose when in support the check was taken' },
        ...ITEMS.map((item, i) => ({ name: `q${i + 1}`, label: `${i + 1}. ${item}`, type: 'radios', integer: true, required: true,
          options: optionsFor('wellbeing', `q${i + 1}`), requiredMessage: `Question ${i + 1}: choose an answer` })),
      ],
      values: { recorded_on: today() },
      submitLabel: 'Save wellbeing check',
      onSubmit: async (data) => {
        if (data.recorded_on > today()) return { recorded_on: 'The day of the check cannot be in the future' };
        await saveLocal('wellbeing', crypto.randomUUID(), 'create', { client_id: clientId, ...data });
        notify('Wellbeing check saved. Its scores show once it has been sent to the office.');
        location.hash = back;
        afterSave();
        return null;
      },
    }),
    h('p', {}, h('a', { href: back }, `Back to ${clientName(client)}`)));
}
