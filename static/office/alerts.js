// Alerts of urgent safeguarding concerns on a coordinator's computer: the
// same Web Push code as the mentors' phones (imported from the field app's
// /static/js/reminders.js; the service worker at /sw.js
// shows the push; a click opens the concern). Loaded on every office page so
// that a click on an alert, with an office page already open, opens the
// concern there; the button is on the office home page only.
import { pushState, subscribe, unsubscribe } from '/static/js/reminders.js';

const TIME_LIMIT_MS = 20 * 1000;

const WORDS = {
  unsupported: 'This browser cannot show alerts. Use an up-to-date Chrome, Edge, Firefox or Safari to get them, and check the safeguarding list in the meantime.',
  blocked: 'Alerts are blocked for this site in this browser. Allow notifications for this site in the browser’s settings, then reload this page.',
  on: 'Alerts are on for this computer.',
  off: '',
};

// The browser's answer, or a clear "no answer" after the time limit.
function withinTimeLimit(promise) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The browser did not answer within ${TIME_LIMIT_MS / 1000} seconds`)), TIME_LIMIT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function api(method, url, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    // The office is signed in with the same session as the API: its token.
    const session = await api('GET', '/api/session');
    headers['X-CSRF-Token'] = session.csrf_token;
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    let message = `the server answered ${response.status}`;
    try { message = (await response.json()).error?.message || message; } catch (err) { /* not JSON */ }
    if (response.status === 401) message = 'you are signed out. Sign in again';
    throw new Error(message);
  }
  return response.status === 204 ? null : response.json();
}

const state = () => pushState('off'); // turning on registers the service worker
const turnOn = () => subscribe(api, { register: true });
const turnOff = () => unsubscribe(api);

function setUp(section) {
  const onButton = section.querySelector('[data-alerts=on]');
  const offButton = section.querySelector('[data-alerts=off]');
  const message = section.querySelector('[data-alerts=message]');
  let busy = false;

  const draw = (current, note) => {
    onButton.hidden = current !== 'off' && current !== 'blocked';
    offButton.hidden = current !== 'on';
    message.textContent = note || WORDS[current];
    section.dataset.state = current;
  };

  // No disabled buttons: a second click while busy is told to wait.
  const act = (button, working, done, fn) => button.addEventListener('click', async () => {
    if (busy) { message.textContent = `${working} Please wait.`; return; }
    busy = true;
    const label = button.textContent;
    button.setAttribute('aria-busy', 'true');
    button.textContent = working;
    message.textContent = working;
    try {
      const now = await withinTimeLimit(fn());
      draw(now, now === 'on' || now === 'off' ? done[now] : WORDS[now] || 'Alerts were not turned on: the browser was not allowed to show notifications.');
    } catch (err) {
      draw(await state().catch(() => 'unsupported'), `That did not work: ${err.message || 'no answer'}. Try again, or reload the page.`);
    } finally {
      busy = false;
      button.removeAttribute('aria-busy');
      button.textContent = label;
    }
  });

  act(onButton, 'Turning on alerts…', { on: 'Alerts are on for this computer.', off: 'Alerts were not turned on: the browser was not allowed to show notifications.' }, turnOn);
  act(offButton, 'Turning off alerts…', { off: 'Alerts are off for this computer.', on: WORDS.on }, turnOff);
  state().then((current) => draw(current), () => draw('unsupported'));
}

const section = document.querySelector('[data-alerts=section]');
if (section) setUp(section);

// A click on an alert with an office page open: the service worker asks this
// page to go to the concern.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => {
    const url = event.data && event.data.type === 'open' ? event.data.url : '';
    if (typeof url === 'string' && url.startsWith('/office/')) window.location.assign(url);
  });
  navigator.serviceWorker.startMessages();
}
