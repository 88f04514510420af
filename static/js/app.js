// Boot, routing, the always-visible sync status, and when to sync.
import { getMeta } from './db.js';
import { counts } from './store.js';
import { isSyncing, syncNow } from './sync.js';
import { h } from './ui.js';
import { applyTextSize } from './screens/settings.js';
import { routes } from './routes.js';

const TIMER_MS = 5 * 60 * 1000;
const MAX_BACKOFF_MS = 15 * 60 * 1000;
let backoff = 30 * 1000;
let timer = null;
let lastOutcome = null;

// --- status ---------------------------------------------------------------
function ago(iso) {
  if (!iso) return 'never';
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60000);
  if (minutes < 1) return 'just now';
  if (minutes === 1) return '1 min ago';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
}

export async function showStatus() {
  const bar = document.getElementById('sync-status');
  const [c, last, auth] = await Promise.all([counts(), getMeta('last_sync_at'), getMeta('auth')]);
  const parts = [];
  let tone = '';
  if (auth === 'expired') {
    tone = 'error';
    parts.push(`Signed out. ${c.waiting ? `${c.waiting} waiting to send. ` : ''}`);
  } else if (isSyncing()) {
    parts.push(c.waiting ? `Sending ${c.waiting}…` : 'Checking for updates…');
  } else if (c.waiting) {
    tone = 'warning';
    parts.push(`${c.waiting} waiting to send${lastOutcome === 'offline' ? ' (no signal)' : ''}.`);
    parts.push(` Last sent ${ago(last)}.`);
  } else {
    parts.push(last ? `All sent ${ago(last)}.` : 'Not synced yet.');
  }
  if (c.rejected || c.conflicts) {
    tone = tone || 'warning';
    parts.push(` ${c.rejected + c.conflicts} to check.`);
  }
  bar.className = `sync-status${tone ? ` sync-status--${tone}` : ''}`;
  bar.replaceChildren(parts.join(''));
  if (auth === 'expired') bar.append(h('a', { href: '#/signin', class: 'button button--secondary' }, 'Sign in again'));
  const nav = document.getElementById('nav-conflicts');
  nav.textContent = c.rejected + c.conflicts ? `To check (${c.rejected + c.conflicts})` : 'To check';
}

// --- syncing --------------------------------------------------------------
export async function requestSync() {
  if ((await getMeta('user')) === undefined) return;
  // Signed out on the server: the outbox waits until the person signs in again.
  if ((await getMeta('auth')) === 'expired') { await showStatus(); return { outcome: 'signed-out' }; }
  if (isSyncing()) return syncNow(); // join it; the caller that started it reports
  const started = syncNow();
  showStatus();
  const result = await started;
  lastOutcome = result.outcome;
  backoff = result.outcome === 'synced' ? 30 * 1000 : Math.min(backoff * 2, MAX_BACKOFF_MS);
  schedule(result.outcome === 'synced' ? TIMER_MS : backoff);
  await showStatus();
  window.dispatchEvent(new CustomEvent('synced', { detail: result }));
  if (pendingUpdate && !isSyncing()) pendingUpdate();
  return result;
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(requestSync, ms);
}

// After a save: sync now, and let Background Sync finish the job if the
// app is closed before the signal returns.
export async function afterSave() {
  await showStatus();
  try {
    const reg = await navigator.serviceWorker?.ready;
    if (reg && 'sync' in reg) await reg.sync.register('outbox');
  } catch (err) { /* Background Sync is optional */ }
  requestSync();
}

// --- routing --------------------------------------------------------------
async function route() {
  const path = location.hash.replace(/^#/, '') || '/';
  const user = await getMeta('user');
  if (!user && path !== '/signin') { location.hash = '#/signin'; return; }
  for (const [pattern, screen] of routes) {
    const match = path.match(pattern);
    if (match) { await screen(...match.slice(1)); return; }
  }
  location.hash = '#/';
}

// --- updates --------------------------------------------------------------
let pendingUpdate = null;
let updateRequested = false;

function offerUpdate(worker) {
  const banner = document.getElementById('update-banner');
  banner.hidden = false;
  document.getElementById('update-now').onclick = () => {
    // Never swap versions in the middle of a sync.
    updateRequested = true;
    pendingUpdate = () => { pendingUpdate = null; worker.postMessage({ type: 'activate-update' }); };
    if (!isSyncing()) pendingUpdate();
  };
}

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  try {
    const reg = await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
    if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(worker);
      });
    });
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (reloading || !updateRequested) return; // the first install also changes controller
      reloading = true;
      location.reload();
    });
  } catch (err) {
    console.warn('service worker not registered', err);
  }
}

async function boot() {
  await applyTextSize();
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  registerServiceWorker();
  window.addEventListener('hashchange', route);
  // Lists show what the sync brought; forms are left alone while being filled in.
  window.addEventListener('synced', (event) => {
    const path = location.hash.replace(/^#/, '') || '/';
    if (event.detail.outcome === 'synced' && (path === '/' || path.startsWith('/client/') || path === '/conflicts')) route();
  });
  window.addEventListener('online', requestSync);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') requestSync(); });
  await route();
  await showStatus();
  setInterval(showStatus, 60 * 1000); // keep "all sent 3 min ago" true
  requestSync();
}

boot();
