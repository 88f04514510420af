// GROW goals and their progress, SARA problem plans, safeguarding concerns.
import { afterSave } from '../app.js';
import { deleteLocal, getRecord, listRecords, needsChecking, recordState, saveLocal } from '../store.js';
import { UNSAVED_TOO, ask, dropUnsavedInput, form, formatDay, formatWhen, h, hasUnsavedInput, isoWithOffset, notify, render, svg } from '../ui.js';
import { CONCERN_CATEGORY, GOAL_STATUS, clientName, label, optionsFor } from './labels.js';
import { checkBanner, limited, undoAction, visitChoices, visitField, visitIdOf } from './common.js';

const KIND_WORDS = { goal: 'Goal', problem: 'Problem plan', progress: 'Progress entry' };

// Save a new record or the fields that changed, then go back with a word
// saying what happened.
async function saveRecord(kind, id, clientId, data, back) {
  let message = `${KIND_WORDS[kind]} saved.`;
  if (id) {
    const current = (await getRecord(kind, id)).data;
    const changes = {};
    for (const [k, v] of Object.entries(data)) if (v !== (current[k] ?? null)) changes[k] = v;
    if (Object.keys(changes).length) await saveLocal(kind, id, 'update', changes);
    else message = 'Nothing had changed, so there was nothing to save.';
  } else {
    await saveLocal(kind, crypto.randomUUID(), 'create', clientId ? { client_id: clientId, ...data } : data);
  }
  notify(message);
  location.hash = back;
  afterSave();
}

function notFound(what) {
  render(`${what} not found`, h('p', {}, `This ${what.toLowerCase()} is not on this phone. It may have been deleted, or its client moved to another pair.`),
    h('a', { href: '#/' }, 'Back to your visits'));
}

function deleteSection(what, detail, records, back) {
  const area = h('div');
  return [
    h('h2', {}, 'Made by mistake?'),
    h('button', { type: 'button', class: 'button button--secondary', onclick: () => ask(area, {
      question: `Delete this ${what.toLowerCase()}?`, detail: detail + (hasUnsavedInput() ? UNSAVED_TOO : ''), yes: `Delete ${what.toLowerCase()}`, no: 'Keep it',
      onYes: async () => {
        dropUnsavedInput();
        const group = await deleteLocal(records);
        notify(`${what} deleted.`, undoAction(group, what));
        location.hash = back;
        afterSave();
      },
    }) }, `Delete this ${what.toLowerCase()}`),
    area,
  ];
}

// --- goals and progress -------------------------------------------------------
// Oldest first by the instant recorded (times may carry different offsets).
export const byRecorded = (a, b) => (Date.parse(a.data.recorded_at) || 0) - (Date.parse(b.data.recorded_at) || 0);

// Scores over time as a small line chart; the same numbers are listed beside it.
function progressChart(entries) {
  const scored = entries.filter((p) => Number.isInteger(p.data.score));
  if (scored.length < 2) return null;
  const W = 300; const H = 130; const left = 24; const top = 8; const bottom = 20;
  const x = (i) => left + (i * (W - left - 8)) / (scored.length - 1);
  const y = (score) => top + ((10 - score) * (H - top - bottom)) / 10;
  const points = scored.map((p, i) => `${x(i).toFixed(1)},${y(p.data.score).toFixed(1)}`).join(' ');
  const first = scored[0].data; const last = scored[scored.length - 1].data;
  return svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `Scores from ${formatDay(first.recorded_at) || 'the first entry'} to ${formatDay(last.recorded_at) || 'the latest'}: ${scored.map((p) => p.data.score).join(', ')} out of 10` },
  ...[0, 5, 10].map((s) => [svg('line', { class: 'grid', x1: left, x2: W, y1: y(s), y2: y(s) }),
    svg('text', { x: 0, y: y(s) + 4 }, String(s))]),
  svg('polyline', { points }),
  ...scored.map((p, i) => svg('circle', { cx: x(i), cy: y(p.data.score), r: 4 })),
  svg('text', { x: left, y: H - 4 }, formatDay(first.recorded_at)),
  svg('text', { x: W, y: H - 4, 'text-anchor': 'end' }, formatDay(last.recorded_at)));
}

function progressHistory(entries) {
  if (!entries.length) return h('p', {}, 'No progress recorded yet.');
  return [
    progressChart(entries),
    h('table', { class: 'history' },
      h('caption', { class: 'visually-hidden' }, 'Progress entries, oldest first'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Score'), h('th', { scope: 'col' }, 'What changed'))),
      h('tbody', {}, entries.map((p) => h('tr', {},
        h('td', {}, formatDay(p.data.recorded_at) || 'Date not recorded'),
        h('td', {}, Number.isInteger(p.data.score) ? `${p.data.score} out of 10` : 'No score'),
        h('td', {}, p.data.note || 'No note', ' ', h('a', { href: `#/progress/${p.id}`, 'aria-label': `Change or delete the entry of ${formatDay(p.data.recorded_at) || 'unknown date'}` }, 'Change')))))),
  ];
}

export async function goalScreen(id, clientId) {
  const goal = id ? await getRecord('goal', id) : null;
  if (id && (!goal || goal.deleted)) { notFound('Goal'); return; }
  const forClient = goal ? goal.data.client_id : clientId;
  const client = await getRecord('client', forClient);
  const back = `#/client/${forClient}`;
  const goalForm = form({
    fields: limited('goal', [
      { name: 'title', label: 'Goal', type: 'text', required: true, requiredMessage: 'Enter the goal', hint: 'In the client’s words, however small' },
      { name: 'reality', label: 'Reality: where things are now', type: 'textarea' },
      { name: 'options', label: 'Options: what could help', type: 'textarea' },
      { name: 'will', label: 'Will: what they will do, and when', type: 'textarea' },
      { name: 'target_date', label: 'Target date (optional)', type: 'date', hint: 'For example, 31 March next year' },
      { name: 'status', label: 'Status', type: 'radios', options: GOAL_STATUS },
    ]),
    values: { status: 'active', ...(goal ? goal.data : {}) },
    submitLabel: 'Save goal',
    onSubmit: (data) => saveRecord('goal', id, goal ? null : clientId, data, back),
  });
  if (!goal) {
    render(`New goal for ${clientName(client)}`,
      h('p', { class: 'hint' }, 'GROW: the Goal, the Reality now, the Options, and what they Will do.'), goalForm);
    return;
  }
  const entries = (await listRecords('progress', (p) => p.data.goal_id === id)).sort(byRecorded);
  render(`Goal: ${goal.data.title}`,
    checkBanner(await needsChecking('goal', id), 'this goal'),
    h('p', { class: 'caption' }, `${clientName(client)} · ${label(GOAL_STATUS, goal.data.status)}`),
    h('h2', {}, 'Progress over time'),
    progressHistory(entries),
    goal.data.status === 'active' ? h('a', { class: 'button', href: `#/progress/new/${id}` }, 'Record progress') : null,
    h('h2', {}, 'The goal (GROW)'),
    goalForm,
    deleteSection('Goal', entries.length ? `Its ${entries.length === 1 ? 'progress entry is' : `${entries.length} progress entries are`} deleted with it, from both your phones and the office records.` : 'It is removed from both your phones and the office records.',
      [['goal', id], ...entries.map((p) => ['progress', p.id])], back),
    h('p', {}, h('a', { href: back }, `Back to ${clientName(client)}`)));
}

export async function progressScreen(goalId) {
  const goal = await getRecord('goal', goalId);
  if (!goal || goal.deleted) { notFound('Goal'); return; }
  const { options, preferred } = await visitChoices(goal.data.client_id);
  render(`Progress on “${goal.data.title}”`,
    preferred ? null : h('p', { class: 'hint' }, 'There is no visit today on this phone: choose the visit this was at, or “Not at a visit”.'),
    form({
      fields: limited('progress', [
        { name: 'score', label: 'How close are they to the goal? (0 = not started, 10 = achieved)', type: 'radios', scale: true, integer: true,
          options: Array.from({ length: 11 }, (_, n) => [String(n), String(n)]), required: true, requiredMessage: 'Choose a score from 0 to 10', min: 0, max: 10 },
        { name: 'note', label: 'What has changed?', type: 'textarea' },
        visitField(options),
      ]),
      values: { visit_id: preferred },
      submitLabel: 'Save progress',
      onSubmit: (data) => saveRecord('progress', null, null,
        { goal_id: goalId, ...data, visit_id: visitIdOf(data.visit_id), recorded_at: isoWithOffset(new Date(), true) }, `#/goal/${goalId}`),
    }));
}

export async function progressEntryScreen(id) {
  const entry = await getRecord('progress', id);
  if (!entry || entry.deleted) { notFound('Progress entry'); return; }
  const goal = await getRecord('goal', entry.data.goal_id);
  const back = `#/goal/${entry.data.goal_id}`;
  render(`Progress of ${formatDay(entry.data.recorded_at) || 'an unknown date'}`,
    goal ? h('p', { class: 'caption' }, `On “${goal.data.title}”`) : null,
    checkBanner(await needsChecking('progress', id), 'this entry'),
    form({
      fields: limited('progress', [
        { name: 'score', label: 'How close were they to the goal? (0 = not started, 10 = achieved)', type: 'radios', scale: true, integer: true,
          options: Array.from({ length: 11 }, (_, n) => [String(n), String(n)]), required: true, requiredMessage: 'Choose a score from 0 to 10', min: 0, max: 10 },
        { name: 'note', label: 'What had changed?', type: 'textarea' },
      ]),
      values: entry.data,
      submitLabel: 'Save progress',
      onSubmit: (data) => saveRecord('progress', id, null, data, back),
    }),
    deleteSection('Progress entry', 'It is removed from both your phones and the office records.', [['progress', id]], back),
    h('p', {}, h('a', { href: back }, 'Back to the goal')));
}

// --- problem plans (SARA) -----------------------------------------------------
export async function problemScreen(id, clientId) {
  const problem = id ? await getRecord('problem', id) : null;
  if (id && (!problem || problem.deleted)) { notFound('Problem plan'); return; }
  const forClient = problem ? problem.data.client_id : clientId;
  const back = `#/client/${forClient}`;
  render(problem ? 'Problem plan' : 'New problem plan',
    problem ? checkBanner(await needsChecking('problem', id), 'this problem plan') : null,
    h('p', { class: 'hint' }, 'SARA: Scanning, Analysis, Response, Assessment. Come back to it as things change.'),
    form({
      fields: limited('problem', [
        { name: 'scanning', label: 'Scanning: what is the problem?', type: 'textarea', required: true, requiredMessage: 'Describe the problem' },
        { name: 'analysis', label: 'Analysis: why does it happen?', type: 'textarea' },
        { name: 'response', label: 'Response: what will we do?', type: 'textarea' },
        { name: 'assessment', label: 'Assessment: did it work?', type: 'textarea' },
      ]),
      values: problem ? problem.data : {},
      submitLabel: 'Save problem plan',
      onSubmit: (data) => saveRecord('problem', id, problem ? null : clientId, data, back),
    }),
    problem ? deleteSection('Problem plan', 'It is removed from both your phones and the office records.', [['problem', id]], back) : null);
}

// --- safeguarding concerns ----------------------------------------------------
const CONCERN_STATE = {
  waiting: 'Waiting to send: it goes when the phone has signal',
  rejected: 'Not accepted by the office system: see To check',
  sent: 'Sent to the office',
  local: 'Waiting to send',
  seen: 'Seen by the office',  // a coordinator acknowledged it (acknowledged_at, from the server)
};

export async function concernList(clientId) {
  const concerns = await listRecords('concern', (c) => c.data.client_id === clientId);
  if (!concerns.length) return h('p', {}, 'None raised yet.');
  const states = await Promise.all(concerns.map((c) => recordState('concern', c.id)));
  return h('ul', { class: 'list' }, concerns.map((c, i) => h('li', {},
    h('p', {}, h('strong', {}, `${label(CONCERN_CATEGORY, c.data.category)}${c.data.urgency === 'urgent' ? ' (urgent)' : ''}`)),
    h('p', {}, c.data.details.length > 140 ? `${c.data.details.slice(0, 140)}…` : c.data.details),
    h('p', { class: 'caption' }, c.data.acknowledged_at
      ? `${CONCERN_STATE.seen} on ${formatWhen(c.data.acknowledged_at)}`
      : CONCERN_STATE[states[i]]))));
}

export async function concernScreen(clientId) {
  const client = await getRecord('client', clientId);
  const { options, preferred } = await visitChoices(clientId);
  render(`Safeguarding concern about ${clientName(client)}`,
    h('div', { class: 'warning' }, h('strong', {}, 'If someone is in immediate danger, call 999 now.')),
    h('p', {}, 'This is saved on your phone and goes to the coordinators’ safeguarding list when the phone has signal. An urgent one also sends an alert to the coordinators’ computers. If it cannot wait for signal, phone your coordinator.'),
    h('p', {}, 'You cannot change it once saved, so add anything new as another concern.'),
    form({
      fields: limited('concern', [
        { name: 'category', label: 'What kind of concern is it?', type: 'radios', options: CONCERN_CATEGORY, required: true, requiredMessage: 'Choose what kind of concern it is' },
        { name: 'details', label: 'What did you see or hear?', type: 'textarea', required: true, requiredMessage: 'Describe the concern', hint: 'Facts, in the person’s own words where you can.' },
        { name: 'urgency', label: 'How urgent is it?', type: 'radios', options: optionsFor('concern', 'urgency', { normal: 'The coordinator should look at it today', urgent: 'Urgent: the coordinator must act now' }) },
        visitField(options),
      ]),
      values: { urgency: 'normal', visit_id: preferred },
      submitLabel: 'Save concern',
      onSubmit: async (data) => {
        await saveLocal('concern', crypto.randomUUID(), 'create', { client_id: clientId, ...data, visit_id: visitIdOf(data.visit_id) });
        notify('Concern saved. The list below shows when it has been sent to the office.');
        location.hash = `#/client/${clientId}`;
        afterSave();
      },
    }),
    h('h2', {}, 'Concerns already raised'),
    await concernList(clientId));
}
