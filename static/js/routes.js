// Which screen answers which address (#/...).
import { signInScreen } from './screens/signin.js';
import { homeScreen } from './screens/home.js';
import { clientScreen } from './screens/client.js';
import { visitScreen, newVisitScreen } from './screens/visit.js';
import { concernScreen, goalScreen, problemScreen, progressEntryScreen, progressScreen } from './screens/records.js';
import { toCheckScreen } from './screens/conflicts.js';
import { settingsScreen } from './screens/settings.js';

const ID = '([0-9a-f-]{36})';

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
  [/^\/conflicts$/, toCheckScreen],
  [/^\/settings$/, settingsScreen],
];
