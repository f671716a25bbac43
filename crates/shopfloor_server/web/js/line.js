// The line view (#/line?location=<id>): an operator's screen, tablet first. Pick a line; its orders
// that are running (or paused, stopped) come first as cards, then the next ones by due date, each
// with large buttons to start, pause, stop and report. Scanning (or typing) an order's name opens
// that order.

import { call, errorText } from './api.js';
import { openStatuses, orderStatus } from './catalogue.js';
import { banner, debounce, field, h, select } from './dom.js';
import { onChange } from './feed.js';
import { fmtDay, fmtNum } from './format.js';
import { flattenTree, indent, locationList } from './lookups.js';
import { mayReport, reportForm, runAndRedraw, verbButtons } from './order-actions.js';
import { go, keepFocus, route } from './router.js';
import { session } from './session.js';

const CARDS = 30;

/** The order's name typed or scanned (a scanner types it and presses Enter) opens its page. */
function scanForm(messages) {
  const input = h('input', { type: 'search', id: 'scan', autocomplete: 'off', enterkeyhint: 'go', placeholder: 'e.g. WO-1042' });
  return h('form', { class: 'bar scan', role: 'search', onsubmit: async (ev) => {
    ev.preventDefault();
    const name = input.value.trim();
    if (!name) return;
    try {
      const order = await call('productionOrder', 'getProductionOrder', [name]);
      if (order) go(`/orders/${encodeURIComponent(order.id)}`);
      else { messages.replaceChildren(banner('error', `No order is named ${name}.`)); input.select(); }
    } catch (e) { messages.replaceChildren(banner('error', errorText(e))); }
  } }, field('Scan or type an order name', input), h('button', { type: 'submit', class: 'primary' }, 'Open'));
}

function card(o, run, fail) {
  const unit = o.unitOfMeasureSymbol || '';
  const pct = o.quantity > 0 ? Math.min(100, (100 * o.quantityProduced) / o.quantity) : 0;
  const reason = h('input', { type: 'text', id: `reason-${o.id}`, placeholder: 'optional' });
  const buttons = verbButtons(o, orderStatus(o.status)?.targets || [], { reason: () => reason.value.trim() || null, run });
  return h('article', { class: 'card', 'data-order': o.name, 'aria-labelledby': `card-${o.id}` },
    h('h2', { id: `card-${o.id}` }, h('a', { href: `#/orders/${encodeURIComponent(o.id)}` }, o.name), ' ',
      h('span', { class: `status ${o.status}` }, o.status)),
    h('p', {}, o.productName || '', o.dueDate ? ` · due ${fmtDay(o.dueDate)}` : ''),
    h('div', { class: 'progress' },
      h('progress', { max: 100, value: pct, 'aria-label': `${Math.round(pct)}% produced` }),
      h('span', { class: 'qty' }, `${fmtNum(o.quantityProduced)} / ${fmtNum(o.quantity)} ${unit}`)),
    buttons.length ? h('div', { class: 'bar' }, field('Reason', reason), ...buttons) : null,
    mayReport(o) ? reportForm(o, { idPrefix: `report-${o.id}`, fail, run }) : null);
}

export async function linePage(main, params) {
  const locations = await locationList().catch(() => []);
  const chosen = params.get('location') || '';
  const messages = h('div', { id: 'line-messages', 'aria-live': 'polite' });
  const picker = select([['', 'Choose a line…'], ...locations.map((l) => [l.id, indent(l)])], chosen, { id: 'line-location' });
  picker.addEventListener('change', () => { keepFocus(); go('/line', new URLSearchParams(picker.value ? { location: picker.value } : {})); });
  main.append(h('h1', {}, 'Line'), h('div', { class: 'bar' }, field('Line', picker), scanForm(messages)), messages);
  if (!chosen) {
    main.append(h('p', { class: 'muted' }, locations.length ? 'Choose your line to see its orders.' : 'No lines you may read.'));
    return;
  }
  const root = locations.find((l) => l.id === chosen);
  const ids = root ? flattenTree([root]).map((l) => l.id) : [chosen];
  const open = openStatuses();
  const result = await call('productionOrder', 'findProductionOrders', {
    pageSize: CARDS, pageIndex: 0, sortFields: ['dueDate'], sortDirections: ['asc'],
    filters: [{ field: 'locationId', condition: 'IN', stringListValue: ids }, { field: 'status', condition: 'IN', stringListValue: open }],
  });
  // What runs now first (a report is possible), then what comes next, each by due date.
  const now = result.content.filter((o) => orderStatus(o.status)?.acceptsReports);
  const next = result.content.filter((o) => !orderStatus(o.status)?.acceptsReports);
  const run = runAndRedraw('line-messages');
  const fail = (text, control) => { messages.replaceChildren(banner('error', text)); control.focus(); };
  const section = (title, id, orders, none) => h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title),
    orders.length ? h('div', { class: 'cards' }, orders.map((o) => card(o, run, fail))) : h('p', { class: 'muted' }, none));
  main.append(section('Now', 'line-now', now, 'Nothing is running on this line.'),
    section('Next', 'line-next', next, 'No orders waiting for this line.'));
  if (result.totalElements > CARDS) main.append(h('p', { class: 'muted' }, `Showing ${CARDS} of ${fmtNum(result.totalElements)} open orders; the board lists them all.`));

  // Live, but never under the operator's fingers: with something typed, say so instead.
  const shown = new Set(result.content.map((o) => o.id));
  const refresh = debounce(() => {
    const typing = main.contains(document.activeElement) && document.activeElement.matches('input, select, textarea')
      || [...main.querySelectorAll('input[type="number"], input[type="text"], input[type="search"]')].some((i) => i.value);
    if (!typing) { keepFocus(); route(); return; }
    if (!document.getElementById('line-changed')) {
      messages.append(banner('warn', 'Orders of this line changed.', ' ',
        h('button', { type: 'button', id: 'line-changed', onclick: () => { keepFocus(); route(); } }, 'Show')));
    }
  }, 500);
  // The operator's own changes are drawn already (the page redraws after each action).
  onChange((ev) => {
    if (ev.entity === 'ProductionOrder' && ev.user !== session.user && (shown.has(ev.entityId) || ev.action === 'CREATE')) refresh();
  });
}
