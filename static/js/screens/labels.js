// Words people see for the values the server stores. Which values exist, and
// in what order, is the server's (contract.js); here are only their words.
import { DELETED_FIELD, choices } from '../contract.js';

// SWEMWBS answers (app/outcomes/rules.py; tests/wellbeing/test_field_app_words.py checks this copy).
export const SWEMWBS_ANSWERS = { 1: 'None of the time', 2: 'Rarely', 3: 'Some of the time', 4: 'Often', 5: 'All of the time' };
export const WORDS = {
  visit: { status: { planned: 'Planned', completed: 'Completed', cancelled: 'Cancelled', no_show: 'Client not in' } },
  goal: { status: { active: 'Working on it', achieved: 'Achieved', dropped: 'Dropped' } },
  concern: {
    category: {
      abuse_or_neglect: 'Abuse or neglect', self_harm_or_suicide: 'Self-harm or suicide risk',
      domestic_abuse: 'Domestic abuse', exploitation: 'Exploitation (financial, criminal, sexual)',
      health_or_wellbeing: 'Health or wellbeing', home_conditions: 'Home conditions', other: 'Something else',
    },
    urgency: { normal: 'Normal', urgent: 'Urgent' },
  },
  expense_claim: { status: { draft: 'Not sent yet', submitted: 'Sent to the office', approved: 'Approved', rejected: 'Not approved', paid: 'Paid' } },
  expense_item: {
    item_type: { journey: 'Journey', cost: 'Cost' },
    vehicle: { car_van: 'Car or van', motorcycle: 'Motorcycle', bicycle: 'Bicycle' },
    category: { fares: 'Fares', parking: 'Parking', refreshments: 'Refreshments', phone_calls: 'Phone calls', materials: 'Materials', other: 'Something else' },
  },
  wellbeing: {
    occasion: { referral: 'At referral (the start of support)', review: '3-monthly review', closure: 'At closure (the end of support)' },
    ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`q${n}`, SWEMWBS_ANSWERS])),
  },
};
// [[value, words]] in the server's order; a value with no words shows as it is.
export const optionsFor = (kind, field, words = (WORDS[kind] || {})[field] || {}) => choices(kind, field).map((v) => [v, words[v] || v]);
export const VISIT_STATUS = optionsFor('visit', 'status');
export const GOAL_STATUS = optionsFor('goal', 'status');
export const CONCERN_CATEGORY = optionsFor('concern', 'category');
export const FIELD_LABELS = {
  notes: 'Notes', location: 'Where', status: 'Status', duration_minutes: 'Length (minutes)', scheduled_start: 'When',
  checked_in_at: 'Checked in', checked_out_at: 'Checked out', title: 'Goal', reality: 'Where things are now',
  options: 'Options', will: 'What they will do', target_date: 'Target date', score: 'Score', note: 'Note',
  scanning: 'Scanning: the problem', analysis: 'Analysis: why it happens', response: 'Response: what we will do',
  assessment: 'Assessment: did it work', details: 'Details', category: 'Kind of concern', urgency: 'Urgency',
  [DELETED_FIELD]: 'Deleted', client_id: 'Client', goal_id: 'Goal', visit_id: 'Visit', _record: 'Claim',
  spent_on: 'Date', miles_tenths: 'Miles', amount_pence: 'Amount', description: 'What it was', receipt_sha256: 'Receipt',
  recorded_on: 'Date', occasion: 'Occasion',
};
export const KIND_LABELS = { visit: 'Visit', goal: 'Goal', progress: 'Progress', problem: 'Problem plan', concern: 'Concern', client: 'Client', expense_claim: 'Expense claim', expense_item: 'Expense', wellbeing: 'Wellbeing check' };

export const label = (pairs, value) => (pairs.find(([v]) => v === value) || [value, value || ''])[1];
export const clientName = (client) => (client ? (client.data.preferred_name ? `${client.data.name} (${client.data.preferred_name})` : client.data.name) : 'Unknown client');

// What waits to send, in the person's words: "1 visit and 2 goals".
const KIND_NOUNS = {
  visit: ['visit', 'visits'], goal: ['goal', 'goals'], progress: ['progress entry', 'progress entries'],
  problem: ['problem plan', 'problem plans'], concern: ['safeguarding concern', 'safeguarding concerns'],
  client: ['client', 'clients'], expense_claim: ['expense claim', 'expense claims'], expense_item: ['expense', 'expenses'],
  wellbeing: ['wellbeing check', 'wellbeing checks'],
};
export function recordsPhrase(byKind) {
  const parts = Object.entries(byKind).filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${(KIND_NOUNS[kind] || ['entry', 'entries'])[n === 1 ? 0 : 1]}`);
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
