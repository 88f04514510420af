// The always-visible sync status, when to sync, and app updates. Screens
// import from here, so it imports no screen (and no router): the router
// hooks in with onSynced. It does not boot the app: main.js does.
import { getMeta } from './db.js';
import { counts } from './store.js';
import { isSyncing, syncNow } from './sync.js';
import { h, plural } from './ui.js';
import { recordsPhrase } from './screens/labels.js';

const TIMER_MS = 5 * 60 * 1000;
const MAX_BACKOFF_MS = 15 * 60 * 1000;
let backoff = 30 * 1000;
let timer = null;
let lastOutcome = null;
let followUp = null;

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

// The parts of the page that belong to a signed-in person stay hidden
// until someone has signed in.
export function showSignedIn(signedIn) {
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('sync-status').hidden = !signedIn;
}

export async function showStatus() {
  const bar = document.getElementById('sync-status');
  const [c, last, auth, user] = await Promise.all([counts(), getMeta('last_sync_at'), getMeta('auth'), getMeta('user')]);
  showSignedIn(Boolean(user));
  if (!user) return;
  const waiting = recordsPhrase(c.waitingByKind);
  const parts = [];
  let tone = '';
  if (auth === 'expired') {
    tone = 'error';
    parts.push(`Signed out. ${c.waiting ? `${waiting} waiting to send. ` : ''}`);
  } else if (isSyncing()) {
    parts.push(c.waiting ? `Sending ${waiting}…` : 'Checking for updates…');
  } else if (c.waiting) {
    tone = 'warning';
    parts.push(`${waiting} waiting to send${lastOutcome === 'offline' ? ' (no signal)' : ''}.`);
    parts.push(` Last sent ${ago(last)}.`);
  } else {
    parts.push(last ? `All sent ${ago(last)}.` : 'Not synced yet.');
  }
  const toCheck = c.rejected + c.conflicts;
  bar.className = `sync-status${tone ? ` sync-status--${tone}` : (toCheck ? ' sync-status--warning' : '')}`;
  bar.replaceChildren(parts.join(''));
  if (toCheck || c.settled) {
    bar.append(' ', h('a', { href: '#/conflicts' }, [toCheck ? `${plural(toCheck, 'thing')} to check` : null,
      c.settled ? `${toCheck ? '; ' : ''}${c.settled} settled on the other phone` : null].filter(Boolean).join('')));
  }
  if (auth === 'expired') bar.append(' ', h('a', { href: '#/signin', class: 'button button--secondary' }, 'Sign in again'));
  const nav = document.getElementById('nav-conflicts');
  nav.replaceChildren('To check', toCheck ? h('span', { class: 'badge' }, h('span', { class: 'visually-hidden' }, ': '), String(toCheck)) : '');
}

// --- syncing --------------------------------------------------------------
// fn(result) runs after every sync and is awaited before the status bar
// shows the outcome (the router redraws a list with what a sync brought).
const syncedHooks = [];
export function onSynced(fn) {
  syncedHooks.push(fn);
}

export async function requestSync() {
  if ((await getMeta('user')) === undefined) return;
  // Signed out on the server: the outbox waits until the person signs in again.
  if ((await getMeta('auth')) === 'expired') { await showStatus(); return { outcome: 'signed-out' }; }
  if (isSyncing()) {
    // The running sync may have read the outbox before this caller's entry
    // was saved: one more sync follows it, and every caller meanwhile waits
    // for that one.
    if (!followUp) followUp = syncNow().then(() => { followUp = null; return requestSync(); });
    return followUp;
  }
  const started = syncNow();
  showStatus();
  const result = await started;
  if (result.outcome === 'revoked') {
    // Rare, and the phone is online when it happens: loaded only then.
    await (await import('./revoked.js')).wipeThisPhone(result.message);
    return result;
  }
  lastOutcome = result.outcome;
  backoff = result.outcome === 'synced' ? 30 * 1000 : Math.min(backoff * 2, MAX_BACKOFF_MS);
  let next = result.outcome === 'synced' ? TIMER_MS : backoff;
  // A delete waiting out its undo time goes as soon as that time is up.
  if (result.heldUntil) next = Math.min(next, Math.max(500, Date.parse(result.heldUntil) - Date.now() + 250));
  schedule(next);
  // The screen shows what the sync brought before the bar says "All sent".
  for (const hook of syncedHooks) await hook(result);
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

export async function registerServiceWorker() {
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
