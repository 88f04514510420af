import { OfflineError, queueServerSignOut, signOut } from '../api.js';
import { getMeta, setMeta, wipe } from '../db.js';
import { counts } from '../store.js';
import { ask, form, h, plural, render } from '../ui.js';
import { recordsPhrase } from './labels.js';
import * as reminders from '../reminders.js';

const SIZES = [['default', 'Standard'], ['large', 'Large'], ['largest', 'Largest']];

export async function applyTextSize(size) {
  const chosen = size || (await getMeta('text_size').catch(() => null)) || 'default';
  document.documentElement.classList.remove('text-large', 'text-largest');
  if (chosen !== 'default') document.documentElement.classList.add(`text-${chosen}`);
  return chosen;
}

async function finishSignOut() {
  const token = await getMeta('csrf_token');
  try {
    await signOut();
  } catch (err) {
    // No signal: the phone forgets the session now and tells the server
    // when the signal is back (main.js), so the session cannot live on.
    if (err instanceof OfflineError) queueServerSignOut(token);
  }
  await wipe();
  location.hash = '#/signin';
  location.reload();
}

function said() {
  const area = h('div');
  area.say = (message) => area.replaceChildren(h('div', { class: 'notice', role: 'status' }, h('p', {}, message)));
  return area;
}

export async function settingsScreen() {
  const user = await getMeta('user');
  const size = await applyTextSize();
  const { waiting, waitingByKind, rejected } = await counts();
  const signOutArea = h('div');
  const askSignOut = () => {
    if (!waiting && !rejected) { finishSignOut(); return; }
    const what = [waiting ? recordsPhrase(waitingByKind) : null, rejected ? plural(rejected, 'entry', 'entries') + ' to check' : null].filter(Boolean).join(' and ');
    ask(signOutArea, {
      question: `${what} ${waiting + rejected === 1 ? 'has' : 'have'} not reached the office yet.`,
      detail: 'If you sign out now, they are deleted from this phone and lost. Get signal and wait for them to send first if you can.',
      yes: 'Sign out and delete them', no: 'Cancel, stay signed in', onYes: finishSignOut,
    });
  };
  // Saving one form says so beside it and redraws nothing: what is typed
  // in the other form stays.
  const sizeSaid = said();
  render('Settings',
    user ? h('p', {}, `Signed in as ${user.name}.`) : null,
    await remindersSection(),
    h('h2', {}, 'Text size'),
    form({
      fields: [{ name: 'text_size', label: 'Size of the writing in this app', type: 'radios', options: SIZES }],
      values: { text_size: size },
      submitLabel: 'Save text size',
      onSubmit: async ({ text_size }) => { await setMeta('text_size', text_size || 'default'); await applyTextSize(text_size); sizeSaid.say('Text size saved.'); return null; },
    }),
    sizeSaid,
    h('h2', {}, 'Sign out'),
    h('p', {}, 'Signing out deletes everything about your clients from this phone.'),
    h('button', { type: 'button', class: 'button button--secondary', onclick: askSignOut }, 'Sign out'),
    signOutArea);
}

// Notifications on this phone (its permission and push subscription); when
// reminders come is a setting of the person's, below.
const REMINDER_WORDS = {
  unsupported: 'This phone’s browser cannot show notifications. Installing the app to the home screen may help.',
  blocked: 'Notifications are blocked for this app. Allow them in the phone’s settings if you want them.',
  on: 'Notifications are on for this phone: it gets your visit reminders. A test shows whether it can show one. Reminders never show a client’s name.',
  off: 'Turn on notifications to get reminders of your visits on this phone: the evening before and shortly before each one. Reminders never show a client’s name.',
};
const TIME_LIMIT_MS = 20 * 1000;

// The phone's answer, or a clear "no answer" after the time limit.
function withinTimeLimit(promise) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(
    () => reject(new Error(`The phone did not answer within ${TIME_LIMIT_MS / 1000} seconds`)), TIME_LIMIT_MS))]);
}

async function remindersSection() {
  const area = h('div');
  const message = h('p', { role: 'status' });
  let busy = false;
  const draw = async (current, note = '') => {
    const buttons = [];
    // No disabled buttons: a second tap while busy is told to wait.
    const act = (label, working, fn, cls = 'button') => {
      const button = h('button', { type: 'button', class: cls, onclick: async () => {
        if (busy) { message.textContent = `${working} Please wait.`; return; }
        busy = true;
        button.setAttribute('aria-busy', 'true');
        button.textContent = working;
        message.textContent = working;
        try {
          await withinTimeLimit(fn());
        } catch (err) {
          draw(await reminders.state().catch(() => 'unsupported'), `That did not work: ${err.message || 'no answer'}. Check you have signal and try again.`);
        } finally { busy = false; }
      } }, label);
      return button;
    };
    if (current === 'off') buttons.push(act('Turn on notifications', 'Turning on notifications…', async () => draw(await reminders.turnOn(), 'Notifications are on.')));
    if (current === 'on') {
      buttons.push(act('Send a test notification', 'Sending a test…', async () => {
        const result = await reminders.sendTest();
        draw('on', result.sent ? 'A test notification is on its way. It should appear within a minute.' : 'The test could not be delivered. Turn notifications off and on again.');
      }, 'button button--secondary'));
      buttons.push(act('Turn off notifications', 'Turning off notifications…', async () => draw(await reminders.turnOff(), 'Notifications are off.'), 'button button--secondary'));
    }
    message.textContent = note;
    area.replaceChildren(h('p', {}, REMINDER_WORDS[current]), ...buttons, message);
  };
  await draw(await reminders.state().catch(() => 'unsupported'));
  return h('section', { 'aria-labelledby': 'reminders-heading' }, h('h2', { id: 'reminders-heading' }, 'Visit reminders'), area,
    await reminderTimesForm());
}

// When reminders come, for every phone of this person.
async function reminderTimesForm() {
  const prefs = await reminders.preferences();
  const timesSaid = said();
  return [form({
    fields: [
      { name: 'enabled', label: 'Remind me of my visits', type: 'radios', options: [['yes', 'Yes'], ['no', 'No, no reminders']], required: true },
      { name: 'evening_time', label: 'The evening before, at', type: 'time', required: true, requiredMessage: 'Enter a time, like 18:00', hint: 'For example, 18:00' },
      { name: 'minutes_before', label: 'And this many minutes before the visit', type: 'number', min: 5, max: 1440, required: true, requiredMessage: 'Enter how many minutes before, like 60' },
    ],
    values: { ...prefs, enabled: prefs.enabled ? 'yes' : 'no' },
    submitLabel: 'Save reminder times',
    onSubmit: async ({ enabled, evening_time, minutes_before }) => {
      let saved;
      try {
        saved = await reminders.savePreferences({ enabled: enabled === 'yes', evening_time, minutes_before });
      } catch (err) {
        return Object.keys(err.fields || {}).length ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, [].concat(v).join(' ')]))
          : { enabled: err.message || 'That did not work. Try again.' };
      }
      timesSaid.say(saved ? 'Reminder times saved.' : 'Reminder times saved on this phone. They are sent when the phone has signal.');
      return null;
    },
  }), timesSaid];
}
