import { getMeta } from '../db.js';
import { listRecords } from '../store.js';
import { formatWhen, h, render } from '../ui.js';
import { VISIT_STATUS, clientName, label } from './labels.js';
import { partnerName } from './common.js';

function startOfToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

function visitItem(visit, clients) {
  const client = clients.get(visit.data.client_id);
  return h('li', {},
    h('a', { href: `#/visit/${visit.id}` }, `${formatWhen(visit.data.scheduled_start)} – ${clientName(client)}`),
    h('p', { class: 'caption' }, [visit.data.location, label(VISIT_STATUS, visit.data.status)].filter(Boolean).join(' · ')));
}

// The compliance gate: a member of the pair lacks a valid check, so the
// server sends no client details until the office records it.
function gateBanner(pair) {
  if (!pair || pair.cleared !== false) return null;
  const who = (pair.missing || []).map((m) => {
    const checks = (m.checks || []).map((c) => (c.startsWith('DBS') ? c : c.toLowerCase()));
    const listed = checks.length > 1 ? `${checks.slice(0, -1).join(', ')} and ${checks[checks.length - 1]}` : checks[0];
    return `${m.name}’s ${listed} ${checks.length > 1 ? 'are' : 'is'} out of date or missing.`;
  });
  const office = (pair.office || []).length ? `your coordinator (${pair.office.join(' or ')})` : 'your coordinator';
  return h('div', { class: 'warning', id: 'gate' },
    h('p', {}, h('strong', {}, 'Client details are hidden on this phone until the office updates your pair\'s checks.')),
    who.length ? h('p', {}, who.join(' ')) : null,
    h('p', {}, `Please do not visit clients until then. Call ${office} at the office to sort it out.`));
}

export async function homeScreen() {
  const clients = new Map((await listRecords('client')).map((c) => [c.id, c]));
  const visits = (await listRecords('visit', (v) => clients.has(v.data.client_id)))
    .sort((a, b) => new Date(a.data.scheduled_start) - new Date(b.data.scheduled_start));
  const today = startOfToday();
  const tomorrow = new Date(today.getTime() + 86400000);
  const when = (v) => new Date(v.data.scheduled_start);
  const planned = visits.filter((v) => v.data.status === 'planned');
  const todays = planned.filter((v) => when(v) >= today && when(v) < tomorrow);
  const upcoming = planned.filter((v) => when(v) >= tomorrow);
  const overdue = planned.filter((v) => when(v) < today);

  const section = (title, items, empty) => [h('h2', {}, title),
    items.length ? h('ul', { class: 'list' }, items.map((v) => visitItem(v, clients))) : h('p', {}, empty)];

  const pair = await getMeta('pair');
  const partner = await partnerName(pair);
  render('Your visits',
    gateBanner(pair),
    partner ? h('p', {}, `You visit with ${partner}${pair.name ? ` (pair ${pair.name})` : ''}.`) : null,
    ...section('Today', todays, 'No visits today.'),
    ...section('Coming up', upcoming, 'Nothing planned yet.'),
    ...(overdue.length ? section('Earlier, not yet recorded', overdue, '') : []),
    h('h2', {}, 'Your clients'),
    clients.size
      ? h('ul', { class: 'list' }, [...clients.values()].sort((a, b) => a.data.name.localeCompare(b.data.name))
        .map((c) => h('li', {}, h('a', { href: `#/client/${c.id}` }, clientName(c)))))
      : h('p', {}, pair && pair.cleared === false ? 'Hidden until the office updates your pair\'s checks.'
        : 'No clients on this phone yet. They appear once the phone has synced.'),
    h('h2', {}, 'Expenses'),
    h('p', {}, h('a', { href: '#/expenses' }, 'Your journeys, costs and claims')));
}
