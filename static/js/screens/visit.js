// Planning a visit, and recording it: check in, check out, notes.
import { afterSave } from '../app.js';
import { getMeta } from '../db.js';
import { deleteLocal, getRecord, needsChecking, saveLocal } from '../store.js';
import { UNSAVED_TOO, ask, dropUnsavedInput, form, formatDay, formatWhen, freshScreen, h, hasUnsavedInput, isoWithOffset, localInput, notify, plural, render, sameDay, summaryList } from '../ui.js';
import { VISIT_STATUS, clientName, label } from './labels.js';
import { checkBanner, limited, partnerName, undoAction } from './common.js';

const minutes = (n) => (n === null || n === undefined ? null : plural(n, 'minute'));

export async function newVisitScreen(clientId) {
  const client = await getRecord('client', clientId);
  render(`Plan a visit to ${clientName(client)}`, form({
    fields: limited('visit', [
      { name: 'scheduled_start', label: 'Date and time', type: 'datetime', required: true, requiredMessage: 'Enter the date and time of the visit' },
      { name: 'duration_minutes', label: 'Planned length in minutes', type: 'number' },
      { name: 'location', label: 'Where', type: 'text', hint: 'For example: client’s home, the library café' },
    ]),
    values: { duration_minutes: 60 },
    submitLabel: 'Save visit',
    onSubmit: async (data) => {
      const id = crypto.randomUUID();
      await saveLocal('visit', id, 'create', { client_id: clientId, status: 'planned', ...data });
      notify('Visit planned.');
      location.hash = `#/visit/${id}`;
      afterSave();
    },
  }));
}

// The form's questions, in the order a mentor fills them in after a visit.
const RECORD_FIELDS = limited('visit', [
  { name: 'status', label: 'How did it go?', type: 'radios', options: VISIT_STATUS },
  { name: 'actual_minutes', label: 'Actual length in minutes', type: 'number', hint: 'Filled in at check-out. Change it if you forgot to check in or out.' },
  { name: 'notes', label: 'Notes', type: 'textarea', hint: 'What you talked about and agreed. Keep to facts.' },
  { name: 'scheduled_start', label: 'Planned date and time', type: 'datetime', required: true, requiredMessage: 'Enter the date and time of the visit' },
  { name: 'duration_minutes', label: 'Planned length in minutes', type: 'number' },
  { name: 'location', label: 'Where', type: 'text' },
]);

export async function visitScreen(id) {
  const visit = await getRecord('visit', id);
  if (!visit || visit.deleted) {
    render('Visit not found', h('p', {}, 'This visit is not on this phone. It may have been deleted, or its client moved to another pair.'),
      h('a', { href: '#/' }, 'Back to your visits'));
    return;
  }
  const clientId = visit.data.client_id;
  const [client, toCheck, partner] = await Promise.all([getRecord('client', clientId), needsChecking('visit', id), getMeta('pair').then(partnerName)]);
  const summary = h('div');
  const checkArea = h('div');
  const said = h('p', { role: 'status', class: 'caption' });

  const recordForm = form({
    fields: RECORD_FIELDS,
    values: { ...visit.data, scheduled_start: localInput(visit.data.scheduled_start) },
    submitLabel: 'Save visit record',
    onSubmit: async (data) => {
      const current = (await getRecord('visit', id)).data;
      const changes = {};
      for (const [k, v] of Object.entries(data)) {
        if (k === 'scheduled_start' && localInput(v) === localInput(current.scheduled_start)) continue;
        if (v !== (current[k] ?? null)) changes[k] = v;
      }
      if (Object.keys(changes).length) await saveLocal('visit', id, 'update', changes);
      notify(Object.keys(changes).length ? 'Visit record saved.' : 'Nothing had changed, so there was nothing to save.');
      freshScreen();
      await visitScreen(id);
      afterSave();
      return null;
    },
  });

  // Check in and out change the record but leave the form as it is: what the
  // person has typed stays, and fields they have not touched follow along.
  const act = async (changes, message) => {
    await saveLocal('visit', id, 'update', changes);
    recordForm.setValues(changes);
    await draw();
    said.textContent = message;
    afterSave();
  };
  const checkIn = () => act({ checked_in_at: isoWithOffset() }, `Checked in at ${formatWhen(new Date().toISOString())}.`);
  const checkOut = (d) => {
    const now = new Date();
    const actual = Math.max(0, Math.round((now.getTime() - new Date(d.checked_in_at).getTime()) / 60000));
    const changes = { checked_out_at: isoWithOffset(now), actual_minutes: actual };
    if (d.status === 'planned') changes.status = 'completed';
    return act(changes, `Checked out at ${formatWhen(now.toISOString())}. The visit lasted ${plural(actual, 'minute')}.`);
  };

  async function draw() {
    const d = (await getRecord('visit', id)).data;
    summary.replaceChildren(summaryList([
      ['When', formatWhen(d.scheduled_start)],
      ['Where', d.location],
      ['With', partner, 'Your pair partner’s name appears after the next sync'],
      ['Status', label(VISIT_STATUS, d.status)],
      ['Planned length', minutes(d.duration_minutes)],
      ['Actual length', minutes(d.actual_minutes), 'Not recorded yet'],
      ['Checked in', formatWhen(d.checked_in_at), 'Not yet'],
      ['Checked out', formatWhen(d.checked_out_at), 'Not yet'],
    ]));
    const buttons = [];
    if (!d.checked_in_at) {
      buttons.push(h('button', { type: 'button', class: 'button', onclick: () => {
        const planned = new Date(d.scheduled_start);
        if (sameDay(planned, new Date())) { checkIn(); return; }
        // Checking in on another day's visit is usually the wrong visit.
        ask(checkArea, {
          question: `This visit is planned for ${formatDay(d.scheduled_start)}, not today.`,
          detail: 'Check in only if you are with the client now. Otherwise go back and choose today’s visit.',
          yes: 'Check in now anyway', no: 'Do not check in', danger: false, onYes: checkIn,
        });
      } }, 'Check in now'));
    } else if (!d.checked_out_at) {
      buttons.push(h('button', { type: 'button', class: 'button', onclick: () => checkOut(d) }, 'Check out now'));
    }
    checkArea.replaceChildren(...buttons);
  }
  await draw();

  const deleteArea = h('div');
  render(`Visit to ${clientName(client)}`,
    checkBanner(toCheck, 'this visit'),
    summary, checkArea, said,
    h('h2', {}, 'Record the visit'),
    recordForm,
    h('h2', {}, 'Recorded by mistake?'),
    h('p', {}, 'Delete a visit recorded on the wrong client or twice. You can undo it for a short while.'),
    // Typing not saved is asked about here, once, before anything is deleted.
    h('button', { type: 'button', class: 'button button--secondary', onclick: () => ask(deleteArea, {
      question: 'Delete this visit?',
      detail: `It is removed from both your phones and from the office records.${hasUnsavedInput() ? UNSAVED_TOO : ''}`,
      yes: 'Delete visit', no: 'Keep it',
      onYes: async () => {
        dropUnsavedInput();
        const group = await deleteLocal([['visit', id]]);
        notify('Visit deleted.', undoAction(group, 'Visit'));
        location.hash = `#/client/${clientId}`;
        afterSave();
      },
    }) }, 'Delete this visit'),
    deleteArea,
    h('p', {}, h('a', { href: `#/client/${clientId}` }, `Back to ${clientName(client)}`)));
}
