// Routing: which screen answers which address (#/...), drawing one screen
// at a time, and asking before leaving unsaved typing.
import { onSynced, showSignedIn } from './app.js';
import { getMeta } from './db.js';
import { hasUnsavedInput, onRefresh } from './ui.js';
import { signInScreen } from './screens/signin.js';
import { homeScreen } from './screens/home.js';
import { clientScreen } from './screens/client.js';
import { visitScreen, newVisitScreen } from './screens/visit.js';
import { concernScreen, goalScreen, problemScreen, progressEntryScreen, progressScreen } from './screens/records.js';
import { toCheckScreen } from './screens/conflicts.js';
import { settingsScreen } from './screens/settings.js';

const ID = '([0-9a-f-]{36})';
// Expenses load when first opened (the service worker has them offline):
// what a phone loads to start stays small.
const expenses = (name) => async (...args) => (await import('./screens/expenses.js'))[name](...args);

export const routes = [
  [/^\/$/, homeScreen],
  [/^\/signin$/, signInScreen],
  [new RegExp(`^/client/${ID}$`), clientScreen],
  [new RegExp(`^/visit/new/${ID}$`), newVisitScreen],
  [new RegExp(`^/visit/${ID}$`), visitScreen],
  [new RegExp(`^/goal/new/${ID}$`), (clientId) => goalScreen(null, clientId)],
  [new RegExp(`^/goal/${ID}$`), (id) => goalScreen(id)],
  [new RegExp(`^/progress/new/${ID}$`), progressScreen],
  [new RegExp(`^/progress/${ID}$`), progressEntryScreen],
  [new RegExp(`^/problem/new/${ID}$`), (clientId) => problemScreen(null, clientId)],
  [new RegExp(`^/problem/${ID}$`), (id) => problemScreen(id)],
  [new RegExp(`^/concern/new/${ID}$`), concernScreen],
  [new RegExp(`^/wellbeing/new/${ID}$`), async (id) => (await import('./screens/wellbeing.js')).wellbeingScreen(id)],
  [/^\/conflicts$/, toCheckScreen],
  [/^\/settings$/, settingsScreen],
  [/^\/expenses$/, expenses('expensesScreen')],
  [/^\/expenses\/(journey|cost)$/, expenses('itemScreen')],
  [new RegExp(`^/expenses/item/${ID}$`), (id) => expenses('itemScreen')(null, id)],
  [new RegExp(`^/expenses/send/${ID}$`), expenses('sendScreen')],
];

// Leaving a screen with something typed and not saved asks first.
const LEAVE_QUESTION = 'You have typed something on this screen that is not saved. Leave it and lose what you typed?';
let currentPath = null;
let routing = Promise.resolve();
let wanted = 0;

// One screen is drawn at a time, and only the newest request is drawn: a
// screen that read the database before a sync cannot paint over one drawn
// after it.
export function route() {
  const mine = ++wanted;
  routing = routing.then(() => (mine === wanted ? drawRoute() : null)).catch((err) => console.error(err));
  return routing;
}

async function drawRoute() {
  const path = location.hash.replace(/^#/, '') || '/';
  if (currentPath !== null && path !== currentPath && hasUnsavedInput() && !window.confirm(LEAVE_QUESTION)) {
    history.replaceState(null, '', `#${currentPath}`); // stay, with the typing as it was
    return;
  }
  currentPath = path;
  const user = await getMeta('user');
  showSignedIn(Boolean(user));
  if (!user && path !== '/signin') { location.hash = '#/signin'; return; }
  for (const [pattern, screen] of routes) {
    const match = path.match(pattern);
    if (match) { await screen(...match.slice(1)); return; }
  }
  location.hash = '#/';
}

// Lists show what the sync brought (and are not redrawn when it brought
// nothing); forms are left alone while being filled in.
function redrawAfterSync(result) {
  const path = location.hash.replace(/^#/, '') || '/';
  if (result.outcome === 'synced' && result.changed && !hasUnsavedInput()
      && (path === '/' || path.startsWith('/client/') || path.startsWith('/goal/') || path === '/conflicts' || path === '/expenses')) return route();
  return null;
}

// Called once, by main.js: follow the address, redraw after syncs and Undo.
export function startRouting() {
  window.addEventListener('hashchange', route);
  window.addEventListener('beforeunload', (event) => {
    if (hasUnsavedInput()) { event.preventDefault(); event.returnValue = LEAVE_QUESTION; }
  });
  onSynced(redrawAfterSync);
  onRefresh(route);
  return route();
}
