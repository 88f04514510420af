// Visit reminders: this browser's push subscription, kept on the server, and
// when to be reminded.
import { OfflineError, api } from './api.js';
import { getMeta, setMeta } from './db.js';

// Web Push in this browser: the one copy of the subscribe code, used here
// and by the office's alerts (/static/office/alerts.js imports these
// functions from this file; they use nothing of the field app but what they
// are given).

export function pushSupported() {
  return typeof window !== 'undefined' && window.isSecureContext && 'serviceWorker' in navigator
    && 'PushManager' in window && 'Notification' in window;
}

const fromBase64Url = (text) => {
  const bytes = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bytes, (c) => c.charCodeAt(0));
};

const registration = () => navigator.serviceWorker.getRegistration('/');

// 'unsupported' | 'blocked' | 'on' | 'off'; with no service worker
// registered yet: `unregistered` ('off' where subscribing registers it).
export async function pushState(unregistered = 'off') {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  const reg = await registration();
  if (!reg) return unregistered;
  const sub = await reg.pushManager.getSubscription();
  return sub && Notification.permission === 'granted' ? 'on' : 'off';
}

// This browser's push subscription, sent to the server through `client`,
// the caller's JSON client: client(method, url, body) gives the answer's JSON
// or throws with a message a person can read. register: register /sw.js
// first (the office; the field app has registered it already).
export async function subscribe(client, { register = false } = {}) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'blocked' : 'off';
  const { public_key: key } = await client('GET', '/api/webpush/key');
  if (register) await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
  const reg = await navigator.serviceWorker.ready;
  const sub = (await reg.pushManager.getSubscription())
    || (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(key) }));
  await client('POST', '/api/webpush/subscriptions', sub.toJSON());
  return 'on';
}

export async function unsubscribe(client) {
  const reg = await registration();
  const sub = reg && (await reg.pushManager.getSubscription());
  if (sub) {
    await client('DELETE', '/api/webpush/subscriptions', { endpoint: sub.endpoint });
    await sub.unsubscribe();
  }
  return 'off';
}

// The field app's notifications: 'unsupported' until the app has been
// installed for offline use (its service worker registered).
export const supported = pushSupported;
export const state = () => pushState('unsupported');
export const turnOn = () => subscribe(api);
export const turnOff = () => unsubscribe(api);

export const sendTest = () => api('POST', '/api/webpush/test');

// When to be reminded (the server sends the reminders): kept on the phone
// too, so the screen shows them with no signal, and a change made with no
// signal is sent at the next sync.
// { enabled, evening_time: "18:00", minutes_before: 60 }
export async function preferences() {
  try {
    const prefs = await api('GET', '/api/reminders/preferences');
    if (!(await getMeta('reminder_prefs_pending'))) await setMeta('reminder_prefs', prefs);
  } catch (err) { /* no signal: what the phone last knew */ }
  return (await getMeta('reminder_prefs')) || { enabled: true, evening_time: '18:00', minutes_before: 60 };
}

// true: saved on the server; false: kept on the phone until the next sync.
export async function savePreferences(prefs) {
  await setMeta('reminder_prefs', prefs);
  await setMeta('reminder_prefs_pending', true);
  return sendPendingPreferences();
}

export async function sendPendingPreferences() {
  if (!(await getMeta('reminder_prefs_pending'))) return true;
  const { enabled, evening_time, minutes_before } = await getMeta('reminder_prefs');
  try {
    await api('PUT', '/api/reminders/preferences', { enabled, evening_time, minutes_before });
  } catch (err) {
    if (err instanceof OfflineError) return false;
    await setMeta('reminder_prefs_pending', false); // refused: the form showed why; nothing to retry
    throw err;
  }
  await setMeta('reminder_prefs_pending', false);
  return true;
}
