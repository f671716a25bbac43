// The line timeline (#/timeline?from=YYYY-MM-DD&days=7): orders per line on a time axis — from
// their start to their end, or ending at their due date — coloured by status, overlaps flagged.
// An order moves to another time or line by dragging its bar, or with the form its bar opens
// (the keyboard's way); either is a normal, version-checked save.

import { call, errorText, withoutDerivedNames } from './api.js';
import { orderStatus } from './catalogue.js';
import { announce, banner, debounce, field, h, select } from './dom.js';
import { onChange } from './feed.js';
import { fmtDate, fmtDay, readDate, toLocalInput } from './format.js';
import { indent, locationList } from './lookups.js';
import { go, keepFocus, route } from './router.js';
import { can, session } from './session.js';

const HOUR = 3600e3;
const DAY = 24 * HOUR;
/** An order with only a due date is drawn as the hours before it. */
const DUE_ONLY_HOURS = 4;
/** Drags snap to this. */
const SNAP = HOUR;

function startOfDay(text) {
  const d = text ? new Date(`${text}T00:00`) : new Date();
  if (Number.isNaN(d.getTime())) return startOfDay(null);
  d.setHours(0, 0, 0, 0);
  return d;
}

/** An order's span on the axis: [start, end] in ms, and whether it is only its due date. */
function span(o) {
  const start = o.startDate ? Date.parse(o.startDate) : null;
  const end = o.endDate ? Date.parse(o.endDate) : null;
  if (start !== null && end !== null && end > start) return { start, end, dueOnly: false };
  if (o.dueDate) { const due = Date.parse(o.dueDate); return { start: due - DUE_ONLY_HOURS * HOUR, end: due, dueOnly: true }; }
  if (start !== null) return { start, end: start + DUE_ONLY_HOURS * HOUR, dueOnly: false };
  return null;
}

/** The order moved by `shift` ms and onto `locationId`: its start and end (or its due date). */
function moved(o, shift, locationId) {
  const d = withoutDerivedNames(o);
  const by = (t) => (t ? new Date(Date.parse(t) + shift).toISOString() : t);
  if (o.startDate && o.endDate) { d.startDate = by(o.startDate); d.endDate = by(o.endDate); } else d.dueDate = by(o.dueDate);
  d.locationId = locationId;
  return d;
}

export async function timelinePage(main, params) {
  const from = startOfDay(params.get('from'));
  const days = Math.min(31, Math.max(1, parseInt(params.get('days') || '7', 10) || 7));
  const to = new Date(from.getTime() + days * DAY);
  const canMove = can('productionOrder', 'saveProductionOrder');
  const messages = h('div', { id: 'timeline-messages', 'aria-live': 'polite' });
  const lines = (await locationList().catch(() => [])).filter((l) => l.type === 'LINE');
  const setView = (change) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(change)) p.set(k, v);
    keepFocus();
    go('/timeline', p);
  };
  const shiftDays = (n) => { const d = new Date(from); d.setDate(d.getDate() + n); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; };
  main.append(h('h1', {}, 'Line timeline'),
    h('div', { class: 'bar' },
      h('button', { type: 'button', id: 'timeline-earlier', onclick: () => setView({ from: shiftDays(-days) }) }, `← ${days} days earlier`),
      h('span', {}, `${fmtDay(from.toISOString())} – ${fmtDay(new Date(to.getTime() - 1).toISOString())}`),
      h('button', { type: 'button', id: 'timeline-later', onclick: () => setView({ from: shiftDays(days) }) }, `${days} days later →`),
      select([['1', '1 day'], ['7', '7 days'], ['14', '14 days'], ['31', '31 days']], String(days), { id: 'timeline-days', 'aria-label': 'Days shown',
        onchange: (ev) => setView({ days: ev.target.value }) })),
    messages);
  if (!lines.length) { main.append(h('p', { class: 'muted' }, 'No lines (locations of type LINE) you may read.')); return; }

  // The orders of these lines whose span meets the window: due in it, or started in it.
  const lineIds = lines.map((l) => l.id);
  const ask = (field) => call('productionOrder', 'findProductionOrders', {
    pageSize: 1000, pageIndex: 0, sortFields: [field], sortDirections: ['asc'],
    filters: [{ field: 'locationId', condition: 'IN', stringListValue: lineIds },
      { field, condition: 'GREATER_THAN_OR_EQUAL_TO', dateValue: new Date(from.getTime() - 31 * DAY).toISOString() },
      { field, condition: 'LESS_THAN', dateValue: new Date(to.getTime() + DUE_ONLY_HOURS * HOUR).toISOString() }],
  }).then((r) => r.content);
  const found = new Map();
  for (const o of (await Promise.all([ask('dueDate'), ask('startDate')])).flat()) found.set(o.id, o);
  const orders = [...found.values()].map((o) => ({ o, s: span(o) }))
    .filter(({ s }) => s && s.end > from.getTime() && s.start < to.getTime());

  const width = to.getTime() - from.getTime();
  const pct = (t) => `${(100 * (Math.min(Math.max(t, from.getTime()), to.getTime()) - from.getTime())) / width}%`;
  const axis = h('div', { class: 'tl-axis', 'aria-hidden': 'true' }, Array.from({ length: days }, (_, i) =>
    h('span', { style: `left: ${(100 * i) / days}%` }, fmtDay(new Date(from.getTime() + i * DAY).toISOString()))));
  const editor = h('div', { id: 'timeline-editor' });
  const save = async (o, record, what) => {
    messages.replaceChildren();
    try {
      await call('productionOrder', 'saveProductionOrder', record);
      announce(what);
      keepFocus();
      await route();
      document.getElementById('timeline-messages')?.replaceChildren(banner('ok', what));
    } catch (e) {
      const text = e.code === 'conflict' ? `${o.name} was changed by someone else meanwhile: the timeline shows it as it is now.` : errorText(e);
      keepFocus();
      await route();
      document.getElementById('timeline-messages')?.replaceChildren(banner('error', `${o.name} was not moved. ${text}`));
    }
  };
  const openEditor = (o, s) => {
    const line = select(lines.map((l) => [l.id, indent({ ...l, depth: 0 })]), o.locationId, { id: 'move-line' });
    const when = h('input', { type: 'datetime-local', id: 'move-start', value: toLocalInput(new Date(s.start).toISOString()) });
    editor.replaceChildren(h('form', { class: 'bar tl-editor', 'aria-label': `Move ${o.name}`, onsubmit: (ev) => {
      ev.preventDefault();
      const start = readDate(when);
      if (!start) return;
      save(o, moved(o, Date.parse(start) - s.start, line.value), `${o.name} moved`);
    } }, h('strong', {}, `Move ${o.name}`), field('Line', line), field(s.dueOnly ? 'Work starts (due date follows)' : 'Start', when),
    h('button', { type: 'submit', class: 'primary', id: 'move-save' }, 'Move'),
    h('button', { type: 'button', onclick: () => editor.replaceChildren() }, 'Cancel')));
    line.focus();
  };
  const rows = lines.map((l) => {
    const mine = orders.filter(({ o }) => o.locationId === l.id).sort((a, b) => a.s.start - b.s.start);
    const track = h('div', { class: 'tl-track', 'data-line': l.id });
    let lastEnd = -Infinity;
    let lastName = null;
    for (const { o, s } of mine) {
      const overlaps = s.start < lastEnd ? lastName : null;
      if (s.end > lastEnd) { lastEnd = s.end; lastName = o.name; }
      const final = orderStatus(o.status)?.final;
      const bar = h('button', { type: 'button', class: `tl-bar status ${o.status}${overlaps ? ' overlap' : ''}${s.dueOnly ? ' due-only' : ''}`,
        'data-order': o.name, style: `left: ${pct(s.start)}; width: calc(${pct(s.end)} - ${pct(s.start)})`,
        title: `${o.name} · ${o.status} · ${fmtDate(new Date(s.start).toISOString())} – ${fmtDate(new Date(s.end).toISOString())}${overlaps ? ` · overlaps ${overlaps}` : ''}`,
        'aria-label': `${o.name}, ${o.status}, ${s.dueOnly ? `due ${fmtDate(o.dueDate)}` : `${fmtDate(o.startDate)} to ${fmtDate(o.endDate)}`}${overlaps ? `, overlaps ${overlaps}` : ''}`,
        onclick: () => (canMove && !final ? openEditor(o, s) : go(`/orders/${encodeURIComponent(o.id)}`)) },
      overlaps ? '⚠ ' : '', o.name);
      if (canMove && !final) draggable(bar, track, o, (shift, lineId) => save(o, moved(o, shift, lineId), `${o.name} moved`), width);
      track.append(bar);
    }
    return h('div', { class: 'tl-row' }, h('div', { class: 'tl-line' }, l.name), track);
  });
  main.append(h('div', { class: 'timeline-chart', id: 'timeline', role: 'group', 'aria-label': 'Orders per line over time' },
    h('div', { class: 'tl-row tl-head' }, h('div', { class: 'tl-line' }, 'Line'), axis), rows), editor,
  h('p', { class: 'muted' }, orders.length ? `${orders.length} orders shown. ⚠ marks an order that overlaps the one before it on its line.` : 'No orders with dates in these days.'));

  const refresh = debounce(() => { if (!editor.children.length) { keepFocus(); route(); } }, 800);
  // Others' changes redraw it (never while the move form is open); one's own are drawn already.
  onChange((ev) => { if (ev.entity === 'ProductionOrder' && ev.user !== session.user) refresh(); });
}

/** Dragging a bar: sideways moves it in time (snapped to the hour), onto another track moves it to
 * that line; dropping saves. `onDrop(shiftMs, lineId)`. */
function draggable(bar, track, o, onDrop, windowMs) {
  bar.addEventListener('pointerdown', (down) => {
    if (down.button !== 0) return;
    const startX = down.clientX;
    const trackWidth = track.getBoundingClientRect().width;
    let moved = false;
    const move = (ev) => {
      const dx = ev.clientX - startX;
      if (Math.abs(dx) > 4 || Math.abs(ev.clientY - down.clientY) > 4) moved = true;
      bar.style.transform = `translateX(${dx}px)`;
    };
    const up = (ev) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      bar.style.transform = '';
      if (!moved) return;
      bar.dataset.dragged = '1'; // the click that follows a drag opens nothing
      setTimeout(() => delete bar.dataset.dragged, 0);
      const shift = Math.round(((ev.clientX - startX) / trackWidth) * windowMs / SNAP) * SNAP;
      const target = document.elementsFromPoint(ev.clientX, ev.clientY).find((el) => el.classList?.contains('tl-track'));
      const lineId = target ? target.dataset.line : o.locationId;
      if (shift !== 0 || lineId !== o.locationId) onDrop(shift, lineId);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  });
  bar.addEventListener('click', (ev) => { if (bar.dataset.dragged) ev.stopImmediatePropagation(); }, true);
}
