// The order board (#/orders): filters, sorting and the page number live in the URL; the page of
// rows reloads on every change-feed event about an order (at most every 500 ms).

import { call, errorText } from './api.js';
import { loadCatalogue, openStatuses, orderStatuses } from './catalogue.js';
import { announce, banner, debounce, field, h, select } from './dom.js';
import { onChange } from './feed.js';
import { NUM, fmtDay, fmtNum } from './format.js';
import { flattenTree, indent, locationList } from './lookups.js';
import { go, keepFocus, parseHash, route } from './router.js';
import { savedViewsSection } from './saved-views.js';
import { can } from './session.js';

const PAGE_SIZE = 50;
/** The most rows one export holds (the server's largest page). */
const MAX_EXPORT = 10000;
const BOARD_COLUMNS = [
  ['name', 'Order'], ['productName', 'Product'], ['customerName', 'Customer'], ['locationPath', 'Location'],
  ['status', 'Status'], ['schedulePriority', 'Priority'], ['quantity', 'Quantity / produced'], ['dueDate', 'Due'],
];
/** Statuses in which a past due date no longer makes an order overdue (docs/adr/0008). */
const NOT_OVERDUE = ['CLOSED', 'CANCELLED', 'STOPPED'];

/** The statuses of the board's URL: none given → open work; `all` → no status filter. */
function chosenStatuses(params) {
  const given = params.get('status');
  if (given === null) return openStatuses();
  const known = orderStatuses();
  return given.split(',').filter((s) => known.includes(s));
}

/** Local midnight of today plus `days`. */
function dayStart(days = 0) {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + days);
  return d;
}

/** The QueryRequest of the board's URL (the catalogue's lists must be loaded). */
function boardQuery(params, locations) {
  const filters = [];
  const statuses = chosenStatuses(params);
  if (statuses.length) filters.push({ field: 'status', condition: 'IN', stringListValue: statuses });
  // Quick filters: overdue (due before now, not final), due today.
  const due = params.get('due');
  if (due === 'overdue') {
    const now = new Date();
    now.setSeconds(0, 0); // the same request within a minute (the prefetch is matched by it)
    filters.push({ field: 'dueDate', condition: 'LESS_THAN', dateValue: now.toISOString() });
    filters.push({ field: 'status', condition: 'IN', stringListValue: openStatuses() });
  } else if (due === 'today') {
    filters.push({ field: 'dueDate', condition: 'GREATER_THAN_OR_EQUAL_TO', dateValue: dayStart().toISOString() });
    filters.push({ field: 'dueDate', condition: 'LESS_THAN', dateValue: dayStart(1).toISOString() });
  }
  const loc = params.get('location');
  if (loc) {
    const root = locations.find((l) => l.id === loc);
    const ids = root ? flattenTree([root]).map((l) => l.id) : [loc];
    filters.push({ field: 'locationId', condition: 'IN', stringListValue: ids });
  }
  const from = params.get('from');
  if (from) filters.push({ field: 'dueDate', condition: 'GREATER_THAN_OR_EQUAL_TO', dateValue: new Date(`${from}T00:00`).toISOString() });
  const to = params.get('to');
  if (to) {
    const end = new Date(`${to}T00:00`);
    end.setDate(end.getDate() + 1);
    filters.push({ field: 'dueDate', condition: 'LESS_THAN', dateValue: end.toISOString() });
  }
  const q = (params.get('q') || '').trim();
  // One box over the order's name, its product's and its customer's (the server's `search`).
  if (q) filters.push({ field: 'search', condition: 'CONTAINS', stringValue: q });
  const sort = BOARD_COLUMNS.some(([k]) => k === params.get('sort')) ? params.get('sort') : 'dueDate';
  const dir = params.get('dir') === 'desc' ? 'desc' : 'asc';
  const page = Math.max(0, parseInt(params.get('page') || '0', 10) || 0);
  // Empty values last either way: overdue work first, undated orders after the dated ones.
  return { sort, dir, page, request: { pageSize: PAGE_SIZE, pageIndex: page, sortFields: [sort], sortDirections: [dir], sortNulls: ['last'], filters } };
}

let prefetched = null;

/** The board's first page, requested while the session is still being checked (saves a round
 * trip; it waits only for the catalogue's lists, asked for at the same time and usually a 304). */
export function prefetchBoard() {
  const { path, params } = parseHash();
  if (path !== '/orders' || params.get('location')) return;
  const promise = loadCatalogue().then(() => {
    const { request } = boardQuery(params, []);
    return { key: JSON.stringify(request), result: call('productionOrder', 'findProductionOrders', request) };
  });
  promise.then((p) => p.result).catch(() => {}); // a refused prefetch is simply not used
  prefetched = promise;
}

/** Forgets the prefetched page (nobody was logged in to see it). */
export function dropPrefetch() { prefetched = null; }

async function takePrefetch(request) {
  const p = prefetched;
  prefetched = null;
  const early = p && await p.catch(() => null);
  // Wrapped: an async function's returned promise would be waited for, not handed over.
  return early && early.key === JSON.stringify(request) ? { result: early.result } : null;
}

/** Fills each status toggle's count: the orders in that status that the view's other filters
 * leave (asked after the first page is shown, one count per status, in parallel). */
function countStatuses(request, toggles) {
  const others = request.filters.filter((f) => f.field !== 'status');
  for (const t of toggles) {
    const filters = [...others, { field: 'status', condition: 'IN', stringListValue: [t.dataset.status] }];
    call('productionOrder', 'findProductionOrders', { pageSize: 1, pageIndex: 0, filters })
      .then((r) => { t.querySelector('.count').textContent = NUM.format(r.totalElements); })
      .catch(() => {});
  }
}

export async function boardPage(main, params) {
  // The location tree is only needed to expand a chosen location to its subtree; the first page
  // of orders does not wait for it otherwise.
  const locationsP = locationList().catch(() => []);
  const locations = params.get('location') ? await locationsP : [];
  const statuses = orderStatuses();
  const { sort, dir, page, request } = boardQuery(params, locations);
  const setParams = (change, resetPage = true) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(change)) { if (v === null || v === '' || v === undefined) p.delete(k); else p.set(k, v); }
    if (resetPage) p.delete('page');
    keepFocus();
    go('/orders', p);
  };

  const selected = new Set(chosenStatuses(params));
  // One toggle per status, with how many orders the other filters leave in it.
  const statusToggles = statuses.map((s) => h('button', { type: 'button', 'data-status': s, 'aria-pressed': String(selected.has(s)),
    onclick: () => {
      const next = new Set(selected);
      if (next.has(s)) next.delete(s); else next.add(s);
      setParams({ status: next.size ? statuses.filter((x) => next.has(x)).join(',') : 'all' });
    } }, s, ' ', h('span', { class: 'count', 'aria-label': 'orders' }, '')));
  const locSelect = select([['', 'All locations']], params.get('location') || '', { id: 'filter-location' });
  locationsP.then((ls) => {
    for (const l of ls) locSelect.append(h('option', { value: l.id }, indent(l)));
    locSelect.value = params.get('location') || '';
  });
  const from = h('input', { type: 'date', id: 'filter-from', value: params.get('from') || '' });
  const to = h('input', { type: 'date', id: 'filter-to', value: params.get('to') || '' });
  const q = h('input', { type: 'search', id: 'filter-q', value: params.get('q') || '', placeholder: 'Order, product or customer…' });
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter orders', onsubmit: (ev) => {
    ev.preventDefault();
    setParams({ location: locSelect.value, from: from.value, to: to.value, q: q.value.trim() });
  } },
  field('Location', locSelect),
  field('Due from', from),
  field('Due to', to),
  field('Search', q),
  h('div', { class: 'bar' },
    h('button', { type: 'submit', class: 'primary', id: 'filter-apply' }, 'Apply filters'),
    h('button', { type: 'button', onclick: () => go('/orders', new URLSearchParams()) }, 'Clear')));

  // Quick views: open work (the default), everything, overdue, due today — toggles in the URL.
  const due = params.get('due');
  const view = (id, text, change, pressed) => h('button', { type: 'button', id, 'aria-pressed': String(pressed), onclick: () => setParams(change) }, text);
  const views = h('div', { class: 'bar views', role: 'group', 'aria-label': 'Quick views' },
    view('view-open', 'Open work', { status: null, due: null }, params.get('status') === null && !due),
    view('view-overdue', 'Overdue', { due: due === 'overdue' ? null : 'overdue' }, due === 'overdue'),
    view('view-today', 'Due today', { due: due === 'today' ? null : 'today' }, due === 'today'),
    view('view-all', 'All orders', { status: 'all', due: null }, params.get('status') === 'all' && !due));

  const tbody = h('tbody', {});
  const head = h('tr', {}, BOARD_COLUMNS.map(([key, text]) => {
    const active = key === sort;
    const nextDir = active && dir === 'asc' ? 'desc' : 'asc';
    return h('th', { scope: 'col', class: key === 'quantity' ? 'num' : null, 'aria-sort': active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sort', 'data-sort': key, onclick: () => setParams({ sort: key, dir: nextDir }) },
        text, active ? (dir === 'asc' ? ' ▲' : ' ▼') : ''));
  }));
  const summary = h('p', { class: 'muted', id: 'board-summary', 'aria-live': 'polite' }, 'Loading orders…');
  // The pager above the table too: paging needs no tabbing through fifty rows.
  const pagerTop = h('nav', { class: 'pager', 'aria-label': 'Pages (top)' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  // CSV export of exactly this view (its filters and sort, every page up to the server's
  // largest page), made by the server's export, so it re-imports as it is.
  const exported = h('span', { id: 'export-result' });
  const exportCsv = async () => {
    exported.replaceChildren('Exporting…');
    try {
      const { pageSize, pageIndex, ...view } = request;
      const csv = await call('productionOrder', 'exportProductionOrders', { format: 'csv', queryRequest: { ...view, pageSize: MAX_EXPORT, pageIndex: 0 } });
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const name = `orders-${new Date().toISOString().slice(0, 10)}.csv`;
      const link = h('a', { href: url, download: name, id: 'export-link' }, `Download ${name}`);
      exported.replaceChildren(link, shownTotal > MAX_EXPORT ? ` (the first ${NUM.format(MAX_EXPORT)} of ${NUM.format(shownTotal)}: narrow the filters for the rest)` : '');
      link.click();
    } catch (e) { exported.replaceChildren(banner('error', errorText(e))); }
  };
  main.append(
    h('div', { class: 'bar' }, h('h1', { style: null }, 'Production orders'),
      can('productionOrder', 'saveProductionOrder') ? h('a', { class: 'button primary', href: '#/orders/new', id: 'new-order' }, 'New order') : null,
      can('productionOrder', 'exportProductionOrders') ? h('button', { type: 'button', id: 'export-csv', onclick: exportCsv }, 'Export CSV') : null,
      exported),
    views,
    savedViewsSection(params.toString(), () => { keepFocus(); route(); }),
    h('div', { class: 'bar views statuses', role: 'group', 'aria-label': 'Statuses (toggle; counts follow the other filters)' }, statusToggles),
    filters,
    h('div', { class: 'bar' }, summary, pagerTop),
    h('div', { class: 'table-wrap' }, h('table', { id: 'board' }, h('caption', { class: 'sr-only' }, 'Production orders; column headers sort'), h('thead', {}, head), tbody)),
    pager);

  const now = () => Date.now();
  const renderRow = (o) => {
    const pct = o.quantity > 0 ? Math.min(100, (100 * o.quantityProduced) / o.quantity) : 0;
    const overdue = o.dueDate && new Date(o.dueDate).getTime() < now() && !NOT_OVERDUE.includes(o.status);
    return h('tr', { 'data-id': o.id, 'data-version': o.version, class: overdue ? 'overdue' : null },
      h('td', {}, h('a', { href: `#/orders/${encodeURIComponent(o.id)}` }, o.name)),
      h('td', {}, o.productName || ''),
      h('td', {}, o.customerName || ''),
      h('td', { title: o.locationPath || '' }, o.locationName || ''),
      h('td', {}, h('span', { class: `status ${o.status}` }, o.status)),
      h('td', {}, o.schedulePriority),
      h('td', { class: 'num' }, h('div', { class: 'progress' },
        h('progress', { max: 100, value: pct, 'aria-label': `${Math.round(pct)}% produced` }),
        h('span', { class: 'qty' }, `${fmtNum(o.quantityProduced)} / ${fmtNum(o.quantity)} ${o.unitOfMeasureSymbol || ''}`))),
      h('td', { class: 'due' }, fmtDay(o.dueDate), overdue ? h('span', { class: 'sr-only' }, ' (overdue)') : null));
  };

  let shown = new Map();
  let shownTotal = 0;
  const load = async (changed = new Set()) => {
    const t0 = performance.now();
    const early = await takePrefetch(request);
    const fresh = () => call('productionOrder', 'findProductionOrders', request);
    const result = await (early ? early.result.catch(fresh) : fresh());
    const next = new Map(result.content.map((o) => [o.id, o]));
    tbody.replaceChildren(...result.content.map((o) => {
      const row = renderRow(o);
      const before = shown.get(o.id);
      if (changed.has(o.id) || (before && before.version !== o.version)) row.classList.add('flash');
      return row;
    }));
    shown = next;
    shownTotal = result.totalElements;
    const first = result.totalElements ? page * PAGE_SIZE + 1 : 0;
    summary.textContent = `${first}–${page * PAGE_SIZE + result.content.length} of ${NUM.format(result.totalElements)} ${result.totalElements === 1 ? 'order' : 'orders'}`;
    for (const [nav, where] of [[pagerTop, 'top'], [pager, 'bottom']]) {
      nav.replaceChildren(
        h('button', { type: 'button', id: `page-previous-${where}`, disabled: !result.hasPrevious, onclick: () => setParams({ page: page - 1 }, false) }, '← Previous'),
        h('span', {}, `Page ${page + 1} of ${Math.max(1, result.totalPages)}`),
        h('button', { type: 'button', id: `page-next-${where}`, disabled: !result.hasNext, onclick: () => setParams({ page: page + 1 }, false) }, 'Next →'));
    }
    main.dataset.loadedMs = String(Math.round(performance.now() - t0));
    return result;
  };
  await load().catch((e) => { summary.replaceWith(banner('error', errorText(e))); });
  document.body.dataset.boardReady = String(performance.now());
  countStatuses(request, statusToggles);

  // Live: any change to an order reloads the page of rows (at most every 500 ms); rows whose
  // version moved flash and are announced.
  let pendingIds = new Set();
  const refresh = debounce(async () => {
    const ids = pendingIds;
    pendingIds = new Set();
    try {
      await load(ids);
      const names = [...ids].map((id) => shown.get(id)).filter(Boolean).map((o) => `${o.name} ${o.status}`);
      if (names.length) announce(`Updated: ${names.join(', ')}`);
    } catch { /* next event retries */ }
  }, 500);
  onChange((ev) => {
    if (ev.entity === 'ProductionOrder' || ev.orderId) {
      pendingIds.add(ev.orderId || ev.entityId);
      refresh();
    }
  });
}
