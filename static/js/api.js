// Talking to the server. A network failure is "offline", a 401 "signed out".
import { getMeta, setMeta } from './db.js';

export class AuthError extends Error {}
// The office signed this phone out (lost or stolen): it must wipe itself.
export class RevokedError extends AuthError {}
export class OfflineError extends Error {}
export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `The server answered ${status}.`);
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
    if (!data) throw new OfflineError(`The server is not answering properly (${response.status}).`);
    throw new ApiError(response.status, data.error);
  }
  return data;
}

export async function signIn(email, password) {
  return api('POST', '/api/session', { email, password, app: 'field' }); // { user, csrf_token }
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

export function queueServerSignOut(csrfToken) {
  localStorage.setItem(PENDING_SIGN_OUT, csrfToken || '');
}

export async function finishPendingSignOut() {
  let token = localStorage.getItem(PENDING_SIGN_OUT);
  if (token === null) return true;
  const send = (csrf) => fetch('/api/session', {
    method: 'DELETE', credentials: 'same-origin', cache: 'no-store',
    headers: { Accept: 'application/json', 'X-CSRF-Token': csrf },
  });
  try {
    let response = await send(token);
    if (response.status === 403) {
      // The kept token is stale: ask the live session for its own.
      const current = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      if (current.status === 401) response = current;
      else if (current.ok) { token = (await current.json()).csrf_token; response = await send(token); }
    }
    if (response.status === 204 || response.status === 401) {
      localStorage.removeItem(PENDING_SIGN_OUT);
      return true;
    }
  } catch (err) { /* still no signal: try again when it comes back */ }
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
