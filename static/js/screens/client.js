// One client: what mentors need before and during a visit.
import { getRecord, listRecords, toCheckAbout } from '../store.js';
import { formatWhen, h, render, summaryList } from '../ui.js';
import { GOAL_STATUS, VISIT_STATUS, clientName, label } from './labels.js';
import { checkBanner } from './common.js';
import { byRecorded, concernList } from './records.js';

export async function clientScreen(id) {
  const client = await getRecord('client', id);
  if (!client || client.deleted) {
    render('Client not found', h('p', {}, 'This client is not on this phone. They may have moved to another pair.'),
      h('a', { href: '#/' }, 'Back to your visits'));
    return;
  }
  const mine = (r) => r.data.client_id === id;
  const [visits, goals, problems, progress] = await Promise.all([
    listRecords('visit', mine), listRecords('goal', mine), listRecords('problem', mine), listRecords('progress', mine)]);
  visits.sort((a, b) => new Date(b.data.scheduled_start) - new Date(a.data.scheduled_start));
  const d = client.data;
  const latestScore = (goalId) => {
    const entries = progress.filter((p) => p.data.goal_id === goalId && Number.isInteger(p.data.score))
      .sort(byRecorded);
    return entries.length ? entries[entries.length - 1].data.score : null;
  };
  const toCheck = await toCheckAbout(new Set([id, ...[...visits, ...goals, ...problems, ...progress].map((r) => r.id)]));

  render(clientName(client),
    checkBanner(toCheck, 'this client’s records'),
    d.risks ? h('div', { class: 'warning' }, h('strong', {}, 'Risks: '), d.risks) : h('p', { class: 'caption' }, 'Risks: none recorded by the office.'),
    summaryList([
      ['Phone', d.phone ? h('a', { href: `tel:${d.phone.replace(/\s/g, '')}` }, d.phone) : null],
      ['Address', d.address],
      ['Main issues', d.main_issues],
      ['What they want to happen', d.desired_outcome],
    ]),
    h('a', { class: 'button button--warning', href: `#/concern/new/${id}` }, 'Raise a safeguarding concern'),
    h('h2', {}, 'Goals'),
    goals.length ? h('ul', { class: 'list' }, goals.map((g) => h('li', {},
      h('a', { href: `#/goal/${g.id}` }, g.data.title),
      h('p', { class: 'caption' }, [label(GOAL_STATUS, g.data.status),
        latestScore(g.id) !== null ? `latest score ${latestScore(g.id)} out of 10` : 'no progress recorded yet'].join(' · ')),
      g.data.status === 'active' ? h('a', { href: `#/progress/new/${g.id}` }, `Record progress on “${g.data.title}”`) : null)))
      : h('p', {}, 'No goals yet.'),
    h('a', { class: 'button button--secondary', href: `#/goal/new/${id}` }, 'Set a new goal'),
    h('h2', {}, 'Visits'),
    visits.length ? h('ul', { class: 'list' }, visits.slice(0, 10).map((v) => h('li', {},
      h('a', { href: `#/visit/${v.id}` }, formatWhen(v.data.scheduled_start)),
      h('p', { class: 'caption' }, label(VISIT_STATUS, v.data.status)))))
      : h('p', {}, 'No visits yet.'),
    h('a', { class: 'button button--secondary', href: `#/visit/new/${id}` }, 'Plan a visit'),
    h('h2', {}, 'Problem plans (SARA)'),
    problems.length ? h('ul', { class: 'list' }, problems.map((p) => h('li', {},
      h('a', { href: `#/problem/${p.id}` }, p.data.scanning || 'Problem plan with no description yet'))))
      : h('p', {}, 'No problem plans yet.'),
    h('a', { class: 'button button--secondary', href: `#/problem/new/${id}` }, 'Start a problem plan'),
    h('h2', { id: 'wellbeing' }, 'Wellbeing check (SWEMWBS)'),
    await (await import('./wellbeing.js')).wellbeingSection(id),
    h('h2', { id: 'concerns' }, 'Safeguarding concerns'),
    await concernList(id));
}
