// GROW goals, progress on a goal, SARA problem plans and safeguarding concerns.
import { afterSave } from '../app.js';
import { getRecord, listRecords, saveLocal } from '../store.js';
import { form, h, render } from '../ui.js';
import { CONCERN_CATEGORY, GOAL_STATUS, clientName } from './labels.js';

function changedFields(data, before) {
  const changes = {};
  for (const [k, v] of Object.entries(data)) if (v !== (before[k] ?? null)) changes[k] = v;
  return changes;
}

async function saveRecord(kind, id, clientId, data, before, back) {
  if (id) {
    const changes = changedFields(data, before);
    if (Object.keys(changes).length) await saveLocal(kind, id, 'update', changes);
  } else {
    await saveLocal(kind, crypto.randomUUID(), 'create', clientId ? { client_id: clientId, ...data } : data);
  }
  location.hash = back;
  afterSave();
}

export async function goalScreen(id, clientId) {
  const goal = id ? await getRecord('goal', id) : null;
  const forClient = goal ? goal.data.client_id : clientId;
  const client = await getRecord('client', forClient);
  const before = goal ? goal.data : {};
  render(goal ? 'Goal' : `New goal for ${clientName(client)}`,
    h('p', { class: 'hint' }, 'GROW: the Goal, the Reality now, the Options, and what they Will do.'),
    form({
      fields: [
        { name: 'title', label: 'Goal', type: 'text', required: true, requiredMessage: 'Enter the goal', maxLength: 300, hint: 'In the client’s words, however small' },
        { name: 'reality', label: 'Reality: where things are now', type: 'textarea', maxLength: 20000 },
        { name: 'options', label: 'Options: what could help', type: 'textarea', maxLength: 20000 },
        { name: 'will', label: 'Will: what they will do, and when', type: 'textarea', maxLength: 20000 },
        { name: 'target_date', label: 'Target date (optional)', type: 'date' },
        { name: 'status', label: 'Status', type: 'radios', options: GOAL_STATUS },
      ],
      values: { status: 'active', ...before },
      submitLabel: 'Save goal',
      onSubmit: (data) => saveRecord('goal', id, goal ? null : clientId, data, before, `#/client/${forClient}`),
    }));
}

export async function progressScreen(goalId) {
  const goal = await getRecord('goal', goalId);
  const visits = (await listRecords('visit', (v) => v.data.client_id === goal.data.client_id))
    .sort((a, b) => new Date(b.data.scheduled_start) - new Date(a.data.scheduled_start));
  const recent = visits.find((v) => new Date(v.data.scheduled_start) <= new Date());
  render(`Progress on “${goal.data.title}”`, form({
    fields: [
      { name: 'score', label: 'How close are they to the goal? (0 = not started, 10 = achieved)', type: 'radios', scale: true, integer: true,
        options: Array.from({ length: 11 }, (_, n) => [String(n), String(n)]), required: true, requiredMessage: 'Choose a score from 0 to 10', min: 0, max: 10 },
      { name: 'note', label: 'What has changed?', type: 'textarea', maxLength: 20000 },
    ],
    submitLabel: 'Save progress',
    onSubmit: (data) => saveRecord('progress', null, null,
      { goal_id: goalId, visit_id: recent ? recent.id : null, ...data }, {}, `#/client/${goal.data.client_id}`),
  }));
}

export async function problemScreen(id, clientId) {
  const problem = id ? await getRecord('problem', id) : null;
  const forClient = problem ? problem.data.client_id : clientId;
  const before = problem ? problem.data : {};
  render(problem ? 'Problem plan' : 'New problem plan',
    h('p', { class: 'hint' }, 'SARA: Scanning, Analysis, Response, Assessment. Come back to it as things change.'),
    form({
      fields: [
        { name: 'scanning', label: 'Scanning: what is the problem?', type: 'textarea', required: true, requiredMessage: 'Describe the problem', maxLength: 20000 },
        { name: 'analysis', label: 'Analysis: why does it happen?', type: 'textarea', maxLength: 20000 },
        { name: 'response', label: 'Response: what will we do?', type: 'textarea', maxLength: 20000 },
        { name: 'assessment', label: 'Assessment: did it work?', type: 'textarea', maxLength: 20000 },
      ],
      values: before,
      submitLabel: 'Save problem plan',
      onSubmit: (data) => saveRecord('problem', id, problem ? null : clientId, data, before, `#/client/${forClient}`),
    }));
}

export async function concernScreen(clientId) {
  const client = await getRecord('client', clientId);
  const visits = (await listRecords('visit', (v) => v.data.client_id === clientId))
    .sort((a, b) => new Date(b.data.scheduled_start) - new Date(a.data.scheduled_start));
  const recent = visits.find((v) => new Date(v.data.scheduled_start) <= new Date());
  render(`Safeguarding concern about ${clientName(client)}`,
    h('div', { class: 'warning' }, h('strong', {}, 'If someone is in immediate danger, call 999 now.')),
    h('p', {}, 'Your coordinator sees this as soon as the phone has signal. You cannot change it once sent, so add anything new as another concern.'),
    form({
      fields: [
        { name: 'category', label: 'What kind of concern is it?', type: 'radios', options: CONCERN_CATEGORY, required: true, requiredMessage: 'Choose what kind of concern it is' },
        { name: 'details', label: 'What did you see or hear?', type: 'textarea', required: true, requiredMessage: 'Describe the concern', maxLength: 20000, hint: 'Facts, in the person’s own words where you can.' },
        { name: 'urgency', label: 'How urgent is it?', type: 'radios', options: [['normal', 'The coordinator should look at it today'], ['urgent', 'Urgent: the coordinator must act now']] },
      ],
      values: { urgency: 'normal' },
      submitLabel: 'Send concern',
      onSubmit: async (data) => {
        await saveLocal('concern', crypto.randomUUID(), 'create', { client_id: clientId, visit_id: recent ? recent.id : null, ...data });
        afterSave();
        render('Concern saved', h('p', {}, 'It will reach your coordinator as soon as the phone has signal. The bar at the top shows when it has gone.'),
          h('a', { href: `#/client/${clientId}` }, `Back to ${clientName(client)}`));
      },
    }));
}
