// A phone the office has signed out (lost, stolen, or its volunteer left):
// the server says "device_revoked" at its next contact. Everything about
// clients is deleted, the entries that never reached the office included;
// the screen says how many were lost, so the volunteer can tell the office.
import { wipe } from './db.js';
import { counts } from './store.js';
import { h, plural, render } from './ui.js';
import { recordsPhrase } from './screens/labels.js';

let wiping = null;

async function forget() {
  const { waiting, waitingByKind, rejected } = await counts().catch(() => ({ waiting: 0, rejected: 0 }));
  await wipe();
  if (self.caches) for (const key of await caches.keys()) await caches.delete(key);
  localStorage.clear();
  // The browser clears the rest: cookies, storage, the service worker.
  await fetch('/api/session/wipe', { method: 'POST', credentials: 'same-origin', cache: 'no-store' }).catch(() => {});
  return { waiting, waitingByKind, rejected };
}

export function wipeThisPhone(message) {
  if (!wiping) {
    wiping = forget().then(({ waiting, waitingByKind, rejected }) => {
      document.getElementById('nav').hidden = true;
      document.getElementById('sync-status').hidden = true;
      const lost = [waiting ? recordsPhrase(waitingByKind) : null,
        rejected ? plural(rejected, 'entry', 'entries') + ' to check' : null].filter(Boolean).join(' and ');
      render('This phone has been signed out',
        h('p', {}, message || 'The office has signed this phone out, and what it held about your clients has been deleted from it.'),
        lost ? h('p', { class: 'error-message' }, `${lost} had not reached the office and ${waiting + rejected === 1 ? 'was' : 'were'} deleted too. Tell your coordinator what ${waiting + rejected === 1 ? 'it was' : 'they were'}.`)
          : h('p', {}, 'Everything you recorded had already reached the office.'),
        h('p', {}, h('a', { href: '/', class: 'button' }, 'Sign in again')));
    });
  }
  return wiping;
}
