import { afterSave } from '../app.js';
import { getRecord, saveLocal } from '../store.js';
import { form, formatWhen, h, isoWithOffset, render, summaryList } from '../ui.js';
import { VISIT_STATUS, clientName } from './labels.js';

const localInput = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

export async function newVisitScreen(clientId) {
  const client = await getRecord('client', clientId);
  render(`Plan a visit to ${clientName(client)}`, form({
    fields: [
      { name: 'scheduled_start', label: 'Date and time', type: 'datetime', required: true, requiredMessage: 'Enter the date and time of the visit' },
      { name: 'duration_minutes', label: 'Expected length in minutes', type: 'number', min: 0, max: 1440 },
      { name: 'location', label: 'Where', type: 'text', maxLength: 300, hint: 'For example: client’s home, the library café' },
    ],
    values: { duration_minutes: 60 },
    submitLabel: 'Save visit',
    onSubmit: async (data) => {
      const id = crypto.randomUUID();
      await saveLocal('visit', id, 'create', { client_id: clientId, status: 'planned', ...data });
      location.hash = `#/visit/${id}`;
      afterSave();
    },
  }));
}

export async function visitScreen(id) {
  const visit = await getRecord('visit', id);
  if (!visit || visit.deleted) {
    render('Visit not found', h('p', {}, 'This visit is not on this phone.'), h('a', { href: '#/' }, 'Back to your visits'));
    return;
  }
  const client = await getRecord('client', visit.data.client_id);
  const d = visit.data;
  const save = async (changes) => {
    await saveLocal('visit', id, 'update', changes);
    afterSave();
    visitScreen(id);
  };
  const checkButtons = [];
  if (!d.checked_in_at) {
    checkButtons.push(h('button', { type: 'button', class: 'button', onclick: () => save({ checked_in_at: isoWithOffset() }) }, 'Check in now'));
  } else if (!d.checked_out_at) {
    checkButtons.push(h('button', { type: 'button', class: 'button', onclick: () => {
      const minutes = Math.max(0, Math.round((Date.now() - new Date(d.checked_in_at).getTime()) / 60000));
      save({ checked_out_at: isoWithOffset(), duration_minutes: minutes, status: d.status === 'planned' ? 'completed' : d.status });
    } }, 'Check out now'));
  }
  render(`Visit to ${clientName(client)}`,
    summaryList([
      ['When', formatWhen(d.scheduled_start)],
      ['Where', d.location],
      ['Checked in', d.checked_in_at ? formatWhen(d.checked_in_at) : 'Not yet'],
      ['Checked out', d.checked_out_at ? formatWhen(d.checked_out_at) : 'Not yet'],
    ]),
    ...checkButtons,
    h('h2', {}, 'Record the visit'),
    form({
      fields: [
        { name: 'status', label: 'How did it go?', type: 'radios', options: VISIT_STATUS },
        { name: 'duration_minutes', label: 'Length in minutes', type: 'number', min: 0, max: 1440 },
        { name: 'notes', label: 'Notes', type: 'textarea', maxLength: 20000, hint: 'What you talked about and agreed. Keep to facts.' },
        { name: 'scheduled_start', label: 'Date and time', type: 'datetime', required: true, requiredMessage: 'Enter the date and time of the visit' },
        { name: 'location', label: 'Where', type: 'text', maxLength: 300 },
      ],
      values: { ...d, scheduled_start: localInput(d.scheduled_start) },
      submitLabel: 'Save',
      onSubmit: async (data) => {
        const changes = {};
        for (const [k, v] of Object.entries(data)) {
          if (k === 'scheduled_start' && localInput(v) === localInput(d.scheduled_start)) continue;
          if (v !== d[k]) changes[k] = v;
        }
        if (Object.keys(changes).length) await save(changes);
        else visitScreen(id);
      },
    }),
    h('p', {}, h('a', { href: `#/client/${visit.data.client_id}` }, `Back to ${clientName(client)}`)));
}
