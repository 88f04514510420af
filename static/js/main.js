// The entry module (index.html loads it): boots the app. Nothing imports it,
// and no other module boots anything.
import { finishPendingSignOut } from './api.js';
import { registerServiceWorker, requestSync, showStatus } from './app.js';
import { startRouting } from './routes.js';
import { applyTextSize } from './screens/settings.js';

async function boot() {
  await applyTextSize();
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  registerServiceWorker();
  // A tapped reminder asks an open window to show what it is about.
  navigator.serviceWorker?.addEventListener('message', (event) => {
    const { type, url } = event.data || {};
    if (type === 'open' && typeof url === 'string' && url.startsWith('/')) location.hash = new URL(url, location.origin).hash || '#/';
  });
  window.addEventListener('online', () => { finishPendingSignOut(); requestSync(); });
  finishPendingSignOut();
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') requestSync(); });
  await startRouting();
  await showStatus();
  setInterval(showStatus, 60 * 1000); // keep "all sent 3 min ago" true
  requestSync();
}

boot();
