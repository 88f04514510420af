import { signOut } from '../api.js';
import { getMeta, setMeta, wipe } from '../db.js';
import { counts } from '../store.js';
import { form, h, render } from '../ui.js';
import * as reminders from '../reminders.js';

const SIZES = [['default', 'Standard'], ['large', 'Large'], ['largest', 'Largest']];

export async function applyTextSize(size) {
  const chosen = size || (await getMeta('text_size').catch(() => null)) || 'default';
  document.documentElement.classList.remove('text-large', 'text-largest');
  if (chosen !== 'default') document.documentElement.classList.add(`text-${chosen}`);
  return chosen;
}

async function finishSignOut() {
  try { await signOut(); } catch (err) { /* offline: the phone forgets the session anyway */ }
  await wipe();
  location.hash = '#/signin';
  location.reload();
}

export async function settingsScreen() {
  const user = await getMeta('user');
  const size = await applyTextSize();
  const { waiting, rejected } = await counts();
  const signOutArea = h('div');
  const askSignOut = () => {
    if (!waiting && !rejected) { finishSignOut(); return; }
    signOutArea.replaceChildren(h('div', { class: 'warning', role: 'alert' },
      h('p', {}, h('strong', {}, `${waiting + rejected} entries have not reached the office yet.`)),
      h('p', {}, 'If you sign out now they are deleted from this phone and lost. Get signal and wait for them to send first if you can.'),
      h('button', { type: 'button', class: 'button button--warning', onclick: finishSignOut }, 'Sign out and delete them'),
      h('button', { type: 'button', class: 'button button--secondary', onclick: () => signOutArea.replaceChildren() }, 'Cancel')));
    signOutArea.querySelector('button').focus();
  };
  render('Settings',
    user ? h('p', {}, `Signed in as ${user.name}.`) : null,
    await remindersSection(),
    form({
      fields: [{ name: 'text_size', label: 'Text size', type: 'radios', options: SIZES }],
      values: { text_size: size },
      submitLabel: 'Save text size',
      onSubmit: async ({ text_size }) => { await setMeta('text_size', text_size || 'default'); await applyTextSize(text_size); settingsScreen(); },
    }),
    h('h2', {}, 'Sign out'),
    h('p', {}, 'Signing out deletes everything about your clients from this phone.'),
    h('button', { type: 'button', class: 'button button--secondary', onclick: askSignOut }, 'Sign out'),
    signOutArea);
}

const REMINDER_WORDS = {
  unsupported: 'This phone’s browser cannot show reminders. Installing the app to the home screen may help.',
  blocked: 'Notifications are blocked for this app. Allow them in the phone’s settings to get reminders.',
  on: 'Reminders are on: this phone tells you before a visit. They never show a client’s name.',
  off: 'Get a reminder on this phone before each visit. Reminders never show a client’s name.',
};

async function remindersSection() {
  const area = h('div');
  const message = h('p', { role: 'status' });
  const draw = async (current, note = '') => {
    const buttons = [];
    const act = (label, fn, cls = 'button') => h('button', { type: 'button', class: cls, onclick: async () => {
      try { await fn(); } catch (err) { draw(await reminders.state(), `That did not work: ${err.message || err}. Check you have signal and try again.`); }
    } }, label);
    if (current === 'off') buttons.push(act('Turn on reminders', async () => draw(await reminders.turnOn())));
    if (current === 'on') {
      buttons.push(act('Send a test reminder', async () => {
        const result = await reminders.sendTest();
        draw('on', result.sent ? 'A test reminder is on its way.' : 'The reminder could not be delivered. Turn reminders off and on again.');
      }, 'button button--secondary'));
      buttons.push(act('Turn off reminders', async () => draw(await reminders.turnOff()), 'button button--secondary'));
    }
    message.textContent = note;
    area.replaceChildren(h('p', {}, REMINDER_WORDS[current]), ...buttons, message);
  };
  await draw(await reminders.state().catch(() => 'unsupported'));
  return h('section', { 'aria-labelledby': 'reminders-heading' }, h('h2', { id: 'reminders-heading' }, 'Visit reminders'), area);
}
