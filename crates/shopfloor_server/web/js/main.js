// Shopfloor web pages: ES modules, no build step, no dependencies (docs/adr/0008-web-pages.md).
// This entry module says which page each route shows and starts the page: the session check,
// the board's first page in parallel with it, and the first route.

import { adminPage } from './admin.js';
import { errorText, onUnauthorized } from './api.js';
import { boardPage, dropPrefetch, prefetchBoard } from './board.js';
import { $, banner } from './dom.js';
import { feedRunning, stopFeed } from './feed.js';
import { linePage } from './line.js';
import { loginPage } from './login.js';
import { MASTER, masterPage } from './master-data.js';
import { orderPage } from './order.js';
import { timelinePage } from './timeline.js';
import { travelerPage } from './traveler.js';
import { go, route, setPages } from './router.js';
import { loadSession, logOut, session } from './session.js';

setPages(async (main, parts, params) => {
  if (parts[0] === 'login') await loginPage(main, params);
  else if (parts[0] === 'orders' && parts[1] && parts[2] === 'traveler') await travelerPage(main, decodeURIComponent(parts[1]));
  else if (parts[0] === 'orders' && parts[1]) await orderPage(main, decodeURIComponent(parts[1]), params);
  else if (parts[0] === 'orders') await boardPage(main, params);
  else if (parts[0] === 'line') await linePage(main, params);
  else if (parts[0] === 'timeline') await timelinePage(main, params);
  else if (parts[0] === 'master' && MASTER[parts[1]]) await masterPage(main, parts[1]);
  else if (parts[0] === 'admin') await adminPage(main);
  else return false;
  return true;
});

// A 401 after login: the session ended (expired, logged out elsewhere).
onUnauthorized(() => {
  if (!session.user) return;
  session.user = null;
  go('/login');
});

// Larger text (for a tablet at arm's length), remembered by this browser.
const TEXT_KEY = 'shopfloor.largeText';
const setLargeText = (on) => {
  document.documentElement.classList.toggle('large-text', on);
  $('#text-size').setAttribute('aria-pressed', String(on));
  if (on) localStorage.setItem(TEXT_KEY, '1'); else localStorage.removeItem(TEXT_KEY);
};
setLargeText(localStorage.getItem(TEXT_KEY) === '1');
$('#text-size').addEventListener('click', () => setLargeText(!document.documentElement.classList.contains('large-text')));

$('#logout').addEventListener('click', async () => {
  await logOut();
  go('/login');
});
// A browser allows about six connections per server: a page being left must give its change-feed
// connection back at once (and take a new one if it is shown again from the back/forward cache).
window.addEventListener('pagehide', stopFeed);
window.addEventListener('pageshow', (ev) => {
  if (ev.persisted && session.user && !feedRunning()) loadSession().then(() => route());
});
window.addEventListener('hashchange', route);
prefetchBoard();
loadSession().then((loggedIn) => {
  if (!loggedIn) dropPrefetch();
  return route();
}, (e) => { $('#main').replaceChildren(banner('error', errorText(e))); });
