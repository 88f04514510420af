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
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function render(title, ...children) {
  const main = document.getElementById('main');
  main.replaceChildren(h('h1', {}, title), ...children);
  const newTitle = `${title} – Peer Mentors`;
  // Move focus only when the screen changes, not when a sync refreshes it.
  if (document.title !== newTitle) { document.title = newTitle; main.focus(); }
}

export function summaryList(rows) {
  return h('dl', { class: 'summary' }, rows.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

// When: "Tue 1 Dec, 10:30" in the phone's own time zone.
const WHEN = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export function formatWhen(iso) {
  return iso ? WHEN.format(new Date(iso)) : '';
}

// "2026-12-01T10:30:00+00:00": the local time with its offset, as the server wants.
export function isoWithOffset(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
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
    if (f.type === 'textarea') input = h('textarea', { id, name: f.name, rows: 5 }, value);
    else if (f.type === 'select') {
      input = h('select', { id, name: f.name }, f.options.map(([v, label]) => h('option', { value: v, selected: String(value) === String(v) }, label)));
    } else if (f.type === 'radios') {
      input = h('div', { class: f.scale ? 'scale' : '' }, f.options.map(([v, label], i) => h('div', { class: 'choice' },
        h('input', { type: 'radio', id: i === 0 ? id : `${id}-${i}`, name: f.name, value: v, checked: String(value) === String(v) }),
        h('label', { for: i === 0 ? id : `${id}-${i}` }, label))));
    } else {
      const type = { date: 'date', datetime: 'datetime-local', number: 'number', password: 'password', email: 'email' }[f.type] || 'text';
      input = h('input', { id, name: f.name, type, value, inputmode: f.type === 'number' ? 'numeric' : null, autocomplete: f.autocomplete || 'off' });
    }
    const hint = f.hint ? h('p', { class: 'hint', id: `${id}-hint` }, f.hint) : null;
    const message = h('p', { class: 'error-message', id: `${id}-error`, hidden: true });
    const label = f.type === 'radios' ? h('legend', {}, f.label) : h('label', { for: id }, f.label);
    const group = f.type === 'radios'
      ? h('fieldset', { class: 'form-group', 'aria-describedby': hint ? `${id}-hint` : null }, label, hint, message, input)
      : h('div', { class: 'form-group' }, label, hint, message, input);
    if (hint && f.type !== 'radios') input.setAttribute('aria-describedby', `${id}-hint`);
    groups[f.name] = { group, message, input, id };
    el.append(group);
  }
  el.append(...extra, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, submitLabel)));

  function read() {
    const data = new FormData(el);
    const out = {};
    for (const f of fields) {
      let v = data.get(f.name);
      v = v === null ? '' : String(v).trim();
      if (v === '') out[f.name] = null;
      else if (f.type === 'number' || f.integer) out[f.name] = /^-?\d+$/.test(v) ? Number(v) : v;
      else if (f.type === 'datetime') out[f.name] = isoWithOffset(new Date(v));
      else out[f.name] = v;
    }
    return out;
  }

  function check(data) {
    const problems = {};
    for (const f of fields) {
      const v = data[f.name];
      if (f.required && v === null) problems[f.name] = f.requiredMessage || `Enter ${f.label.toLowerCase()}`;
      else if (v !== null && (f.type === 'number' || f.integer) && typeof v !== 'number') problems[f.name] = `${f.label} must be a whole number`;
      else if (v !== null && typeof v === 'number' && ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max))) problems[f.name] = `${f.label} must be between ${f.min} and ${f.max}`;
      else if (v !== null && f.maxLength && String(v).length > f.maxLength) problems[f.name] = `${f.label} must be ${f.maxLength} characters or fewer`;
    }
    return problems;
  }

  function show(problems) {
    errors.replaceChildren();
    for (const [name, g] of Object.entries(groups)) {
      const problem = problems[name];
      g.group.classList.toggle('form-group--error', Boolean(problem));
      g.message.hidden = !problem;
      g.message.textContent = problem ? `Error: ${problem}` : '';
    }
    const names = Object.keys(problems);
    if (names.length === 0) return;
    const box = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
      h('h2', {}, 'There is a problem'),
      h('ul', {}, names.map((n) => h('li', {}, h('a', { href: `#${groups[n] ? groups[n].id : 'main'}`, onclick: (e) => { e.preventDefault(); const t = document.getElementById(groups[n] ? groups[n].id : 'main'); if (t) t.focus(); } }, problems[n])))));
    errors.append(box);
    box.focus();
  }

  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = read();
    const problems = check(data);
    show(problems);
    if (Object.keys(problems).length === 0) {
      const serverProblems = await onSubmit(data);
      if (serverProblems) show(serverProblems);
    }
  });
  return el;
}
