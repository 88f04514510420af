// Visit reminders: this browser's push subscription, kept on the server.
import { OfflineError, api } from './api.js';
import { getMeta, setMeta } from './db.js';

export function supported() {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

async function registration() {
  return navigator.serviceWorker.ready;
}

// 'unsupported' | 'blocked' | 'on' | 'off'
export async function state() {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  const reg = await navigator.serviceWorker.getRegistration();
  if (!reg) return 'unsupported'; // the app has not been installed for offline use (yet)
  const sub = await reg.pushManager.getSubscription();
  return sub && Notification.permission === 'granted' ? 'on' : 'off';
}

const fromBase64Url = (text) => {
  const bytes = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bytes, (c) => c.charCodeAt(0));
};

export async function turnOn() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'blocked' : 'off';
  const { public_key: key } = await api('GET', '/api/webpush/key');
  const reg = await registration();
  const sub = (await reg.pushManager.getSubscription())
    || (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(key) }));
  await api('POST', '/api/webpush/subscriptions', sub.toJSON());
  return 'on';
}

export async function turnOff() {
  const sub = await (await registration()).pushManager.getSubscription();
  if (sub) {
    await api('DELETE', '/api/webpush/subscriptions', { endpoint: sub.endpoint });
    await sub.unsubscribe();
  }
  return 'off';
}

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
