// One production order (#/orders/<id>, #/orders/new): its fields with validation while typing,
// saving with the loaded version (a conflict offers Reload and Compare), the lifecycle buttons
// the server's verbs name, production reporting, and the tabs of order-tabs.js.

import { call, errorText, withoutDerivedNames } from './api.js';
import { choices, editableWhenFinal, orderStatus, orderStatuses } from './catalogue.js';
import { $, announce, banner, debounce, field, h, select, showFieldErrors } from './dom.js';
import { onChange } from './feed.js';
import { fmtDate, fmtNum, readDate, toLocalInput } from './format.js';
import { indent, locationList, rows } from './lookups.js';
import { mayReport, reportForm, runAndRedraw, verbButtons } from './order-actions.js';
import { GROUPS, ORDER_FIELDS, REF_TEXT } from './order-fields.js';
import { bomTab, historyTab, propertiesTab } from './order-tabs.js';
import { go, keepFocus, route } from './router.js';
import { can, session } from './session.js';

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
    el = select((choices('ProductionOrder', key) || []).map((o) => [o, o]), value, {});
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
  if (kind === 'text' || kind === 'textarea') return el.value === '' ? null : el.value;
  return el.value;
}

/** "Changed by X at T": Reload (discard mine) or Compare (field by field, mine vs stored). */
function conflictBanner(current, mine) {
  const who = current.modifiedBy || current.createdBy || 'someone';
  const when = fmtDate(current.modifiedDate || current.createdDate);
  const cmp = h('div', { hidden: true });
  return banner('warn', `This order was changed by ${who} at ${when} (now version ${current.version}); your changes were not saved.`,
    h('div', { class: 'bar' },
      h('button', { type: 'button', id: 'conflict-reload', onclick: () => { keepFocus(); route(); } }, 'Reload (discard mine)'),
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

export async function orderPage(main, id, params) {
  const isNew = id === 'new';
  const order = isNew ? await call('productionOrder', 'newProductionOrder') : await call('productionOrder', 'getProductionOrder', [id]);
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
  // A closed or cancelled order accepts changes to a few fields only: the others look read-only.
  const isFinal = !isNew && !!orderStatus(order.status)?.final;
  const parts = new Map(GROUPS.map(([g]) => [g, h('div', { class: 'grid' })]));
  for (const [key, label, kind, opt] of ORDER_FIELDS) {
    const el = await buildControl(key, kind, opt, order[key], !canSave || (isFinal && !editableWhenFinal(key)), order);
    controls[key] = [el, kind];
    const box = field(label, el, { key, required: opt.required });
    if (kind === 'textarea') box.style.gridColumn = '1 / -1';
    parts.get(opt.group).append(box);
  }
  const grid = h('div', {}, GROUPS.map(([g, legend, o]) => o?.folded
    ? h('details', { class: 'group', 'data-group': g }, h('summary', {}, legend), parts.get(g))
    : h('fieldset', { class: 'group', 'data-group': g }, h('legend', {}, legend), parts.get(g))));
  // Choosing a product fills in its unit (unless one was chosen already).
  const [productEl] = controls.productId;
  const [unitEl] = controls.unitOfMeasureId;
  productEl.addEventListener('change', async () => {
    if (unitEl.value && !isNew) return;
    const materials = can('material', 'getAllMaterials') ? await rows('material', 'getAllMaterials').catch(() => []) : [];
    const unit = materials.find((m) => m.id === productEl.value)?.unitOfMeasureId;
    if (unit && [...unitEl.options].some((o) => o.value === unit)) {
      unitEl.value = unit;
      unitEl.dispatchEvent(new Event('change', { bubbles: true }));
    }
  });
  const data = () => {
    const d = withoutDerivedNames(order);
    for (const [key, [el, kind]] of Object.entries(controls)) d[key] = readControl(el, kind);
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
      keepFocus();
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
  form.append(h('h2', { id: 'order-form-title' }, 'Details'));
  if (isFinal && canSave) form.append(h('p', { class: 'muted', id: 'order-final-note' }, `This order is ${order.status}: only notes, enabled and the spare fields can change.`));
  form.append(grid, ...(canSave ? [h('div', { class: 'bar' }, saveBtn)] : []));

  main.append(h('p', { class: 'bar' }, h('a', { href: '#/orders' }, '← Order board'),
    isNew ? null : h('a', { href: `#/orders/${encodeURIComponent(order.id)}/traveler`, id: 'order-traveler' }, 'Print traveler')), title, statusLine, messages);
  if (isNew) {
    main.append(form);
    return;
  }
  statusLine.append('Status ', h('span', { class: `status ${order.status}`, id: 'order-status-value' }, order.status),
    ` · produced ${fmtNum(order.quantityProduced)} of ${fmtNum(order.quantity)} ${order.unitOfMeasureSymbol || ''} · version ${order.version}`,
    order.modifiedBy ? ` · last changed by ${order.modifiedBy} at ${fmtDate(order.modifiedDate)}` : '');
  statusLine.after(pipeline(order), producedBar(order));

  const actions = await actionsSection(order, messages);
  if (actions) main.append(actions);
  main.append(form);
  tabs(main, order, params);

  // Someone else changing this order: say so (no silent overwrite; the save would conflict anyway).
  onChange((ev) => {
    if (ev.orderId === order.id && ev.user !== session.user && !$('#order-changed')) {
      messages.append(banner('warn', `Changed by ${ev.user} at ${fmtDate(ev.at)} (${ev.action}).`,
        ' ', h('button', { type: 'button', id: 'order-changed', onclick: () => { keepFocus(); route(); } }, 'Reload')));
    }
  });
}

/** The lifecycle as a row of steps, the order's status marked. */
function pipeline(order) {
  const all = orderStatuses();
  const at = all.indexOf(order.status);
  return h('ol', { class: 'pipeline', 'aria-label': 'Lifecycle' }, all.map((s, i) =>
    h('li', { class: i < at ? 'done' : null, 'aria-current': i === at ? 'step' : null }, s)));
}

/** Produced against planned, coloured when over the plan. */
function producedBar(order) {
  const pct = order.quantity > 0 ? (100 * order.quantityProduced) / order.quantity : 0;
  const over = order.quantityProduced > order.quantity;
  return h('div', { class: `progress produced${over ? ' over' : ''}`, id: 'order-produced' },
    h('progress', { max: 100, value: Math.min(100, pct), 'aria-label': `${Math.round(pct)}% of the planned quantity produced` }),
    h('span', {}, `${Math.round(pct)}%${over ? ' — over the plan' : ''}`));
}

/** Lifecycle buttons (one per status the order may enter whose verb the caller may call) and
 * production reporting; null when the caller may do neither. */
async function actionsSection(order, messages) {
  const actions = h('section', { 'aria-labelledby': 'actions-title' }, h('h2', { id: 'actions-title' }, 'Run'));
  const allowed = await call('productionOrder', 'getAllowedTransitions', [order.id]).catch(() => []);
  const reason = h('input', { type: 'text', id: 'transition-reason', placeholder: 'optional' });
  const doAction = runAndRedraw('order-messages');
  const buttons = verbButtons(order, allowed, { reason: () => reason.value.trim() || null, run: doAction });
  // The usual next step (the first later status that is not final, and not a danger) stands out.
  const all = orderStatuses();
  const next = buttons.find((b) => all.indexOf(b.dataset.transition) > all.indexOf(order.status)
    && !orderStatus(b.dataset.transition)?.final && !b.classList.contains('danger'));
  if (next) next.classList.add('primary');
  if (buttons.length) actions.append(h('div', { class: 'bar' }, field('Reason', reason), ...buttons));
  const fail = (text, control) => { messages.replaceChildren(banner('error', text)); control.focus(); };
  if (mayReport(order)) actions.append(reportForm(order, { fail, run: doAction }));
  return actions.children.length > 1 ? actions : null;
}

/** The order's tabs (ARIA tab pattern, arrow keys); the chosen one is kept in the URL. */
function tabs(main, order, params) {
  const list = [['bom', 'Bill of materials', bomTab], ['properties', 'Properties', propertiesTab], ['history', 'History', historyTab]];
  const current = list.some(([k]) => k === params.get('tab')) ? params.get('tab') : 'bom';
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Order details' });
  const panel = h('div', { role: 'tabpanel', id: 'order-tabpanel', tabindex: 0 });
  const showTab = (key) => {
    for (const [k] of list) {
      const t = $(`#tab-${k}`);
      t.setAttribute('aria-selected', String(k === key));
      t.tabIndex = k === key ? 0 : -1;
    }
    panel.setAttribute('aria-labelledby', `tab-${key}`);
    panel.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    list.find(([k]) => k === key)[2](panel, order).catch((e) => panel.replaceChildren(banner('error', errorText(e))));
  };
  for (const [key, text, render] of list) {
    const selectedTab = key === current;
    const tab = h('button', { type: 'button', role: 'tab', id: `tab-${key}`, 'aria-selected': String(selectedTab), 'aria-controls': 'order-tabpanel', tabindex: selectedTab ? 0 : -1,
      onclick: () => { const p = new URLSearchParams(params); p.set('tab', key); keepFocus(); history.replaceState(null, '', `#/orders/${encodeURIComponent(order.id)}?${p}`); showTab(key); },
      onkeydown: (ev) => {
        const i = list.findIndex(([k]) => k === key);
        const j = ev.key === 'ArrowRight' ? (i + 1) % list.length : ev.key === 'ArrowLeft' ? (i + list.length - 1) % list.length : -1;
        if (j >= 0) { $(`#tab-${list[j][0]}`).focus(); $(`#tab-${list[j][0]}`).click(); }
      } }, text);
    tablist.append(tab);
    if (selectedTab) render(panel, order).catch((e) => panel.replaceChildren(banner('error', errorText(e))));
  }
  panel.setAttribute('aria-labelledby', `tab-${current}`);
  main.append(tablist, panel);
}
