// DOM helpers. Text always goes in as text (never innerHTML), so nothing a
// person typed can run as code.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  return append(el, children);
}

// Only text and nodes go on screen: a value that would read "null",
// "undefined", "NaN" or "[object Object]" is a bug, so it is left out and
// reported in the console instead of shown to a person.
function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    if (child instanceof Node) el.append(child);
    else if (typeof child === 'string' || (typeof child === 'number' && Number.isFinite(child))) el.append(String(child));
    else console.error('not shown: a value that is not text', child);
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== null && value !== undefined) el.setAttribute(name, value);
  return append(el, children);
}

// --- screens ----------------------------------------------------------------
// A screen is new when its address or title changes; a refresh after a sync
// is not. A new screen opens at the top with focus on its heading, so the
// title, the first buttons and the sync bar are what a person meets.
let shownAt = null;
let pendingNotice = null;
let shownNotice = null;

// A message for the next screen (or this one, shown again): "Visit saved."
// action: { label, run, then } for a button such as Undo: run() returns what
// to say instead, then() runs after it is said.
export function notify(message, action = null) {
  pendingNotice = { message, action };
}

// Draw the current screen again (after Undo brought something back); the
// router says how (onRefresh), so screens need not import it. What is typed
// and not saved is put back into the fields of the new drawing.
let redraw = () => null;
export const onRefresh = (fn) => { redraw = fn; };
export async function refreshScreen() {
  const typed = [...document.querySelectorAll('#main form')].filter((f) => f.isDirty && f.isDirty())
    .flatMap((f) => [...f.elements].filter((e) => e.id && e.name).map((e) => [e.id, e.value, e.checked]));
  await redraw();
  for (const [id, value, checked] of typed) {
    const e = document.getElementById(id);
    if (!e) continue;
    if (e.type === 'radio' || e.type === 'checkbox') e.checked = checked;
    else e.value = value;
  }
}

// The next render opens at the top even if the address stays the same.
export function freshScreen() {
  shownAt = null;
}

function noticeBox(notice) {
  const box = h('div', { class: 'notice', role: 'status' }, h('p', {}, notice.message));
  if (notice.action) {
    box.append(h('button', { type: 'button', class: 'button button--secondary', onclick: async () => {
      const result = await notice.action.run();
      shownNotice = { message: result };
      box.replaceChildren(h('p', {}, result));
      if (notice.action.then) await notice.action.then(); // e.g. redraw with what Undo brought back
    } }, notice.action.label));
  }
  return box;
}

export function render(title, ...children) {
  const main = document.getElementById('main');
  const where = `${location.hash}|${title}`;
  const isNew = where !== shownAt;
  shownAt = where;
  if (pendingNotice) { shownNotice = pendingNotice; pendingNotice = null; } else if (isNew) shownNotice = null;
  const heading = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren();
  append(main, [heading, shownNotice ? noticeBox(shownNotice) : null, ...children]);
  document.title = `${title} – Peer Mentors`;
  if (isNew) {
    window.scrollTo(0, 0);
    heading.focus({ preventScroll: true });
  }
}

export function summaryList(rows) {
  return h('dl', { class: 'summary' }, rows.filter((row) => row[2] !== 'omit-if-empty' || !isEmpty(row[1]))
    .map(([k, v, empty]) => h('div', {}, h('dt', {}, k), h('dd', {}, isEmpty(v) ? (empty && empty !== 'omit-if-empty' ? empty : 'None recorded') : v))));
}

const isEmpty = (v) => v === null || v === undefined || v === '' || (typeof v === 'number' && !Number.isFinite(v));

// Count words: plural(1, 'entry', 'entries') -> "1 entry".
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// When: "Tue 1 Dec, 10:30" in the phone's own time zone.
const WHEN = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

const valid = (iso) => iso && !Number.isNaN(new Date(iso).getTime());
export function formatWhen(iso) {
  return valid(iso) ? WHEN.format(new Date(iso)) : '';
}
export function formatDay(iso) {
  return valid(iso) ? DAY.format(new Date(iso)) : '';
}
export function formatTime(iso) {
  return valid(iso) ? TIME.format(new Date(iso)) : '';
}

export function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}
// "2026-12-01T10:30:00+00:00": the local time with its offset, as the server
// wants. precise: with milliseconds, for entries put in order by their time.
export function isoWithOffset(date = new Date(), precise = false) {
  const pad = (n) => String(Math.abs(n)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${precise ? `.${String(date.getMilliseconds()).padStart(3, '0')}` : ''}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

// "2026-12-01T10:30" for a datetime-local input, in the phone's time zone.
export function localInput(iso) {
  if (!valid(iso)) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// --- unsaved input ----------------------------------------------------------
// Every form knows whether it holds something typed but not saved; leaving
// the screen then asks first (see routes.js), and a sync does not redraw it.
export function hasUnsavedInput() {
  return [...document.querySelectorAll('#main form')].some((f) => f.isDirty && f.isDirty());
}

// Deleting the record a screen is about: its unsaved typing goes too, and
// the question before the delete says so (UNSAVED_TOO), so leaving asks no more.
export const UNSAVED_TOO = ' What you typed on this screen and did not save is deleted with it.';
export function dropUnsavedInput() {
  for (const f of document.querySelectorAll('#main form')) if (f.markSaved) f.markSaved();
}

// A form from a list of questions, with GOV.UK-style errors.
// field: { name, label, type: text|textarea|select|radios|date|datetime|number, hint, options: [[value, label]],
//          required, max, min, maxLength }
export function form({ fields, values = {}, submitLabel, onSubmit, extra = [] }) {
  const errors = h('div');
  const groups = {};
  const el = h('form', { novalidate: true });
  el.append(errors);
  for (const f of fields) {
    const id = `f-${f.name}`;
    const value = values[f.name] ?? '';
    let input;
    if (f.type === 'textarea') input = h('textarea', { id, name: f.name, rows: 5 }, String(value));
    else if (f.type === 'select') {
      input = h('select', { id, name: f.name }, f.options.map(([v, label]) => h('option', { value: v, selected: String(value) === String(v) }, label)));
    } else if (f.type === 'radios') {
      input = h('div', { class: f.scale ? 'scale' : '' }, f.options.map(([v, label], i) => h('div', { class: 'choice' },
        h('input', { type: 'radio', id: i === 0 ? id : `${id}-${i}`, name: f.name, value: v, checked: String(value) === String(v) }),
        h('label', { for: i === 0 ? id : `${id}-${i}` }, label))));
    } else {
      const type = { date: 'date', datetime: 'datetime-local', time: 'time', number: 'text', password: 'password', email: 'email' }[f.type] || 'text';
      input = h('input', { id, name: f.name, type, value: String(value), inputmode: f.type === 'number' ? 'numeric' : null, autocomplete: f.autocomplete || 'off', spellcheck: f.type === 'email' || f.type === 'password' ? 'false' : null });
    }
    const hint = f.hint ? h('p', { class: 'hint', id: `${id}-hint` }, f.hint) : null;
    const message = h('p', { class: 'error-message', id: `${id}-error`, hidden: true });
    const label = f.type === 'radios' ? h('legend', {}, f.label) : h('label', { for: id }, f.label);
    const group = f.type === 'radios'
      ? h('fieldset', { class: 'form-group', 'aria-describedby': hint ? `${id}-hint` : null }, label, hint, message, input)
      : h('div', { class: 'form-group' }, label, hint, message, input);
    if (hint && f.type !== 'radios') input.setAttribute('aria-describedby', `${id}-hint`);
    groups[f.name] = { group, message, input, id, field: f };
    el.append(group);
  }
  const submit = h('button', { type: 'submit', class: 'button' }, submitLabel);
  el.append(...extra, h('div', { class: 'actions' }, submit));

  // What the fields hold, as typed (for "has anything changed?").
  const raw = () => JSON.stringify(fields.map((f) => new FormData(el).get(f.name)));
  let saved = raw();
  let busy = false;
  el.isDirty = () => !busy && raw() !== saved;
  el.markSaved = () => { saved = raw(); };

  // Put new values into the fields the person has not touched (after an
  // action such as check-out changed the record under the form).
  el.setValues = (next) => {
    const base = JSON.parse(saved);
    fields.forEach((f, i) => {
      if (!(f.name in next)) return;
      if (new FormData(el).get(f.name) !== base[i]) return; // typed by the person: theirs wins
      const value = next[f.name] ?? '';
      if (f.type === 'radios') {
        for (const radio of el.querySelectorAll(`input[name="${f.name}"]`)) radio.checked = radio.value === String(value);
      } else groups[f.name].input.value = f.type === 'datetime' ? localInput(value) : String(value);
      base[i] = new FormData(el).get(f.name);
    });
    saved = JSON.stringify(base);
  };

  el.read = () => {
    const data = new FormData(el);
    const out = {};
    for (const f of fields) {
      let v = data.get(f.name);
      v = v === null ? '' : String(v).trim();
      if (v === '') out[f.name] = null;
      else if (f.type === 'number' || f.integer) out[f.name] = /^-?\d+$/.test(v) ? Number(v) : v;
      else if (f.type === 'datetime') out[f.name] = Number.isNaN(new Date(v).getTime()) ? v : isoWithOffset(new Date(v));
      else out[f.name] = v;
    }
    return out;
  };

  el.check = (data) => {
    const problems = {};
    for (const f of fields) {
      const v = data[f.name];
      if (f.required && v === null) problems[f.name] = f.requiredMessage || `Enter ${f.label.toLowerCase()}`;
      else if (v !== null && (f.type === 'number' || f.integer) && typeof v !== 'number') problems[f.name] = `${f.label} must be a whole number, like 45`;
      else if (v !== null && typeof v === 'number' && ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max))) problems[f.name] = `${f.label} must be between ${f.min} and ${f.max}`;
      else if (v !== null && f.maxLength && String(v).length > f.maxLength) problems[f.name] = `${f.label} must be ${f.maxLength} characters or fewer`;
      else if (v !== null && (f.type === 'datetime' || f.type === 'date') && !valid(v)) problems[f.name] = `${f.label} must be a real date${f.type === 'datetime' ? ' and time' : ''}`;
      else if (v !== null && f.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) problems[f.name] = `${f.label} must be a real date`;
      else if (v !== null && f.type === 'time' && !/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) problems[f.name] = `${f.label} must be a time of day, like 18:00`;
    }
    return problems;
  };

  el.show = (problems) => {
    errors.replaceChildren();
    for (const [name, g] of Object.entries(groups)) {
      const problem = problems[name];
      g.group.classList.toggle('form-group--error', Boolean(problem));
      g.message.hidden = !problem;
      g.message.textContent = problem ? `Error: ${problem}` : '';
      if (g.field.type !== 'radios') g.input.setAttribute('aria-describedby', [g.field.hint ? `${g.id}-hint` : null, problem ? `${g.id}-error` : null].filter(Boolean).join(' ') || null);
    }
    const names = Object.keys(problems);
    if (names.length === 0) return;
    const box = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
      h('h2', {}, 'There is a problem'),
      h('ul', {}, names.map((n) => h('li', {}, h('a', { href: `#${groups[n] ? groups[n].id : 'main'}`, onclick: (e) => { e.preventDefault(); const t = document.getElementById(groups[n] ? groups[n].id : 'main'); if (t) t.focus(); } }, problems[n])))));
    errors.append(box);
    box.focus();
  };

  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return; // a second tap while saving does nothing twice
    const data = el.read();
    const problems = el.check(data);
    el.show(problems);
    if (Object.keys(problems).length) return;
    busy = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      const serverProblems = await onSubmit(data);
      if (serverProblems) el.show(serverProblems);
      else saved = raw();
    } finally {
      busy = false;
      submit.removeAttribute('aria-busy');
    }
  });
  return el;
}

// Ask before something that cannot simply be taken back. The safe choice
// comes first and has focus, so a stray tap or Enter does no harm.
export function ask(area, { question, detail, yes, no = 'Cancel', danger = true, onYes }) {
  const noButton = h('button', { type: 'button', class: 'button button--secondary', onclick: () => area.replaceChildren() }, no);
  area.replaceChildren(h('div', { class: danger ? 'warning' : 'card', role: 'group', 'aria-label': question },
    h('p', {}, h('strong', {}, question)), detail ? h('p', {}, detail) : null,
    h('div', { class: 'actions--split' }, noButton,
      h('button', { type: 'button', class: `button${danger ? ' button--warning' : ''}`, onclick: async () => { area.replaceChildren(); await onYes(); } }, yes))));
  noButton.focus();
}
