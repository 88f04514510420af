import { AuthError, finishPendingSignOut, signIn } from '../api.js';
import { getMeta, setMeta, wipe } from '../db.js';
import { counts } from '../store.js';
import { form, h, render } from '../ui.js';
import { recordsPhrase } from './labels.js';
import { requestSync } from '../app.js';

export async function signInScreen() {
  const previous = await getMeta('user');
  const expired = (await getMeta('auth')) === 'expired';
  const { waiting, waitingByKind } = await counts();
  const what = recordsPhrase(waitingByKind);
  const isAre = waiting === 1 ? 'is' : 'are';
  const intro = expired
    ? h('p', {}, `You need to sign in again.${waiting ? ` ${what} ${isAre} safe on this phone and will be sent once you have.` : ''}`)
    : h('p', {}, 'Use the email address and password the office gave you.');
  // A first-time password from the office must be changed first, on the server's page.
  const firstPassword = h('p', { hidden: true }, h('a', { href: '/account/new-password', class: 'button' }, 'Choose your own password'));
  render('Sign in', intro, form({
    fields: [
      { name: 'email', label: 'Email address', type: 'email', required: true, requiredMessage: 'Enter your email address', autocomplete: 'username' },
      { name: 'password', label: 'Password', type: 'password', required: true, requiredMessage: 'Enter your password', autocomplete: 'current-password' },
    ],
    submitLabel: 'Sign in',
    onSubmit: async ({ email, password }) => {
      let session;
      try {
        await finishPendingSignOut(); // an earlier sign-out made with no signal ends first
        session = await signIn(email, password);
      } catch (err) {
        if (err instanceof AuthError) return { email: 'Email or password is incorrect' };
        // A coordinator: refused by the server before any session began.
        if (err.code === 'field_app_for_mentors') return { email: err.message };
        if (err.code === 'password_change_required') { firstPassword.hidden = false; return { password: err.message }; }
        return { email: err.message || 'Could not sign in. Check you have signal and try again.' };
      }
      if (previous && previous.id !== session.user.id) {
        if (waiting) return { email: `${previous.name} has ${what} still waiting on this phone. Sign in as ${previous.name} to send them first.` };
        await wipe(); // someone else's data never stays on the phone
      }
      await setMeta('csrf_token', session.csrf_token);
      await setMeta('user', session.user);
      await setMeta('auth', 'ok');
      location.hash = '#/';
      requestSync();
      return null;
    },
  }), firstPassword);
}
