// Shopfloor web pages: one ES module, no build step, no dependencies. Routes live in the URL
// hash (#/orders?status=RUNNING…) so every view is shareable and the back button works.
// Every change goes through the same script API (and permission checks) as any other client.

const S = {
  user: null,
  functions: new Set(),
  csrf: localStorage.getItem('shopfloor.csrf'),
  lastSequence: 0,
  feed: null,
  feedListeners: new Set(),
  cleanup: [],
};

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `request failed (${status})`);
    this.status = status;
    this.code = e.code || 'error';
    this.fields = e.fields || null;
    this.current = e.current || null;
    this.permission = e.permission || null;
  }
}

async function http(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && S.csrf) headers['X-CSRF-Token'] = S.csrf;
  const r = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!r.ok) {
    const err = new ApiError(r.status, json);
    if (r.status === 401 && path !== '/api/v1/login' && S.user) {
      S.user = null;
      go('/login');
    }
    throw err;
  }
  return json;
}

/** Calls system.mes.<module>.<fn>: an object = keyword arguments, an array = positional ones. */
const call = (module, fn, args) => http('POST', `/api/v1/script/${module}/${fn}`, args === undefined ? [] : args);
const can = (module, fn) => S.functions.has(`${module}.${fn}`);

// ---------------------------------------------------------------- DOM helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const $ = (sel, root = document) => root.querySelector(sel);
let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

function announce(text) {
  const live = $('#live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
}

function banner(kind, text, ...extra) {
  return h('div', { class: `banner ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text, ...extra);
}

function errorText(e) {
  if (!(e instanceof ApiError)) return String(e.message || e);
  if (e.code === 'forbidden') return `Not allowed: ${e.message}`;
  return e.message;
}

// Formatters are made once: building an Intl object per cell costs more than the whole query.
const NUM = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const fmtNum = (n) => (n === null || n === undefined ? '' : NUM.format(Number(n)));
const fmtDate = (s) => (s ? DATE_TIME.format(new Date(s)) : '');
const fmtDay = (s) => (s ? DAY.format(new Date(s)) : '');
/** ISO timestamp → value of a datetime-local input (local time). */
function toLocalInput(s) {
  if (!s) return '';
  const d = new Date(s);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
const fromLocalInput = (v) => (v ? new Date(v).toISOString() : null);
/** A datetime-local input shows minutes: an untouched one keeps its stored (finer) value. */
function readDate(el) {
  const original = el.dataset.original || null;
  if (original && el.value === toLocalInput(original)) return original;
  return fromLocalInput(el.value);
}

/** A labelled control with its message slot. */
function field(label, control, opts = {}) {
  const id = control.id || nextId('f');
  control.id = id;
  const err = h('p', { class: 'err', id: `${id}-err`, hidden: true });
  control.setAttribute('aria-describedby', `${id}-err${opts.hint ? ` ${id}-hint` : ''}`);
  return h('div', { class: 'field', 'data-field': opts.key || null },
    h('label', { for: id }, label, opts.required ? ' *' : ''),
    control,
    opts.hint ? h('p', { class: 'muted', id: `${id}-hint` }, opts.hint) : null,
    err);
}

function showFieldErrors(form, fields) {
  for (const box of form.querySelectorAll('[data-field]')) {
    const key = box.dataset.field;
    const msgs = (fields && fields[key]) || [];
    const err = box.querySelector('.err');
    const ctl = box.querySelector('input,select,textarea');
    err.hidden = msgs.length === 0;
    err.textContent = msgs.join('; ');
    if (ctl) ctl.setAttribute('aria-invalid', msgs.length ? 'true' : 'false');
  }
}

function select(options, value, attrs = {}) {
  const el = h('select', attrs, options.map(([v, text]) => h('option', { value: v }, text)));
  el.value = value ?? '';
  return el;
}

function debounce(fn, ms) {
  let t = null;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

// ---------------------------------------------------------------- routing

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/orders';
  const [path, qs] = raw.split('?');
  return { path, params: new URLSearchParams(qs || '') };
}

function go(path, params, replace = false) {
  const qs = params && [...params].length ? `?${params}` : '';
  const target = `#${path}${qs}`;
  if (location.hash === target) return route();
  if (replace) { history.replaceState(null, '', target); route(); } else location.hash = target;
}

const NAV = [
  ['/orders', 'Orders', 'productionOrder', 'findProductionOrders'],
  ['/master/units', 'Units', 'unitOfMeasure', 'findUnitsOfMeasure'],
  ['/master/materials', 'Materials', 'material', 'findMaterials'],
  ['/master/locations', 'Locations', 'location', 'getLocationTree'],
  ['/master/customers', 'Customers', 'customer', 'findCustomers'],
  ['/master/shifts', 'Shifts', 'shift', 'findShifts'],
  ['/master/properties', 'Order properties', 'productionOrder', 'findProductionOrderProperties'],
  ['/admin', 'Admin', 'security', 'findUsers'],
];

function renderNav(current) {
  const top = $('#top');
  top.hidden = !S.user;
  if (!S.user) return;
  $('#who').textContent = S.user;
  $('#nav').replaceChildren(...NAV.filter(([, , m, f]) => can(m, f)).map(([path, text]) =>
    h('li', {}, h('a', { href: `#${path}`, 'aria-current': current.startsWith(path) ? 'page' : null }, text))));
}

async function route() {
  for (const c of S.cleanup.splice(0)) c();
  S.feedListeners.clear();
  const { path, params } = parseHash();
  const main = $('#main');
  if (!S.user && path !== '/login') return go('/login', new URLSearchParams({ next: location.hash.slice(1) }), true);
  renderNav(path);
  main.replaceChildren();
  const parts = path.split('/').filter(Boolean);
  try {
    if (parts[0] === 'login') await loginPage(main, params);
    else if (parts[0] === 'orders' && parts[1]) await orderPage(main, decodeURIComponent(parts[1]), params);
    else if (parts[0] === 'orders') await boardPage(main, params);
    else if (parts[0] === 'master' && MASTER[parts[1]]) await masterPage(main, parts[1]);
    else if (parts[0] === 'admin') await adminPage(main);
    else main.append(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/orders' }, 'Go to the order board')));
  } catch (e) {
    main.append(banner('error', errorText(e)));
  }
  const heading = main.querySelector('h1');
  if (heading) document.title = `${heading.textContent} · Shopfloor`;
  if (S.focusMain !== false) main.focus({ preventScroll: true });
  S.focusMain = true;
}

// ---------------------------------------------------------------- session and change feed

async function loadSession() {
  try {
    const s = await http('GET', '/api/v1/web/session');
    S.user = s.user;
    S.functions = new Set(s.functions);
    if (!S.feed && s.changeFeed) startFeed(s.lastSequence);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { S.user = null; S.prefetch = null; return false; }
    throw e;
  }
}

function startFeed(after) {
  S.lastSequence = after;
  const es = new EventSource(`/api/v1/events?after=${after}`);
  es.addEventListener('history', (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch { return; }
    if (ev.sequence <= S.lastSequence) return; // a reconnect replays from the first cursor
    S.lastSequence = ev.sequence;
    for (const l of [...S.feedListeners]) l(ev);
  });
  es.addEventListener('open', () => document.body.removeAttribute('data-feed-down'));
  es.addEventListener('error', () => document.body.setAttribute('data-feed-down', ''));
  S.feed = es;
}

function stopFeed() {
  if (S.feed) S.feed.close();
  S.feed = null;
}

async function loginPage(main, params) {
  const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { 'aria-live': 'assertive' });
  const submit = h('button', { class: 'primary', type: 'submit', id: 'login-submit' }, 'Log in');
  const form = h('form', { class: 'login', onsubmit: async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    msg.replaceChildren();
    try {
      const r = await http('POST', '/api/v1/login', { name: name.value, password: password.value });
      S.csrf = r.csrfToken;
      localStorage.setItem('shopfloor.csrf', r.csrfToken);
      stopFeed();
      await loadSession();
      const next = params.get('next');
      location.hash = next && !next.startsWith('/login') ? `#${next}` : '#/orders';
    } catch (e) {
      msg.replaceChildren(banner('error', errorText(e)));
      password.select();
    } finally {
      submit.disabled = false;
    }
  } },
  h('h1', {}, 'Log in to Shopfloor'),
  field('User name', name),
  field('Password', password),
  msg,
  submit);
  main.append(form);
  name.focus();
  S.focusMain = false;
}

async function logout() {
  try { await http('POST', '/api/v1/logout'); } catch { /* the session may be gone already */ }
  localStorage.removeItem('shopfloor.csrf');
  S.csrf = null;
  S.user = null;
  S.functions = new Set();
  stopFeed();
  go('/login');
}

// ---------------------------------------------------------------- lookups (pickers)

const cache = new Map();
/** Rows of a small master-data entity, cached for the page's life; refreshed by `forget`. */
function rows(module, fn) {
  const key = `${module}.${fn}`;
  // Shift records grow every day: pickers offer the latest 200.
  const load = fn === 'recentShiftRecords'
    ? () => call('shift', 'findShiftRecords', { pageSize: 200, pageIndex: 0, sortFields: ['startDate'], sortDirections: ['desc'] }).then((r) => r.content)
    : () => call(module, fn);
  if (!cache.has(key)) cache.set(key, load().catch((e) => { cache.delete(key); throw e; }));
  return cache.get(key);
}
const forget = () => cache.clear();

function flattenTree(nodes, depth = 0, out = []) {
  for (const n of nodes || []) {
    out.push({ ...n, depth });
    flattenTree(n.children, depth + 1, out);
  }
  return out;
}
async function locationList() {
  if (!can('location', 'getLocationTree')) return [];
  return flattenTree(await rows('location', 'getLocationTree'));
}
const indent = (n) => `${'\u00a0\u00a0'.repeat(n.depth)}${n.name}`;

// ---------------------------------------------------------------- order board

const STATUSES = ['IDLE', 'SCHEDULED', 'RUNNING', 'PAUSED', 'STOPPED', 'CLOSED', 'CANCELLED'];
const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'];
const PAGE_SIZE = 50;
const BOARD_COLUMNS = [
  ['name', 'Order'], ['productName', 'Product'], ['customerName', 'Customer'], ['locationPath', 'Location'],
  ['status', 'Status'], ['schedulePriority', 'Priority'], ['quantity', 'Quantity / produced'], ['dueDate', 'Due'],
];

function boardQuery(params, locations) {
  const filters = [];
  const statuses = (params.get('status') || '').split(',').filter((s) => STATUSES.includes(s));
  if (statuses.length) filters.push({ field: 'status', condition: 'IN', stringListValue: statuses });
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
  if (q) filters.push({ field: 'name', condition: 'CONTAINS', stringValue: q });
  const sort = BOARD_COLUMNS.some(([k]) => k === params.get('sort')) ? params.get('sort') : 'dueDate';
  const dir = params.get('dir') === 'desc' ? 'desc' : 'asc';
  const page = Math.max(0, parseInt(params.get('page') || '0', 10) || 0);
  return { sort, dir, page, request: { pageSize: PAGE_SIZE, pageIndex: page, sortFields: [sort], sortDirections: [dir], filters } };
}

/** The board's first page, requested while the session is still being checked (saves a round trip). */
function prefetchBoard() {
  const { path, params } = parseHash();
  if (path !== '/orders' || params.get('location')) return;
  const { request } = boardQuery(params, []);
  const promise = call('productionOrder', 'findProductionOrders', request);
  promise.catch(() => {}); // a refused prefetch is simply not used
  S.prefetch = { key: JSON.stringify(request), promise };
}
function takePrefetch(request) {
  const p = S.prefetch;
  S.prefetch = null;
  return p && p.key === JSON.stringify(request) ? p.promise : null;
}

async function boardPage(main, params) {
  // The location tree is only needed to expand a chosen location to its subtree; the first page
  // of orders does not wait for it otherwise.
  const locationsP = locationList().catch(() => []);
  const locations = params.get('location') ? await locationsP : [];
  const { sort, dir, page, request } = boardQuery(params, locations);
  const setParams = (change, resetPage = true) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(change)) { if (v === null || v === '' || v === undefined) p.delete(k); else p.set(k, v); }
    if (resetPage) p.delete('page');
    S.focusMain = false;
    go('/orders', p);
  };

  const selected = new Set((params.get('status') || '').split(',').filter(Boolean));
  const statusBoxes = STATUSES.map((s) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'status', value: s, checked: selected.has(s) }), s));
  const locSelect = select([['', 'All locations']], params.get('location') || '', { id: 'filter-location' });
  locationsP.then((ls) => {
    for (const l of ls) locSelect.append(h('option', { value: l.id }, indent(l)));
    locSelect.value = params.get('location') || '';
  });
  const from = h('input', { type: 'date', id: 'filter-from', value: params.get('from') || '' });
  const to = h('input', { type: 'date', id: 'filter-to', value: params.get('to') || '' });
  const q = h('input', { type: 'search', id: 'filter-q', value: params.get('q') || '', placeholder: 'Order name contains…' });
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter orders', onsubmit: (ev) => {
    ev.preventDefault();
    const st = statusBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    setParams({ status: st.join(','), location: locSelect.value, from: from.value, to: to.value, q: q.value.trim() });
  } },
  h('fieldset', {}, h('legend', {}, 'Status'), statusBoxes),
  field('Location', locSelect),
  field('Due from', from),
  field('Due to', to),
  field('Search', q),
  h('div', { class: 'bar' },
    h('button', { type: 'submit', class: 'primary', id: 'filter-apply' }, 'Apply filters'),
    h('button', { type: 'button', onclick: () => go('/orders', new URLSearchParams()) }, 'Clear')));

  const tbody = h('tbody', {});
  const head = h('tr', {}, BOARD_COLUMNS.map(([key, text]) => {
    const active = key === sort;
    const nextDir = active && dir === 'asc' ? 'desc' : 'asc';
    return h('th', { scope: 'col', class: key === 'quantity' ? 'num' : null, 'aria-sort': active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sort', 'data-sort': key, onclick: () => setParams({ sort: key, dir: nextDir }) },
        text, active ? (dir === 'asc' ? ' ▲' : ' ▼') : ''));
  }));
  const summary = h('p', { class: 'muted', id: 'board-summary', 'aria-live': 'polite' }, 'Loading orders…');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  main.append(
    h('div', { class: 'bar' }, h('h1', { style: null }, 'Production orders'),
      can('productionOrder', 'saveProductionOrder') ? h('a', { class: 'button primary', href: '#/orders/new', id: 'new-order' }, 'New order') : null),
    filters,
    summary,
    h('div', { class: 'table-wrap' }, h('table', { id: 'board' }, h('caption', { class: 'sr-only' }, 'Production orders; column headers sort'), h('thead', {}, head), tbody)),
    pager);

  const now = () => Date.now();
  const renderRow = (o) => {
    const pct = o.quantity > 0 ? Math.min(100, (100 * o.quantityProduced) / o.quantity) : 0;
    const overdue = o.dueDate && new Date(o.dueDate).getTime() < now() && !['CLOSED', 'CANCELLED', 'STOPPED'].includes(o.status);
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
  const load = async (changed = new Set()) => {
    const t0 = performance.now();
    const early = takePrefetch(request);
    const fresh = () => call('productionOrder', 'findProductionOrders', request);
    const result = await (early ? early.catch(fresh) : fresh());
    const next = new Map(result.content.map((o) => [o.id, o]));
    tbody.replaceChildren(...result.content.map((o) => {
      const row = renderRow(o);
      const before = shown.get(o.id);
      if (changed.has(o.id) || (before && before.version !== o.version)) row.classList.add('flash');
      return row;
    }));
    shown = next;
    const first = result.totalElements ? page * PAGE_SIZE + 1 : 0;
    summary.textContent = `${first}–${page * PAGE_SIZE + result.content.length} of ${NUM.format(result.totalElements)} ${result.totalElements === 1 ? 'order' : 'orders'}`;
    pager.replaceChildren(
      h('button', { type: 'button', disabled: !result.hasPrevious, onclick: () => setParams({ page: page - 1 }, false) }, '← Previous'),
      h('span', {}, `Page ${page + 1} of ${Math.max(1, result.totalPages)}`),
      h('button', { type: 'button', disabled: !result.hasNext, onclick: () => setParams({ page: page + 1 }, false) }, 'Next →'));
    main.dataset.loadedMs = String(Math.round(performance.now() - t0));
    return result;
  };
  await load().catch((e) => { summary.replaceWith(banner('error', errorText(e))); });
  document.body.dataset.boardReady = String(performance.now());

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
  S.feedListeners.add((ev) => {
    if (ev.entity === 'ProductionOrder' || ev.orderId) {
      pendingIds.add(ev.orderId || ev.entityId);
      refresh();
    }
  });
}

// ---------------------------------------------------------------- order page

const TRANSITIONS = {
  SCHEDULED: ['scheduleProductionOrder', 'Schedule'],
  RUNNING: ['startProductionOrder', 'Start'],
  PAUSED: ['pauseProductionOrder', 'Pause'],
  STOPPED: ['stopProductionOrder', 'Stop'],
  CLOSED: ['closeProductionOrder', 'Close'],
  CANCELLED: ['cancelProductionOrder', 'Cancel order'],
};
const ORDER_FIELDS = [
  // key, label, kind, options
  ['name', 'Name', 'text', { required: true }],
  ['productId', 'Product', 'ref', { required: true, module: 'material', fn: 'getAllMaterials', text: (m) => m.path || m.name }],
  ['unitOfMeasureId', 'Unit', 'ref', { required: true, module: 'unitOfMeasure', fn: 'getAllUnitsOfMeasure', text: (u) => `${u.name} (${u.symbol})` }],
  ['quantity', 'Quantity', 'number', { required: true }],
  ['quantityScheduled', 'Quantity scheduled', 'number', {}],
  ['schedulePriority', 'Priority', 'enum', { options: PRIORITIES }],
  ['locationId', 'Location', 'location', {}],
  ['customerId', 'Customer', 'ref', { module: 'customer', fn: 'getAllCustomers', text: (c) => c.name }],
  ['shiftRecordId', 'Shift record', 'ref', { module: 'shift', fn: 'recentShiftRecords', text: (r) => `${r.shiftName || 'Shift'} @ ${r.locationName || ''} ${fmtDate(r.startDate)} (${r.status})` }],
  ['dueDate', 'Due date', 'datetime', {}],
  ['startDate', 'Start date', 'datetime', {}],
  ['endDate', 'End date', 'datetime', {}],
  ['enabled', 'Enabled', 'bool', {}],
  ['spare1', 'Spare 1', 'text', {}],
  ['spare2', 'Spare 2', 'text', {}],
  ['spare3', 'Spare 3', 'text', {}],
  ['notes', 'Notes', 'textarea', {}],
];

/** The name the order itself carries for a reference (shown when the picker's list is not readable). */
const REF_TEXT = { productId: 'productPath', unitOfMeasureId: 'unitOfMeasureName', customerId: 'customerName', locationId: 'locationPath' };

async function buildControl(key, kind, opt, value, readOnly, order = {}) {
  let el;
  if (kind === 'ref') {
    let list = [];
    const allowed = opt.fn === 'recentShiftRecords' ? can('shift', 'findShiftRecords') : can(opt.module, opt.fn);
    try { list = allowed ? await rows(opt.module, opt.fn) : []; } catch { list = []; }
    el = select([['', '—'], ...list.map((r) => [r.id, opt.text(r)])], value, {});
    if (value && !list.some((r) => r.id === value)) el.append(h('option', { value }, order[REF_TEXT[key]] || value));
    el.value = value ?? '';
  } else if (kind === 'location') {
    const list = await locationList().catch(() => []);
    el = select([['', '—'], ...list.map((l) => [l.id, indent(l)])], value, {});
    if (value && !list.some((l) => l.id === value)) { el.append(h('option', { value }, order.locationPath || value)); el.value = value; }
  } else if (kind === 'enum') {
    el = select(opt.options.map((o) => [o, o]), value, {});
  } else if (kind === 'number') {
    el = h('input', { type: 'number', step: 'any', inputmode: 'decimal', value: value ?? '' });
  } else if (kind === 'datetime') {
    el = h('input', { type: 'datetime-local', value: toLocalInput(value) });
    el.dataset.original = value || '';
  } else if (kind === 'bool') {
    el = h('input', { type: 'checkbox', checked: !!value });
  } else if (kind === 'textarea') {
    el = h('textarea', {}, value ?? '');
  } else {
    el = h('input', { type: 'text', value: value ?? '' });
  }
  el.name = key;
  el.id = `order-${key}`;
  if (readOnly) el.disabled = true;
  return el;
}

function readControl(el, kind) {
  if (kind === 'bool') return el.checked;
  if (kind === 'number') return el.value === '' ? null : Number(el.value);
  if (kind === 'datetime') return readDate(el);
  if (kind === 'ref' || kind === 'location') return el.value || null;
  if (kind === 'text' || kind === 'textarea') return el.value === '' && kind !== 'text' ? null : (el.value === '' ? null : el.value);
  return el.value;
}

async function orderPage(main, id, params) {
  const isNew = id === 'new';
  let order = isNew ? await call('productionOrder', 'newProductionOrder') : await call('productionOrder', 'getProductionOrder', [id]);
  if (!order) {
    main.append(h('h1', {}, 'Order not found'), h('p', {}, h('a', { href: '#/orders' }, 'Back to the board')));
    return;
  }
  const canSave = can('productionOrder', 'saveProductionOrder');
  const canValidate = can('productionOrder', 'validateProductionOrder');
  const title = h('h1', {}, isNew ? 'New production order' : `Order ${order.name}`);
  const statusLine = h('p', { id: 'order-status' });
  const messages = h('div', { id: 'order-messages', 'aria-live': 'polite' });
  const form = h('form', { id: 'order-form', novalidate: true, 'aria-labelledby': 'order-form-title' });
  const controls = {};
  const grid = h('div', { class: 'grid' });
  for (const [key, label, kind, opt] of ORDER_FIELDS) {
    const el = await buildControl(key, kind, opt, order[key], !canSave, order);
    controls[key] = [el, kind];
    const box = field(label, el, { key, required: opt.required });
    if (kind === 'textarea') box.style.gridColumn = '1 / -1';
    grid.append(box);
  }
  const data = () => {
    const d = { ...order };
    for (const [key, [el, kind]] of Object.entries(controls)) d[key] = readControl(el, kind);
    for (const k of Object.keys(d)) if (k.endsWith('Name') || k.endsWith('Path') || k.endsWith('Symbol')) delete d[k];
    if (isNew) delete d.id;
    return d;
  };
  const validate = async () => {
    if (!canValidate) return null;
    try {
      const fields = await call('productionOrder', 'validateProductionOrder', data());
      showFieldErrors(form, fields);
      return fields;
    } catch { return null; }
  };
  const validateSoon = debounce(validate, 250);
  form.addEventListener('input', validateSoon);
  form.addEventListener('change', validateSoon);
  const saveBtn = h('button', { type: 'submit', class: 'primary', id: 'order-save' }, isNew ? 'Create order' : 'Save changes');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    saveBtn.disabled = true;
    messages.replaceChildren();
    try {
      const saved = await call('productionOrder', 'saveProductionOrder', data());
      announce(`Saved order ${saved.name}`);
      if (isNew) { go(`/orders/${encodeURIComponent(saved.id)}`); return; }
      S.focusMain = false;
      route().then(() => $('#order-messages')?.replaceChildren(banner('ok', `Saved (version ${saved.version}).`)));
    } catch (e) {
      if (e.code === 'validation') {
        showFieldErrors(form, e.fields);
        // Messages about fields without an input here (e.g. the version) go in the banner.
        const other = Object.entries(e.fields || {}).filter(([k]) => !controls[k]).map(([k, m]) => `${k}: ${[].concat(m).join('; ')}`);
        messages.replaceChildren(banner('error', 'The order was not saved: fix the marked fields.', ...other.map((t) => h('div', {}, t))));
        const bad = form.querySelector('[aria-invalid="true"]');
        if (bad) bad.focus();
      } else if (e.code === 'conflict' && e.current) {
        messages.replaceChildren(conflictBanner(e.current, data()));
      } else {
        messages.replaceChildren(banner('error', errorText(e)));
      }
    } finally {
      saveBtn.disabled = false;
    }
  });
  form.append(h('h2', { id: 'order-form-title' }, 'Details'), grid, ...(canSave ? [h('div', { class: 'bar' }, saveBtn)] : []));

  function conflictBanner(current, mine) {
    const who = current.modifiedBy || current.createdBy || 'someone';
    const when = fmtDate(current.modifiedDate || current.createdDate);
    const cmp = h('div', { hidden: true });
    return banner('warn', `This order was changed by ${who} at ${when} (now version ${current.version}); your changes were not saved.`,
      h('div', { class: 'bar' },
        h('button', { type: 'button', id: 'conflict-reload', onclick: () => { S.focusMain = false; route(); } }, 'Reload (discard mine)'),
        h('button', { type: 'button', id: 'conflict-compare', onclick: () => {
          const keys = ORDER_FIELDS.map(([k, l]) => [k, l]).filter(([k]) => JSON.stringify(current[k] ?? null) !== JSON.stringify(mine[k] ?? null));
          cmp.replaceChildren(h('table', { class: 'compare' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Yours'), h('th', { scope: 'col' }, 'Stored'))),
            h('tbody', {}, keys.length ? keys.map(([k, l]) => h('tr', {}, h('th', { scope: 'row' }, l), h('td', { class: 'diff' }, String(mine[k] ?? '')), h('td', { class: 'diff' }, String(current[k] ?? ''))))
              : h('tr', {}, h('td', { colspan: 3 }, 'No field differs; only the status or produced quantity moved.')))));
          cmp.hidden = false;
        } }, 'Compare')),
      cmp);
  }

  main.append(h('p', {}, h('a', { href: '#/orders' }, '← Order board')), title, statusLine, messages);
  if (isNew) {
    main.append(form);
    return;
  }
  statusLine.append('Status ', h('span', { class: `status ${order.status}`, id: 'order-status-value' }, order.status),
    ` · produced ${fmtNum(order.quantityProduced)} of ${fmtNum(order.quantity)} ${order.unitOfMeasureSymbol || ''} · version ${order.version}`,
    order.modifiedBy ? ` · last changed by ${order.modifiedBy} at ${fmtDate(order.modifiedDate)}` : '');

  // Lifecycle and production reporting.
  const actions = h('section', { 'aria-labelledby': 'actions-title' }, h('h2', { id: 'actions-title' }, 'Run'));
  const allowed = await call('productionOrder', 'getAllowedTransitions', [order.id]).catch(() => []);
  const reason = h('input', { type: 'text', id: 'transition-reason', placeholder: 'optional' });
  const doAction = async (fn, args, okText) => {
    messages.replaceChildren();
    try {
      await call('productionOrder', fn, args);
      announce(okText);
      S.focusMain = false;
      await route();
      $('#order-messages')?.replaceChildren(banner('ok', okText));
    } catch (e) {
      messages.replaceChildren(banner('error', errorText(e)));
    }
  };
  const buttons = allowed.filter((s) => TRANSITIONS[s] && can('productionOrder', TRANSITIONS[s][0])).map((s) =>
    h('button', { type: 'button', 'data-transition': s, class: s === 'CANCELLED' ? 'danger' : null,
      onclick: () => doAction(TRANSITIONS[s][0], { productionOrderIdOrName: order.id, reason: reason.value.trim() || null }, `Order ${order.name} is now ${s}`) },
    TRANSITIONS[s][1]));
  if (buttons.length) actions.append(h('div', { class: 'bar' }, field('Reason', reason), ...buttons));
  if (can('productionOrder', 'reportProduction') && ['RUNNING', 'PAUSED', 'STOPPED'].includes(order.status)) {
    const qty = h('input', { type: 'number', step: 'any', min: 0, id: 'report-quantity', inputmode: 'decimal' });
    const rreason = h('input', { type: 'text', id: 'report-reason', placeholder: 'optional' });
    actions.append(h('form', { class: 'bar', id: 'report-form', onsubmit: (ev) => {
      ev.preventDefault();
      if (qty.value === '') { messages.replaceChildren(banner('error', 'Enter the quantity produced.')); qty.focus(); return; }
      doAction('reportProduction', { productionOrderIdOrName: order.id, quantity: Number(qty.value), reason: rreason.value.trim() || null }, `Reported ${qty.value} ${order.unitOfMeasureSymbol || ''}`);
    } }, field(`Report production (${order.unitOfMeasureSymbol || order.unitOfMeasureName || ''})`, qty), field('Reason', rreason),
    h('button', { type: 'submit', class: 'primary', id: 'report-submit' }, 'Report')));
  }
  if (actions.children.length > 1) main.append(actions);
  main.append(form);

  // Tabs.
  const tabs = [['bom', 'Bill of materials', bomTab], ['properties', 'Properties', propertiesTab], ['history', 'History', historyTab]];
  const current = tabs.some(([k]) => k === params.get('tab')) ? params.get('tab') : 'bom';
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Order details' });
  const panel = h('div', { role: 'tabpanel', id: 'order-tabpanel', tabindex: 0 });
  for (const [key, text, render] of tabs) {
    const selectedTab = key === current;
    const tab = h('button', { type: 'button', role: 'tab', id: `tab-${key}`, 'aria-selected': String(selectedTab), 'aria-controls': 'order-tabpanel', tabindex: selectedTab ? 0 : -1,
      onclick: () => { const p = new URLSearchParams(params); p.set('tab', key); S.focusMain = false; history.replaceState(null, '', `#/orders/${encodeURIComponent(order.id)}?${p}`); select(key); },
      onkeydown: (ev) => {
        const i = tabs.findIndex(([k]) => k === key);
        const j = ev.key === 'ArrowRight' ? (i + 1) % tabs.length : ev.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : -1;
        if (j >= 0) { $(`#tab-${tabs[j][0]}`).focus(); $(`#tab-${tabs[j][0]}`).click(); }
      } }, text);
    tablist.append(tab);
    if (selectedTab) render(panel, order).catch((e) => panel.replaceChildren(banner('error', errorText(e))));
  }
  function select(key) {
    for (const [k] of tabs) {
      const t = $(`#tab-${k}`);
      t.setAttribute('aria-selected', String(k === key));
      t.tabIndex = k === key ? 0 : -1;
    }
    panel.setAttribute('aria-labelledby', `tab-${key}`);
    panel.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    tabs.find(([k]) => k === key)[2](panel, order).catch((e) => panel.replaceChildren(banner('error', errorText(e))));
  }
  panel.setAttribute('aria-labelledby', `tab-${current}`);
  main.append(tablist, panel);

  // Someone else changing this order: say so (no silent overwrite; the save would conflict anyway).
  S.feedListeners.add((ev) => {
    if (ev.orderId === order.id && ev.user !== S.user && !$('#order-changed')) {
      messages.append(banner('warn', `Changed by ${ev.user} at ${fmtDate(ev.at)} (${ev.action}).`,
        ' ', h('button', { type: 'button', id: 'order-changed', onclick: () => { S.focusMain = false; route(); } }, 'Reload')));
    }
  });
}

async function bomTab(panel, order) {
  const lines = await call('productionOrder', 'getBillOfMaterialsForOrder', [order.id]);
  const canSave = can('productionOrder', 'saveBillOfMaterialsItem');
  const canDelete = can('productionOrder', 'deleteBillOfMaterialsItem');
  const canSwap = can('productionOrder', 'swapBillOfMaterialsPositions');
  const materials = can('material', 'getAllMaterials') ? await rows('material', 'getAllMaterials') : [];
  const units = can('unitOfMeasure', 'getAllUnitsOfMeasure') ? await rows('unitOfMeasure', 'getAllUnitsOfMeasure') : [];
  const msg = h('div', { 'aria-live': 'polite' });
  const reload = () => bomTab(panel, order);
  const act = async (fn, args) => {
    try { await call('productionOrder', fn, args); await reload(); } catch (e) { msg.replaceChildren(banner('error', errorText(e))); }
  };
  const editor = (line) => {
    const mat = select([['', '—'], ...materials.map((m) => [m.id, m.path || m.name])], line.materialId, { name: 'materialId' });
    const qty = h('input', { type: 'number', step: 'any', name: 'quantityPerProducedUnit', value: line.quantityPerProducedUnit ?? '' });
    const unit = select([['', '—'], ...units.map((u) => [u.id, `${u.name} (${u.symbol})`])], line.unitOfMeasureId, { name: 'unitOfMeasureId' });
    const group = h('input', { type: 'text', name: 'materialGroup', value: line.materialGroup ?? '' });
    const type = select(ENUMS.materialType.map((t) => [t, t]), line.materialType, { name: 'materialType' });
    const f = h('form', { class: 'grid bom-editor', onsubmit: async (ev) => {
      ev.preventDefault();
      const d = { ...line, productionOrderId: order.id, materialId: mat.value || null, quantityPerProducedUnit: qty.value === '' ? null : Number(qty.value), unitOfMeasureId: unit.value || null, materialGroup: group.value || null, materialType: type.value };
      for (const k of Object.keys(d)) if (k.endsWith('Name') || k.endsWith('Path') || k.endsWith('Symbol')) delete d[k];
      try { await call('productionOrder', 'saveBillOfMaterialsItem', d); await reload(); } catch (e) {
        if (e.fields) showFieldErrors(f, e.fields);
        msg.replaceChildren(banner('error', errorText(e)));
      }
    } },
    field('Material', mat, { key: 'materialId', required: true }), field('Quantity per produced unit', qty, { key: 'quantityPerProducedUnit' }),
    field('Unit', unit, { key: 'unitOfMeasureId' }), field('Group', group, { key: 'materialGroup' }), field('Type', type, { key: 'materialType' }),
    h('div', { class: 'bar' }, h('button', { type: 'submit', class: 'primary' }, line.id ? 'Save line' : 'Add line')));
    return f;
  };
  const body = h('tbody', {}, lines.map((l, i) => h('tr', { 'data-id': l.id },
    h('td', { class: 'num' }, l.position ?? i + 1),
    h('td', { class: 'bom-material' }, l.materialPath || l.materialName || l.materialId),
    h('td', { class: 'num' }, fmtNum(l.quantityPerProducedUnit)),
    h('td', {}, l.unitOfMeasureSymbol || ''),
    h('td', {}, l.materialGroup || ''),
    h('td', {}, l.materialType || ''),
    h('td', {},
      canSwap && i > 0 ? h('button', { type: 'button', class: 'bom-up', 'aria-label': `Move ${l.materialName || 'line'} up`, onclick: () => act('swapBillOfMaterialsPositions', [l.id, lines[i - 1].id]) }, '↑') : null,
      canSwap && i < lines.length - 1 ? h('button', { type: 'button', class: 'bom-down', 'aria-label': `Move ${l.materialName || 'line'} down`, onclick: () => act('swapBillOfMaterialsPositions', [l.id, lines[i + 1].id]) }, '↓') : null,
      canSave ? h('button', { type: 'button', class: 'bom-edit', 'aria-expanded': 'false', onclick: (ev) => {
        const tr = ev.target.closest('tr');
        if (tr.nextElementSibling?.classList.contains('bom-edit-row')) { tr.nextElementSibling.remove(); ev.target.setAttribute('aria-expanded', 'false'); return; }
        tr.after(h('tr', { class: 'bom-edit-row' }, h('td', { colspan: 7 }, editor(l))));
        ev.target.setAttribute('aria-expanded', 'true');
        tr.nextElementSibling.querySelector('select')?.focus();
      } }, 'Edit') : null,
      canDelete ? h('button', { type: 'button', class: 'danger bom-remove', 'aria-label': `Remove ${l.materialName || 'line'}`, onclick: () => act('deleteBillOfMaterialsItem', [l.id]) }, 'Remove') : null))));
  panel.replaceChildren(msg,
    lines.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'bom' },
      h('thead', {}, h('tr', {}, ['Pos.', 'Material', 'Qty / unit', 'Unit', 'Group', 'Type', ''].map((t) => h('th', { scope: 'col' }, t)))), body))
      : h('p', { class: 'muted' }, 'No bill of materials lines.'),
    ...(canSave ? [h('section', { 'aria-label': 'Add a line' }, h('h3', {}, 'Add a line'), editor({ materialType: 'COMPONENT', quantityPerProducedUnit: 1 }))] : []));
}

async function propertiesTab(panel, order) {
  const [defs, values] = await Promise.all([
    call('productionOrder', 'getAllProductionOrderProperties'),
    call('productionOrder', 'getProductionOrderPropertyValuesForOrder', [order.id]),
  ]);
  const canSet = can('productionOrder', 'setPropertyValue');
  const byProp = new Map(values.map((v) => [v.propertyId, v]));
  const msg = h('div', { 'aria-live': 'polite' });
  if (!defs.length) { panel.replaceChildren(h('p', { class: 'muted' }, 'No order properties are defined.')); return; }
  const list = defs.filter((d) => d.enabled !== false).map((d) => {
    const v = byProp.get(d.id);
    const current = v ? v.value ?? null : null;
    let input;
    const options = Array.isArray(d.options) ? d.options : (typeof d.options === 'string' && d.options ? d.options.split(',').map((s) => s.trim()) : []);
    if (d.dataType === 'BOOLEAN') input = h('input', { type: 'checkbox', checked: current === true });
    else if (options.length) input = select([['', '—'], ...options.map((o) => [String(o), String(o)])], current === null ? '' : String(current));
    else if (d.dataType === 'INTEGER' || d.dataType === 'FLOAT') input = h('input', { type: 'number', step: d.dataType === 'INTEGER' ? 1 : 'any', min: d.lowLimit ?? null, max: d.highLimit ?? null, value: current ?? '' });
    else if (d.dataType === 'DATETIME') { input = h('input', { type: 'datetime-local', value: toLocalInput(current) }); input.dataset.original = current || ''; }
    else input = h('input', { type: 'text', value: current ?? '' });
    input.id = `prop-${d.id}`;
    input.dataset.property = d.name;
    if (!canSet) input.disabled = true;
    const hints = [d.dataType];
    if (d.lowLimit !== null && d.lowLimit !== undefined) hints.push(`min ${d.lowLimit}`);
    if (d.highLimit !== null && d.highLimit !== undefined) hints.push(`max ${d.highLimit}`);
    if (options.length) hints.push(`options: ${options.join(', ')}`);
    if (d.unitOfMeasureSymbol) hints.push(`in ${d.unitOfMeasureSymbol}`);
    if (!d.nullable) hints.push('required');
    const read = () => {
      if (d.dataType === 'BOOLEAN') return input.checked;
      if (input.value === '') return null;
      if (d.dataType === 'INTEGER' || d.dataType === 'FLOAT') return Number(input.value);
      if (d.dataType === 'DATETIME') return readDate(input);
      return input.value;
    };
    const box = field(d.name, input, { key: d.name, hint: hints.join(' · ') });
    if (canSet) {
      box.append(h('button', { type: 'button', class: 'prop-save', 'data-property': d.name, onclick: async () => {
        try {
          await call('productionOrder', 'setPropertyValue', [order.id, d.id, read()]);
          showFieldErrors(box.parentElement, {});
          msg.replaceChildren(banner('ok', `${d.name} saved.`));
        } catch (e) {
          const err = box.querySelector('.err');
          err.hidden = false;
          err.textContent = e.fields ? Object.values(e.fields).flat().join('; ') : errorText(e);
          input.setAttribute('aria-invalid', 'true');
          msg.replaceChildren(banner('error', `${d.name} was not saved.`));
        }
      } }, 'Save'));
    }
    return box;
  });
  panel.replaceChildren(msg, h('div', { class: 'grid', id: 'properties' }, list));
}

async function historyTab(panel, order) {
  const events = await call('productionOrder', 'getProductionOrderHistory', [order.id]);
  const items = [...events].reverse().map((e) => h('li', {},
    h('strong', {}, e.action), ` ${e.entity !== 'ProductionOrder' ? `(${e.entity}) ` : ''}by ${e.user} at `, h('time', { datetime: e.at }, fmtDate(e.at)),
    e.reason ? h('span', {}, ` — reason: ${e.reason}`) : null,
    h('ul', { class: 'changes' }, Object.entries(e.changes || {}).filter(([k]) => k !== 'id').map(([k, [a, b]]) =>
      h('li', {}, `${k}: ${a === null || a === undefined ? '∅' : JSON.stringify(a)} → ${b === null || b === undefined ? '∅' : JSON.stringify(b)}`)))));
  panel.replaceChildren(items.length ? h('ol', { class: 'timeline', id: 'history' }, items) : h('p', { class: 'muted' }, 'No history.'));
}

// ---------------------------------------------------------------- master data and admin

const MASTER = {
  units: { title: 'Units of measure', sections: [
    { module: 'unitOfMeasure', noun: 'UnitOfMeasure', plural: 'UnitsOfMeasure', title: 'Units', cols: ['name', 'symbol', 'description'] },
    { module: 'unitOfMeasure', noun: 'UnitOfMeasureConversion', plural: 'UnitOfMeasureConversions', title: 'Conversions', cols: ['fromName', 'toName', 'conversionFactor', 'materialPath'] },
  ] },
  materials: { title: 'Materials', sections: [
    { module: 'material', noun: 'MaterialClass', plural: 'MaterialClasses', title: 'Material classes', cols: ['path', 'description'] },
    { module: 'material', noun: 'Material', plural: 'Materials', title: 'Materials', cols: ['path', 'materialClassName', 'unitOfMeasureName', 'erpId'] },
  ] },
  locations: { title: 'Locations', sections: [
    { module: 'location', noun: 'Location', plural: 'Locations', title: 'Locations', cols: ['path', 'type', 'description'], tree: true },
  ] },
  customers: { title: 'Customers', sections: [
    { module: 'customer', noun: 'Customer', plural: 'Customers', title: 'Customers', cols: ['name', 'description'] },
  ] },
  shifts: { title: 'Shifts', sections: [
    { module: 'shift', noun: 'Shift', plural: 'Shifts', title: 'Shifts', cols: ['name', 'locationPath', 'description'], shifts: true },
    { module: 'shift', noun: 'ShiftRecord', plural: 'ShiftRecords', title: 'Shift records', cols: ['shiftName', 'locationName', 'status', 'startDate', 'endDate'], readOnly: true, sort: 'startDate', dir: 'desc' },
  ] },
  properties: { title: 'Order properties', sections: [
    { module: 'productionOrder', noun: 'ProductionOrderProperty', plural: 'ProductionOrderProperties', title: 'Properties', cols: ['name', 'dataType', 'lowLimit', 'highLimit', 'options'] },
  ] },
};

/** Where a reference field's choices come from. */
const REFS = {
  unitOfMeasureId: ['unitOfMeasure', 'getAllUnitsOfMeasure', (u) => `${u.name} (${u.symbol})`],
  fromId: ['unitOfMeasure', 'getAllUnitsOfMeasure', (u) => `${u.name} (${u.symbol})`],
  toId: ['unitOfMeasure', 'getAllUnitsOfMeasure', (u) => `${u.name} (${u.symbol})`],
  materialId: ['material', 'getAllMaterials', (m) => m.path || m.name],
  materialClassId: ['material', 'getAllMaterialClasses', (m) => m.path || m.name],
  locationId: ['location', 'getAllLocations', (l) => l.path || l.name],
  shiftId: ['shift', 'getAllShifts', (s) => s.name],
  customerId: ['customer', 'getAllCustomers', (c) => c.name],
};
const PARENT_REFS = { Location: ['location', 'getAllLocations'], MaterialClass: ['material', 'getAllMaterialClasses'] };
/** Enumerations of the record catalogue (shopfloor_core/src/schema.rs), by field key. */
const ENUMS = {
  type: ['ENTERPRISE', 'COMPANY', 'SITE', 'AREA', 'LINE', 'CELL_GROUP', 'CELL', 'UNIT'],
  dataType: ['STRING', 'INTEGER', 'FLOAT', 'BOOLEAN', 'DATETIME'],
  materialType: ['COMPONENT', 'PRODUCT', 'BYPRODUCT'],
  status: ['IDLE', 'ACTIVE', 'CLOSED', 'VERIFIED'],
};
/** Fields holding lists (JSON arrays), edited as comma-separated text. */
const LISTS = new Set(['roles', 'permissions']);
const NUMBERS = new Set(['conversionFactor', 'lowLimit', 'highLimit']);
const SKIP = new Set(['id', 'version', 'createdDate', 'createdBy', 'modifiedDate', 'modifiedBy', 'path', 'passwordHash', 'tokenHash', 'lastUsedDate']);
const LABELS = { erpId: 'ERP id', displayName: 'Display name', fromName: 'From', toName: 'To', materialPath: 'Material', fromId: 'From', toId: 'To' };
const label = (k) => LABELS[k] || k.replace(/(.)(Id|Name|Path)$/, '$1').replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
const cell = (v) => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? (v ? 'yes' : 'no') : /^\d{4}-\d\d-\d\dT/.test(String(v)) ? fmtDate(v) : String(v));

/** A generic editor built from the entity's own template (`newX`): every input field, typed by its default. */
async function recordForm(sec, template, record, onSaved, onCancel) {
  const form = h('form', { class: 'grid record-form', novalidate: true });
  const controls = {};
  for (const key of Object.keys(template)) {
    if (SKIP.has(key) || key.startsWith('spare')) continue;
    const value = record[key] ?? template[key];
    let el;
    const ref = REFS[key] || (key === 'parentId' ? PARENT_REFS[sec.noun] : null);
    if (ref) {
      const [m, f, text] = ref;
      const list = can(m, f) ? await rows(m, f).catch(() => []) : [];
      el = select([['', '—'], ...list.filter((r) => r.id !== record.id).map((r) => [r.id, (text || ((x) => x.path || x.name))(r)])], value);
    } else if (typeof template[key] === 'boolean') {
      el = h('input', { type: 'checkbox', checked: !!value });
    } else if (ENUMS[key]) {
      el = select(ENUMS[key].map((v) => [v, v]), value);
    } else if (typeof template[key] === 'number' || NUMBERS.has(key)) {
      el = h('input', { type: 'number', step: 'any', value: value ?? '' });
    } else if (LISTS.has(key) || Array.isArray(template[key]) || Array.isArray(value)) {
      el = h('input', { type: 'text', value: (value || []).join(', '), 'data-list': '1' });
    } else if (key === 'notes' || key === 'description') {
      el = h('textarea', {}, value ?? '');
    } else {
      el = h('input', { type: 'text', value: value ?? '' });
    }
    el.name = key;
    controls[key] = el;
    form.append(field(label(key), el, { key, hint: el.dataset.list ? 'comma-separated' : null }));
  }
  const msg = h('div', { 'aria-live': 'polite', style: null });
  const read = () => {
    const d = { ...record };
    for (const [k, el] of Object.entries(controls)) {
      if (el.type === 'checkbox') d[k] = el.checked;
      else if (el.type === 'number') d[k] = el.value === '' ? null : Number(el.value);
      else if (el.dataset.list) d[k] = el.value.split(',').map((s) => s.trim()).filter(Boolean);
      else d[k] = el.value === '' ? null : el.value;
    }
    for (const k of Object.keys(d)) if (/(Name|Path|Symbol)$/.test(k) && !(k in template)) delete d[k];
    if (!d.id) delete d.id;
    return d;
  };
  form.addEventListener('input', debounce(async () => {
    if (!can(sec.module, `validate${sec.noun}`)) return;
    try { showFieldErrors(form, await call(sec.module, `validate${sec.noun}`, read())); } catch { /* shown on save */ }
  }, 300));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const saved = await call(sec.module, `save${sec.noun}`, read());
      forget();
      onSaved(saved);
    } catch (e) {
      if (e.fields) showFieldErrors(form, e.fields);
      msg.replaceChildren(e.code === 'conflict' && e.current
        ? banner('warn', `Changed by ${e.current.modifiedBy || 'someone'} at ${fmtDate(e.current.modifiedDate)}; reload to see it.`)
        : banner('error', errorText(e)));
    }
  });
  form.append(h('div', { class: 'bar', style: null }, msg,
    h('button', { type: 'submit', class: 'primary' }, record.id ? 'Save' : 'Create'),
    h('button', { type: 'button', onclick: onCancel }, 'Cancel')));
  return form;
}

async function entitySection(sec) {
  const box = h('section', { 'aria-labelledby': `sec-${sec.noun}` });
  const editorSlot = h('div', {});
  const msg = h('div', { 'aria-live': 'polite' });
  const canSave = !sec.readOnly && can(sec.module, `save${sec.noun}`);
  const canDelete = !sec.readOnly && can(sec.module, `delete${sec.noun}`);
  const render = async () => {
    const result = await call(sec.module, `find${sec.plural}`, { pageSize: 200, pageIndex: 0, sortFields: [sec.sort || (sec.cols[0].endsWith('Name') ? 'name' : sec.cols[0])], sortDirections: [sec.dir || 'asc'] });
    const open = async (record) => {
      const template = await call(sec.module, `new${sec.noun}`);
      editorSlot.replaceChildren(h('h3', {}, record.id ? `Edit ${record.name || record.path || ''}` : `New ${label(sec.noun).toLowerCase()}`),
        await recordForm(sec, template, record, async (saved) => { editorSlot.replaceChildren(); msg.replaceChildren(banner('ok', `Saved ${saved.name || ''}.`)); await render(); }, () => editorSlot.replaceChildren()));
      editorSlot.querySelector('input,select,textarea')?.focus();
    };
    const trs = result.content.map((r) => h('tr', { 'data-id': r.id },
      sec.cols.map((c) => h('td', {}, sec.tree && c === 'path' ? `${'\u00a0\u00a0'.repeat((r.path || '').split('/').length - 1)}${r.name}` : cell(r[c]))),
      h('td', {},
        canSave ? h('button', { type: 'button', onclick: () => open(r) }, 'Edit') : null,
        canDelete ? h('button', { type: 'button', class: 'danger', onclick: async () => {
          if (!confirm(`Delete ${r.name || r.id}?`)) return;
          try {
            const a = await call(sec.module, `delete${sec.noun}`, [r.id]);
            msg.replaceChildren(a.success === false ? banner('error', a.message || 'Not deleted: still in use.') : banner('ok', 'Deleted.'));
            forget();
            await render();
          } catch (e) { msg.replaceChildren(banner('error', errorText(e))); }
        } }, 'Delete') : null,
        sec.shifts && can('shift', 'startShift') ? h('button', { type: 'button', class: 'shift-start', onclick: () => shiftAction('startShift', r) }, 'Start') : null,
        sec.shifts && can('shift', 'stopShift') ? h('button', { type: 'button', class: 'shift-stop', onclick: () => shiftAction('stopShift', r) }, 'Stop') : null)));
    const shiftAction = async (fn, r) => {
      try { await call('shift', fn, [r.id, null]); msg.replaceChildren(banner('ok', `${fn === 'startShift' ? 'Started' : 'Stopped'} ${r.name}.`)); forget(); await route(); } catch (e) { msg.replaceChildren(banner('error', errorText(e))); }
    };
    box.replaceChildren(
      h('div', { class: 'bar' }, h('h2', { id: `sec-${sec.noun}` }, sec.title),
        canSave ? h('button', { type: 'button', class: 'primary', id: `new-${sec.noun}`, onclick: () => open({}) }, `New ${label(sec.noun).toLowerCase()}`) : null),
      msg, editorSlot,
      h('div', { class: 'table-wrap' }, h('table', { 'data-entity': sec.noun },
        h('thead', {}, h('tr', {}, sec.cols.map((c) => h('th', { scope: 'col' }, label(c))), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
        h('tbody', {}, trs))),
      ...(result.totalElements > result.content.length ? [h('p', { class: 'muted' }, `Showing ${result.content.length} of ${result.totalElements}.`)] : []));
  };
  await render();
  return box;
}

async function masterPage(main, kind) {
  const page = MASTER[kind];
  main.append(h('h1', {}, page.title));
  for (const sec of page.sections) {
    if (!can(sec.module, `find${sec.plural}`)) continue;
    main.append(await entitySection(sec));
  }
}

async function adminPage(main) {
  main.append(h('h1', {}, 'Users, roles and tokens'));
  main.append(await entitySection({ module: 'security', noun: 'User', plural: 'Users', title: 'Users', cols: ['name', 'displayName', 'roles', 'enabled'] }));
  main.append(await entitySection({ module: 'security', noun: 'Role', plural: 'Roles', title: 'Roles', cols: ['name', 'description', 'permissions'] }));
  // Passwords are set separately (never read back).
  const users = await call('security', 'getAllUsers');
  const pwUser = select(users.map((u) => [u.name, u.name]), '', { id: 'pw-user' });
  const pw = h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password' });
  const pwMsg = h('div', { 'aria-live': 'polite' });
  main.append(h('section', { 'aria-labelledby': 'pw-title' }, h('h2', { id: 'pw-title' }, 'Set a password'),
    h('form', { class: 'bar', onsubmit: async (ev) => {
      ev.preventDefault();
      try { await call('security', 'setUserPassword', [pwUser.value, pw.value]); pw.value = ''; pwMsg.replaceChildren(banner('ok', 'Password set.')); } catch (e) { pwMsg.replaceChildren(banner('error', errorText(e))); }
    } }, field('User', pwUser), field('New password', pw), h('button', { type: 'submit', class: 'primary' }, 'Set password')), pwMsg));
  // Tokens: created secrets are shown once.
  const tokUser = select(users.map((u) => [u.name, u.name]), '', { id: 'tok-user' });
  const tokLabel = h('input', { type: 'text', id: 'tok-label' });
  const tokMsg = h('div', { 'aria-live': 'polite' });
  const tokTable = h('div', {});
  const renderTokens = async () => {
    const toks = await call('security', 'findApiTokens', { pageSize: 200, pageIndex: 0, sortFields: ['createdDate'], sortDirections: ['desc'] });
    tokTable.replaceChildren(h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['User', 'Label', 'Kind', 'Expires', 'Last used', 'Revoked', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, toks.content.map((t) => h('tr', {},
        h('td', {}, t.userName || ''), h('td', {}, t.label || ''), h('td', {}, t.kind || ''), h('td', {}, fmtDate(t.expiresDate)),
        h('td', {}, fmtDate(t.lastUsedDate)), h('td', {}, t.revoked ? 'yes' : ''),
        h('td', {}, t.revoked ? null : h('button', { type: 'button', class: 'danger', onclick: async () => {
          try { await call('security', 'revokeApiToken', [t.id]); await renderTokens(); } catch (e) { tokMsg.replaceChildren(banner('error', errorText(e))); }
        } }, 'Revoke'))))))));
  };
  main.append(h('section', { 'aria-labelledby': 'tok-title' }, h('h2', { id: 'tok-title' }, 'API tokens'),
    h('form', { class: 'bar', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await call('security', 'createApiToken', [tokUser.value, tokLabel.value || null, null]);
        const secret = r.token || r.secret || JSON.stringify(r);
        tokMsg.replaceChildren(banner('ok', 'Token created; copy it now, it is not shown again: ', h('span', { class: 'secret' }, secret)));
        await renderTokens();
      } catch (e) { tokMsg.replaceChildren(banner('error', errorText(e))); }
    } }, field('User', tokUser), field('Label', tokLabel), h('button', { type: 'submit', class: 'primary' }, 'Create token')),
    tokMsg, tokTable));
  await renderTokens();
}

// ---------------------------------------------------------------- start

$('#logout').addEventListener('click', logout);
// A browser allows about six connections per server: a page being left must give its change-feed
// connection back at once (and take a new one if it is shown again from the back/forward cache).
window.addEventListener('pagehide', stopFeed);
window.addEventListener('pageshow', (ev) => {
  if (ev.persisted && S.user && !S.feed) loadSession().then(() => route());
});
window.addEventListener('hashchange', route);
prefetchBoard();
loadSession().then(route, (e) => { $('#main').replaceChildren(banner('error', errorText(e))); });
