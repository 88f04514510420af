// Expenses and mileage: the claim being made, its journeys and costs, sending
// it to the office, earlier claims (docs/domain.md, "Expenses and mileage").
// Money is whole pence and miles whole tenths, on the phone too: never floats.
// Written tightly: the app shell has a size budget (tests/test_fieldapp_routes.py).
import { afterSave } from '../app.js';
import { limits } from '../contract.js';
import { getMeta } from '../db.js';
import { keepReceipt, receipt, sha256, shrinkPhoto } from '../receipts.js';
import { deleteLocal, getRecord, listRecords, outboxEntries, saveLocal } from '../store.js';
import { UNSAVED_TOO, ask, dropUnsavedInput, form, formatDay, formatWhen, h, hasUnsavedInput, isoWithOffset, notify, plural, render } from '../ui.js';
import { clientName, label, optionsFor } from './labels.js';
import { undoAction } from './common.js';

const ITEM = 'expense_item';
const CLAIM = 'expense_claim';
const STATUS = optionsFor(CLAIM, 'status');
const VEHICLE = optionsFor(ITEM, 'vehicle');
const CATEGORY = optionsFor(ITEM, 'category');
const OPEN = ['draft', 'rejected']; // claims the volunteer may still change
const CAR = 'car_van';
const lim = (name) => limits(ITEM, name);
const p = (...c) => h('p', {}, ...c);
const strong = (...c) => p(h('strong', {}, ...c));
const link = (href, text, cls) => h('a', { href: `#/expenses${href}`, class: cls }, text);
const BACK = () => p(link('', 'Back to expenses'));

const num = (n) => Math.floor(n).toLocaleString('en-GB');
export const pounds = (pence) => `£${num(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
export const miles = (t) => `${num(t / 10)}.${t % 10}`;
// "4.50", "£4.5", "1,000" -> 450, 450, 100000 pence; "12.3" -> 123 tenths; null if not a number.
const parse = (text, re, unit, len) => {
  const m = re.exec(String(text).replace(/[\s,£]|miles?$/gi, ''));
  return m ? Number(m[1]) * unit + Number((m[2] || '').padEnd(len, '0')) : null;
};
export const parsePence = (text) => parse(text, /^(\d{1,9})(?:\.(\d\d?))?$/, 100, 2);
export const parseTenths = (text) => parse(text, /^(\d{1,9})(?:\.(\d)0*)?$/, 10, 1);
const today = () => isoWithOffset().slice(0, 10);
const day = (date) => formatDay(`${date}T12:00`); // a YYYY-MM-DD date in words
const bands = (rates, v) => rates.filter((r) => r.vehicle === v).sort((a, b) => a.from_mile - b.from_mile);

// A journey's pence at the last pull's rates, starting `before` tenths into
// the tax year (car or van); each part rounded, half a penny up, as the server does.
function journeyPence(d, before, rates) {
  const own = bands(rates, d.vehicle);
  const t = d.miles_tenths;
  if (!own.length || !t) return null;
  const start = d.vehicle === CAR ? before : 0;
  let pence = 0;
  own.forEach((b, i) => {
    const n = Math.min(start + t, own[i + 1] ? own[i + 1].from_mile * 10 : Infinity) - Math.max(start, b.from_mile * 10);
    if (n > 0) pence += Math.floor((n * b.pence_per_mile + 5) / 10);
  });
  const [extra] = bands(rates, 'passenger');
  return pence + (d.passengers && extra ? Math.floor((t * d.passengers * extra.pence_per_mile + 5) / 10) : 0);
}

// What the screens show: claims, items, what waits, the year's car or van
// miles, each item's amount (the server's, or the phone's estimate while it waits).
async function load() {
  const [claims, items, entries, m] = await Promise.all([listRecords(CLAIM), listRecords(ITEM), outboxEntries(), getMeta('mileage')]);
  const waiting = new Set(entries.filter((e) => e.state === 'queued').map((e) => e.id));
  const problems = new Map(entries.filter((e) => e.state === 'rejected').map((e) => [e.id, Object.values(e.errors || {}).flat().join(' ')]));
  const inYear = (d) => (d && d.vehicle === CAR && m && d.spent_on >= m.from && d.spent_on <= m.to ? d.miles_tenths || 0 : 0);
  const amounts = new Map();
  let soFar = m ? m.car_van_miles_tenths : 0;
  for (const i of items.sort((a, b) => a.data.spent_on.localeCompare(b.data.spent_on))) {
    const d = i.data;
    if (!waiting.has(i.id) && d.claimed_pence != null) amounts.set(i.id, { pence: d.claimed_pence });
    else {
      amounts.set(i.id, { pence: d.item_type === 'cost' ? d.amount_pence : journeyPence(d, soFar, m ? m.rates : []), estimate: 1 });
      soFar += inYear(d) - inYear(i.server);
    }
  }
  return { claims, waiting, problems, m, soFar, amounts, of: (id) => items.filter((i) => i.data.claim_id === id) };
}

const money = (a) => (a.pence == null ? 'Worked out when sent' : a.estimate ? `about ${pounds(a.pence)} (estimate until sent)` : pounds(a.pence));
const total = (list, s) => strong(`Total: ${money(list.map((i) => s.amounts.get(i.id)).reduce((t, a) => ({ pence: t.pence + (a.pence || 0), estimate: t.estimate || a.estimate }), { pence: 0 }))}`);

async function itemRow(i, s, editable) {
  const d = i.data;
  const journey = d.item_type === 'journey';
  const a = d.receipt_sha256 && await receipt(d.receipt_sha256);
  const problem = s.problems.get(i.id);
  return h('li', {},
    strong(`${day(d.spent_on)}: ${journey ? `${d.from_place} → ${d.to_place}` : label(CATEGORY, d.category)}`),
    p(journey ? `${miles(d.miles_tenths || 0)} miles, ${label(VEHICLE, d.vehicle).toLowerCase()}${d.passengers ? `, ${plural(d.passengers, 'passenger')}` : ''}` : d.description),
    p(money(s.amounts.get(i.id))),
    d.receipt_sha256 ? h('p', { class: 'caption' }, a && !a.uploaded ? (a.error ? `Receipt not sent: ${a.error.replace(/ ?\(\d{3}\)/, '')}` : 'Receipt waiting to send') : 'Receipt sent') : null,
    problem ? h('p', { class: 'error-message' }, `Not accepted: ${problem}`) : null,
    editable ? h('a', { href: `#/expenses/item/${i.id}`, 'aria-label': `Change or delete the ${d.item_type} of ${day(d.spent_on)}` }, 'Change or delete') : null);
}

const itemList = async (list, s, editable) => (list.length ? h('ul', { class: 'list' }, await Promise.all(list.map((i) => itemRow(i, s, editable)))) : p('Nothing in this claim yet.'));

// Where a claim the office has stands, in words.
function claimState(c, s) {
  const d = c.data;
  return {
    submitted: s.waiting.has(c.id) ? 'Claim will be sent to the office when you have signal.' : `Claim sent to the office on ${formatDay(d.submitted_at)}: it can no longer be changed here.`,
    approved: `Approved on ${formatDay(d.decided_at)}. It will be paid soon.`,
    paid: `Paid on ${day(d.paid_on)}.`,
  }[d.status] || '';
}

function mileage(s) {
  const m = s.m;
  if (!m) return p('Your miles and the mileage rates appear once the phone has synced.');
  const [first, after] = bands(m.rates, CAR);
  const each = ['motorcycle', 'bicycle', 'passenger'].flatMap((v) => bands(m.rates, v).map((r) => `${v === 'passenger' ? 'each passenger' : label(VEHICLE, v).toLowerCase()} ${r.pence_per_mile}p`));
  return [
    p(`Car or van: ${miles(s.soFar)} miles since ${new Date(`${m.from}T12:00`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })}, when this tax year began.`),
    first && after && s.soFar >= (after.from_mile - 1000) * 10 ? h('div', { class: 'warning' },
      strong(`You are near ${num(after.from_mile)} miles. From ${num(after.from_mile)} miles in a tax year the car or van rate drops from ${first.pence_per_mile}p to ${after.pence_per_mile}p a mile.`)) : null,
    first ? h('p', { class: 'caption' }, `Rates a mile: car or van ${first.pence_per_mile}p${after ? ` (${after.pence_per_mile}p after ${num(after.from_mile)} miles)` : ''}, ${each.join(', ')}.`) : null,
  ];
}

// A claim being made (a draft), or one the office sent back (rejected).
async function openClaim(c, s, adds) {
  const d = c.data;
  const list = s.of(c.id);
  const back = d.status === 'rejected';
  return h('div', { class: back ? 'warning' : '' },
    h('h3', {}, `${d.title}${back ? ': not approved' : ''}`),
    back ? [p(`The office's reason: ${d.decision_reason || 'none given'}`), p('Change what is needed, then send the claim again.')] : null,
    await itemList(list, s, true),
    list.length ? total(list, s) : null,
    back ? h('button', { type: 'button', class: 'button', onclick: async () => {
      await saveLocal(CLAIM, c.id, 'update', { status: 'draft' });
      notify('The claim is open again: change it, then send it.');
      await expensesScreen();
      afterSave();
    } }, 'Change and send again') : [...adds,
      list.length ? p(link(`/send/${c.id}`, 'Send this claim', 'button button--secondary')) : null]);
}

export async function expensesScreen() {
  const s = await load();
  const draft = s.claims.find((c) => c.data.status === 'draft');
  const back = s.claims.filter((c) => c.data.status === 'rejected');
  const earlier = s.claims.filter((c) => !OPEN.includes(c.data.status))
    .sort((a, b) => (b.data.submitted_at || '').localeCompare(a.data.submitted_at || ''));
  const adds = [link('/journey', 'Add a journey', 'button'), link('/cost', 'Add a cost', 'button')];
  render('Expenses', h('h2', {}, 'Your miles this tax year'), mileage(s),
    h('h2', {}, 'Your claim'),
    draft ? await openClaim(draft, s, adds) : [p('You have no claim started. Adding a journey or a cost starts one.'), ...adds],
    back.length ? h('h2', {}, 'Sent back by the office') : null,
    await Promise.all(back.map((c) => openClaim(c, s, adds))),
    earlier.length ? h('h2', {}, 'Earlier claims') : null,
    await Promise.all(earlier.map(async (c) => h('div', { class: 'card' },
      strong(`${c.data.title}: ${label(STATUS, c.data.status)}`), p(claimState(c, s)),
      total(s.of(c.id), s),
      h('details', {}, h('summary', {}, `What was claimed (${plural(s.of(c.id).length, 'item')})`), await itemList(s.of(c.id), s, false))))));
}

// The claim to add to: the draft, or a new one (a claim sent back by the
// office is changed through its own "Change and send again").
async function openClaimId() {
  const [open] = await listRecords(CLAIM, (c) => c.data.status === 'draft');
  if (open) return open.id;
  const id = crypto.randomUUID();
  await saveLocal(CLAIM, id, 'create', { title: `Claim started ${new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}`, status: 'draft' });
  return id;
}

// Recent and coming visits (client and date) for "which visit was this for?".
async function visitOptions(current) {
  const clients = new Map((await listRecords('client')).map((c) => [c.id, c]));
  const when = (v) => Date.parse(v.data.scheduled_start);
  const visits = (await listRecords('visit', (v) => v.id === current || (v.data.status !== 'cancelled' && Math.abs(when(v) - Date.now()) < 2e9)))
    .sort((a, b) => when(b) - when(a)).slice(0, 8);
  return [...visits.map((v) => [v.id, `${clientName(clients.get(v.data.client_id))}, ${formatWhen(v.data.scheduled_start)}`]), ['', 'Not for a visit']];
}

const field = (name, label, type, required, more) => ({ name, label, type, required, requiredMessage: required, ...more });

// Add a journey or a cost (type), or change one (id).
export async function itemScreen(type, id) {
  const item = id && await getRecord(ITEM, id);
  if (id && (!item || item.deleted)) { render('Not found', p('This expense is not on this phone. It may have been deleted.'), BACK()); return; }
  const d = item ? item.data : { spent_on: today(), vehicle: CAR, passengers: 0 };
  const journey = (item ? d.item_type : type) === 'journey';
  const what = journey ? 'Journey' : 'Cost';
  const claim = item && await getRecord(CLAIM, d.claim_id);
  if (claim && !OPEN.includes(claim.data.status)) {
    render(`${what} of ${day(d.spent_on)}`, h('div', { class: 'warning' },
      strong(claim.data.status === 'submitted' ? `Sent to the office on ${formatDay(claim.data.submitted_at)}: it can no longer be changed here.` : `This claim is ${label(STATUS, claim.data.status).toLowerCase()}: it can no longer be changed here.`),
      p('If something in it is wrong, tell your coordinator.')), await itemList([item], await load(), false), BACK());
    return;
  }
  const fields = journey ? [
    field('spent_on', 'Date of the journey', 'date', 'Enter the date of the journey'),
    field('from_place', 'Where from', 'text', 'Enter where the journey started', { hint: 'For example: home, or the town', maxLength: lim('from_place').max_length }),
    field('to_place', 'Where to', 'text', 'Enter where the journey went to', { maxLength: lim('to_place').max_length }),
    field('miles', 'Miles', 'text', 'Enter the miles', { hint: 'For example 12.3' }),
    field('vehicle', 'How did you travel?', 'radios', 'Choose how you travelled', { options: VEHICLE }),
    field('passengers', 'Passengers', 'number', 0, { hint: 'Others who came with you in the car or van. 0 if none.', ...lim('passengers') }),
    field('visit_id', 'Which visit was this for? (optional)', 'radios', 0, { options: await visitOptions(d.visit_id) }),
  ] : [
    field('spent_on', 'Date you paid', 'date', 'Enter the date you paid'),
    field('category', 'What was it for?', 'radios', 'Choose what the money was for', { options: CATEGORY }),
    field('amount', 'Amount in £', 'text', 'Enter the amount', { hint: 'For example 4.50' }),
    field('description', 'What it was (optional)', 'textarea', 0, { hint: 'For example: car park at the hospital', maxLength: lim('description').max_length }),
  ];
  // The receipt photo: made small and hashed as soon as it is chosen.
  const old = d.receipt_sha256 && await receipt(d.receipt_sha256);
  let photo = null;
  let reading = null;
  const preview = h('img', { class: 'receipt', alt: 'The receipt photo', hidden: !old });
  if (old) preview.src = URL.createObjectURL(old.blob);
  const said = h('p', { class: 'hint', role: 'status' });
  const input = h('input', { type: 'file', id: 'f-receipt', accept: 'image/*', capture: 'environment', onchange: () => {
    said.textContent = 'Reading the photo…';
    reading = shrinkPhoto(input.files[0]).then(async (blob) => {
      if (!blob) { said.textContent = 'The phone cannot read this file as a photo. Take a photo of the receipt instead.'; return; }
      photo = { blob, sha: await sha256(blob) };
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      said.textContent = 'Photo added. It is kept when you save.';
    });
  } });
  const f = form({
    fields,
    values: { ...d, miles: d.miles_tenths ? d.miles_tenths / 10 : '', amount: d.amount_pence ? pounds(d.amount_pence).slice(1).replace(/,/g, '') : '' },
    submitLabel: item ? `Save ${what.toLowerCase()}` : `Add ${what.toLowerCase()} to the claim`,
    extra: journey ? [] : [h('div', { class: 'form-group' }, h('label', { for: 'f-receipt' }, 'Photo of the receipt (optional)'), h('p', { class: 'hint' }, 'Take a photo with the phone, or choose one you took.'), input, said, preview)],
    onSubmit: async (v) => {
      await reading;
      const data = journey
        ? { spent_on: v.spent_on, from_place: v.from_place, to_place: v.to_place, miles_tenths: parseTenths(v.miles), vehicle: v.vehicle, passengers: v.vehicle === CAR ? v.passengers || 0 : 0, visit_id: v.visit_id }
        : { spent_on: v.spent_on, category: v.category, amount_pence: parsePence(v.amount), description: v.description, receipt_sha256: photo ? photo.sha : d.receipt_sha256 || null };
      if (photo) await keepReceipt(photo.sha, photo.blob);
      let message = `${what} added to your claim.`;
      if (item) {
        const now = (await getRecord(ITEM, id)).data;
        const changes = Object.fromEntries(Object.entries(data).filter(([k, x]) => x !== (now[k] ?? null)));
        message = Object.keys(changes).length ? `${what} saved.` : 'Nothing had changed, so there was nothing to save.';
        if (Object.keys(changes).length) await saveLocal(ITEM, id, 'update', changes);
      } else await saveLocal(ITEM, crypto.randomUUID(), 'create', { claim_id: await openClaimId(), item_type: journey ? 'journey' : 'cost', ...data });
      photo = null;
      notify(message);
      location.hash = '#/expenses';
      afterSave();
    },
  });
  const dirty = f.isDirty;
  f.isDirty = () => dirty() || photo !== null;
  // The server's rules, checked here too: a bad value never reaches the outbox.
  const check = f.check;
  f.check = (v) => {
    const e = check(v);
    const range = (name, n, l, show, bad) => {
      if (!v[name] || e[name]) return;
      if (n === null) e[name] = bad;
      else if (n < l.min || n > l.max) e[name] = `Enter between ${show(l.min)} and ${show(l.max)}`;
    };
    if (v.spent_on > today()) e.spent_on = 'The date cannot be in the future';
    if (journey) range('miles', parseTenths(v.miles), lim('miles_tenths'), (t) => `${miles(t)} miles`, 'Enter the miles as a number, like 12.3');
    else range('amount', parsePence(v.amount), lim('amount_pence'), pounds, 'Enter the amount in pounds and pence, like 4.50');
    if (v.vehicle !== CAR) delete e.passengers;
    return Object.fromEntries(fields.filter((x) => e[x.name]).map((x) => [x.name, e[x.name]]));
  };
  for (const [name, mode] of [['miles', 'decimal'], ['amount', 'decimal'], ['passengers', 'numeric']]) f.querySelector(`#f-${name}`)?.setAttribute('inputmode', mode);
  if (journey) {
    const show = () => { f.querySelector('#f-passengers').closest('.form-group').hidden = !f.querySelector('#f-vehicle').checked; };
    f.addEventListener('change', show);
    show();
  }
  const area = h('div');
  render(item ? `${what} of ${day(d.spent_on)}` : `Add a ${what.toLowerCase()}`, f,
    item ? [h('button', { type: 'button', class: 'button button--secondary', onclick: () => ask(area, {
      question: `Delete this ${what.toLowerCase()}?`, detail: `It is taken out of your claim.${hasUnsavedInput() ? UNSAVED_TOO : ''}`, yes: `Delete ${what.toLowerCase()}`, no: 'Keep it',
      onYes: async () => {
        dropUnsavedInput();
        notify(`${what} deleted.`, undoAction(await deleteLocal([[ITEM, id]]), what));
        location.hash = '#/expenses';
        afterSave();
      },
    }) }, `Delete this ${what.toLowerCase()}`), area] : null, BACK());
}

// Check the claim, confirm the declaration, send.
export async function sendScreen(id) {
  const claim = await getRecord(CLAIM, id);
  if (!claim || claim.deleted || claim.data.status !== 'draft') { location.hash = '#/expenses'; return; }
  const s = await load();
  const list = s.of(id);
  const f = form({
    fields: [field('declaration', 'Declaration', 'radios', 'Tick the box to confirm the declaration', { options: [] })],
    submitLabel: 'Send claim',
    onSubmit: async () => {
      await saveLocal(CLAIM, id, 'update', { status: 'submitted', declaration_accepted: true, submitted_at: isoWithOffset() });
      notify(navigator.onLine ? 'Sending your claim to the office.' : 'Claim will be sent to the office when you have signal.');
      location.hash = '#/expenses';
      afterSave();
    },
  });
  // One tick box where form() would put radios.
  f.querySelector('fieldset > div').replaceChildren(h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: 'f-declaration', name: 'declaration', value: 'yes' }),
    h('label', { for: 'f-declaration' }, 'I confirm these are expenses I paid myself while volunteering for the scheme, that I have not claimed them before, and that the receipts are genuine')));
  render('Check your claim', p('Check each journey and cost. Once sent, the claim cannot be changed here.'),
    await itemList(list, s, true), total(list, s), f, p(link('', 'Not yet: back to expenses')));
}
