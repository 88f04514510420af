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
