// Visit reminders: this browser's push subscription, kept on the server.
import { api } from './api.js';

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
  const { public_key: key } = await api('GET', '/api/push/key');
  const reg = await registration();
  const sub = (await reg.pushManager.getSubscription())
    || (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(key) }));
  await api('POST', '/api/push/subscriptions', sub.toJSON());
  return 'on';
}

export async function turnOff() {
  const sub = await (await registration()).pushManager.getSubscription();
  if (sub) {
    await api('DELETE', '/api/push/subscriptions', { endpoint: sub.endpoint });
    await sub.unsubscribe();
  }
  return 'off';
}

export const sendTest = () => api('POST', '/api/push/test');
