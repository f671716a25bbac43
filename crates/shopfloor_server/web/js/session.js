// Who is logged in and which catalogue functions they may call (GET /api/v1/web/session, the same
// check the server applies): the page hides what the caller cannot call, and the server refuses
// it anyway. Logging in and out, and starting the change feed for a session that may follow it.

import { ApiError, http, setCsrf } from './api.js';
import { loadCatalogue } from './catalogue.js';
import { feedRunning, startFeed, stopFeed } from './feed.js';

export const session = { user: null, functions: new Set() };

export const can = (module, fn) => session.functions.has(`${module}.${fn}`);

/** Asks the server who is logged in; false when nobody is. */
export async function loadSession() {
  const lists = loadCatalogue(); // asked together with the session: one round trip, not two
  let s;
  try {
    s = await http('GET', '/api/v1/web/session');
  } catch (e) {
    lists.catch(() => {}); // refused as well without a session
    if (e instanceof ApiError && e.status === 401) { session.user = null; return false; }
    throw e;
  }
  session.user = s.user;
  session.functions = new Set(s.functions);
  if (!feedRunning() && s.changeFeed) startFeed(s.lastSequence);
  await lists;
  return true;
}

export async function logIn(name, password) {
  const r = await http('POST', '/api/v1/login', { name, password });
  setCsrf(r.csrfToken);
  stopFeed();
  await loadSession();
}

export async function logOut() {
  try { await http('POST', '/api/v1/logout'); } catch { /* the session may be gone already */ }
  setCsrf(null);
  session.user = null;
  session.functions = new Set();
  stopFeed();
}
