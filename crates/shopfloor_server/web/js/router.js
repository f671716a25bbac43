// Routes live in the URL hash (#/orders?status=RUNNING…) so every view is shareable and the back
// button works. `route()` shows the page the hash names; main.js says which page that is.

import { $, banner, h } from './dom.js';
import { errorText } from './api.js';
import { clearChangeListeners } from './feed.js';
import { can, session } from './session.js';

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/orders';
  const [path, qs] = raw.split('?');
  return { path, params: new URLSearchParams(qs || '') };
}

export function go(path, params, replace = false) {
  const qs = params && [...params].length ? `?${params}` : '';
  const target = `#${path}${qs}`;
  if (location.hash === target) return route();
  if (replace) { history.replaceState(null, '', target); route(); } else location.hash = target;
}

// Focus moves to the main region on navigation, except when the page itself changes its own view
// (a filter, a save, a tab): then the control the person used keeps it.
let focusMain = true;
let focusKey = null;
/** The next `route()` leaves the focus where it is: on the control the person used, or on the
 * same control of the page drawn anew (found again by id or by what it stands for). */
export function keepFocus() {
  focusMain = false;
  focusKey = selectorOf(document.activeElement);
}

function selectorOf(el) {
  if (!el || el === document.body) return null;
  if (el.id) return `#${CSS.escape(el.id)}`;
  for (const a of ['data-sort', 'data-transition', 'data-property', 'name']) {
    if (el.hasAttribute(a)) return `${el.tagName.toLowerCase()}[${a}="${CSS.escape(el.getAttribute(a))}"]`;
  }
  return null;
}

const NAV = [
  ['/orders', 'Orders', 'productionOrder', 'findProductionOrders'],
  ['/line', 'Line', 'productionOrder', 'findProductionOrders'],
  ['/timeline', 'Timeline', 'productionOrder', 'findProductionOrders'],
  ['/master/units', 'Units', 'unitOfMeasure', 'findUnitsOfMeasure'],
  ['/master/materials', 'Materials', 'material', 'findMaterials'],
  ['/master/locations', 'Locations', 'location', 'getLocationTree'],
  ['/master/customers', 'Customers', 'customer', 'findCustomers'],
  ['/master/shifts', 'Shifts', 'shift', 'findShifts'],
  ['/master/people', 'People', 'personnel', 'findPeople'],
  ['/master/properties', 'Order properties', 'productionOrder', 'findProductionOrderProperties'],
  ['/master/reasons', 'Stop reasons', 'productionOrder', 'saveStopReason'],
  ['/admin', 'Admin', 'security', 'findUsers'],
  ['/admin', 'Admin', 'integration', 'getAllWebhooks'],
];

function renderNav(current) {
  const top = $('#top');
  top.hidden = !session.user;
  if (!session.user) return;
  $('#who').textContent = session.user;
  // A page is listed once, for the first of its entries the caller may use.
  const shown = NAV.filter(([, , m, f]) => can(m, f)).filter(([path], i, all) => all.findIndex(([p]) => p === path) === i);
  $('#nav').replaceChildren(...shown.map(([path, text]) =>
    h('li', {}, h('a', { href: `#${path}`, 'aria-current': current.startsWith(path) ? 'page' : null }, text))));
}

let showPage = async () => false;
/** `show(main, parts, params)` renders the page of the path's `parts` into `main`; false: none. */
export function setPages(show) { showPage = show; }

export async function route() {
  clearChangeListeners();
  const { path, params } = parseHash();
  const main = $('#main');
  if (!session.user && path !== '/login') return go('/login', new URLSearchParams({ next: location.hash.slice(1) }), true);
  renderNav(path);
  main.replaceChildren();
  try {
    if (!(await showPage(main, path.split('/').filter(Boolean), params))) {
      main.append(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/orders' }, 'Go to the order board')));
    }
  } catch (e) {
    main.append(banner('error', errorText(e)));
  }
  const heading = main.querySelector('h1');
  if (heading) document.title = `${heading.textContent} · Shopfloor`;
  if (focusMain) main.focus({ preventScroll: true });
  else if (focusKey && (!document.activeElement?.isConnected || document.activeElement === document.body)) {
    document.querySelector(focusKey)?.focus({ preventScroll: true });
  }
  focusMain = true;
  focusKey = null;
}
