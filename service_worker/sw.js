// Service worker (served at /sw.js; the server puts SHELL_VERSION and
// SHELL_FILES above this line). It caches the app shell only: API responses
// hold personal data and live in IndexedDB alone, never in Cache Storage.
import { syncNow } from '/static/js/sync.js';

const CACHE = `shell-${SHELL_VERSION}`;

self.addEventListener('install', (event) => {
  // No skipWaiting here: the page asks for it, and only between syncs.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL_FILES.map((url) => new Request(url, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('shell-') && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'activate-update') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return; // network only, never cached
  if (event.request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/index.html')) {
    event.respondWith(caches.match('/', { cacheName: CACHE }).then((hit) => hit || fetch(event.request)));
    return;
  }
  if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(event.request)));
  }
});

// Background Sync (where the browser has it): send the outbox even if the
// app was closed before the signal came back.
self.addEventListener('sync', (event) => {
  if (event.tag === 'outbox') {
    event.waitUntil(syncNow().then((result) => {
      if (result.outcome === 'offline') throw new Error('still offline'); // the browser retries later
    }));
  }
});

// Web Push ('push' is the browser's name for the event): reminders and
// alerts carry no personal data (they pass through the browser maker's
// Web Push service); the notification only says to open the app.
self.addEventListener('push', (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (err) { message = {}; }
  const url = typeof message.url === 'string' && message.url.startsWith('/') ? message.url : '/';
  event.waitUntil(self.registration.showNotification(message.title || 'Peer Mentors', {
    body: message.body || 'Open the app to see what is new.',
    icon: '/static/icons/icon-192.png',
    tag: message.tag || message.type || 'reminder', // one per visit and kind: a second reminder does not replace the first
    data: { url },
  }));
});

// A tap on a reminder opens what it is about (a visit), from the shell in
// the cache, so it works with no signal too; a tap on an office alert opens
// the office page it names. An open window of the same part (the field app is
// the page at /, routed by #/...; the office is under /office/) is asked to go
// there; otherwise a new window opens at that address. A field-app window is
// never sent an office address, nor an office page a visit.
const isOffice = (path) => path === '/office' || path.startsWith('/office/');
const isFieldApp = (path) => path === '/' || path === '/index.html';

function windowFor(windows, url) {
  const office = isOffice(new URL(url, self.location.origin).pathname);
  return windows.find((w) => {
    const path = new URL(w.url).pathname;
    return office ? isOffice(path) : isFieldApp(path);
  });
}

async function openFromNotification(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const target = windowFor(windows, url);
  if (target) {
    target.postMessage({ type: 'open', url });
    try { return await target.focus(); } catch (err) { return target; } // focus is allowed only from a tap
  }
  return self.clients.openWindow(url);
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data && typeof event.notification.data.url === 'string' ? event.notification.data.url : '/';
  event.waitUntil(openFromNotification(url.startsWith('/') ? url : '/'));
});
