// Talking to the server. A network failure is "offline", a 401 "signed out".
import { getMeta, setMeta } from './db.js';

export class AuthError extends Error {}
// The office signed this phone out (lost or stolen): it must wipe itself.
export class RevokedError extends AuthError {}
export class OfflineError extends Error {}
// Said instead of a status code: people need what to do, not a number.
const NOT_ANSWERING = 'The server is not answering just now. Try again in a few minutes.';
export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || NOT_ANSWERING);
    this.status = status;
    this.code = error && error.code;
    this.fields = (error && error.fields) || {};
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const token = await getMeta('csrf_token');
    if (token) headers['X-CSRF-Token'] = token;
  }
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new OfflineError('No connection to the server.');
  }
  if (response.status === 204) return null;
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  if (response.status === 401) {
    const error = (data && data.error) || {};
    throw new (error.code === 'device_revoked' ? RevokedError : AuthError)(error.message || 'Sign in again.');
  }
  if (!response.ok) {
    if (!data) throw new OfflineError(NOT_ANSWERING);
    throw new ApiError(response.status, data.error);
  }
  return data;
}

// A new sign-in forgets any sign-out still queued: its token was the old
// session's, and the new session must never be ended by it.
export async function signIn(email, password) {
  const session = await api('POST', '/api/session', { email, password, app: 'field' }); // { user, csrf_token }
  forgetPendingSignOut();
  return session;
}

export async function currentSession() {
  const data = await api('GET', '/api/session');
  await setMeta('csrf_token', data.csrf_token);
  return data.user;
}

// A sign-out made with no signal: the phone forgets everything at once, but
// the server's session lives on until told. The token to tell it with is kept
// outside IndexedDB (which the sign-out wipes) and sent when there is signal.
const PENDING_SIGN_OUT = 'peer-mentors-pending-sign-out';
const RETRY_MS = 60 * 1000;

export function queueServerSignOut(csrfToken) {
  localStorage.setItem(PENDING_SIGN_OUT, csrfToken || '');
}

let retry = null;
function forgetPendingSignOut() {
  localStorage.removeItem(PENDING_SIGN_OUT);
  clearTimeout(retry);
}

// Sent with the old session's own token only: a 403 means this browser now
// holds another session (or a stale token), which that token cannot end,
// and a live session's token is never borrowed for it. Until it goes (or a
// new sign-in forgets it), it is tried again every minute.
export async function finishPendingSignOut() {
  const token = localStorage.getItem(PENDING_SIGN_OUT);
  clearTimeout(retry);
  if (token === null) return true;
  try {
    const response = await fetch('/api/session', {
      method: 'DELETE', credentials: 'same-origin', cache: 'no-store',
      headers: { Accept: 'application/json', 'X-CSRF-Token': token },
    });
    const gone = response.status === 403 // the old session may have ended anyway
      && (await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })).status === 401;
    if (response.status === 204 || response.status === 401 || gone) {
      if (localStorage.getItem(PENDING_SIGN_OUT) === token) forgetPendingSignOut();
      return true;
    }
  } catch (err) { /* still no signal */ }
  if (localStorage.getItem(PENDING_SIGN_OUT) !== null) retry = setTimeout(finishPendingSignOut, RETRY_MS);
  return false;
}

// Sign out, and check it took: a request still in flight with the old cookies
// can hand the browser a signed-in session again, so ask until it says 401.
export async function signOut() {
  for (let attempt = 0; attempt < 3; attempt++) {
    await api('DELETE', '/api/session');
    try {
      const data = await api('GET', '/api/session');
      await setMeta('csrf_token', data.csrf_token);
    } catch (err) {
      if (err instanceof AuthError) return;
      throw err;
    }
  }
}
