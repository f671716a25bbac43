// The tabs of an order page: its bill of materials (add, edit, reorder, remove lines), its
// property values (typed by each property's definition) and its history.

import { call, errorText, withoutDerivedNames } from './api.js';
import { choices } from './catalogue.js';
import { banner, confirmAction, field, h, select, showFieldErrors } from './dom.js';
import { fmtDate, fmtNum, readDate, toLocalInput } from './format.js';
import { locationList, rows } from './lookups.js';
import { fieldLabel, ORDER_FIELDS, REF_TEXT } from './order-fields.js';
import { can } from './session.js';

export async function bomTab(panel, order) {
  const lines = await call('productionOrder', 'getBillOfMaterialsForOrder', [order.id]);
  const canSave = can('productionOrder', 'saveBillOfMaterialsItem');
  const canDelete = can('productionOrder', 'deleteBillOfMaterialsItem');
  const canSwap = can('productionOrder', 'swapBillOfMaterialsPositions');
  const materials = can('material', 'getAllMaterials') ? await rows('material', 'getAllMaterials') : [];
  const units = can('unitOfMeasure', 'getAllUnitsOfMeasure') ? await rows('unitOfMeasure', 'getAllUnitsOfMeasure') : [];
  const materialTypes = choices('BillOfMaterialsItem', 'materialType') || [];
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
    const type = select(materialTypes.map((t) => [t, t]), line.materialType, { name: 'materialType' });
    const f = h('form', { class: 'grid bom-editor', onsubmit: async (ev) => {
      ev.preventDefault();
      const d = { ...withoutDerivedNames(line), productionOrderId: order.id, materialId: mat.value || null, quantityPerProducedUnit: qty.value === '' ? null : Number(qty.value), unitOfMeasureId: unit.value || null, materialGroup: group.value || null, materialType: type.value };
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
    // What the whole order needs of it: quantity per produced unit × the order's quantity.
    h('td', { class: 'num bom-required' }, l.quantityPerProducedUnit === null || l.quantityPerProducedUnit === undefined ? '' : fmtNum(l.quantityPerProducedUnit * order.quantity)),
    h('td', {}, l.unitOfMeasureSymbol || ''),
    h('td', {}, l.materialGroup || ''),
    h('td', {}, l.materialType || ''),
    h('td', {},
      canSwap && i > 0 ? h('button', { type: 'button', class: 'bom-up', 'aria-label': `Move ${l.materialName || 'line'} up`, onclick: () => act('swapBillOfMaterialsPositions', [l.id, lines[i - 1].id]) }, '↑') : null,
      canSwap && i < lines.length - 1 ? h('button', { type: 'button', class: 'bom-down', 'aria-label': `Move ${l.materialName || 'line'} down`, onclick: () => act('swapBillOfMaterialsPositions', [l.id, lines[i + 1].id]) }, '↓') : null,
      canSave ? h('button', { type: 'button', class: 'bom-edit', 'aria-expanded': 'false', onclick: (ev) => {
        const tr = ev.target.closest('tr');
        if (tr.nextElementSibling?.classList.contains('bom-edit-row')) { tr.nextElementSibling.remove(); ev.target.setAttribute('aria-expanded', 'false'); return; }
        tr.after(h('tr', { class: 'bom-edit-row' }, h('td', { colspan: 8 }, editor(l))));
        ev.target.setAttribute('aria-expanded', 'true');
        tr.nextElementSibling.querySelector('select')?.focus();
      } }, 'Edit') : null,
      canDelete ? h('button', { type: 'button', class: 'danger bom-remove', 'aria-label': `Remove ${l.materialName || 'line'}`, onclick: async () => {
        const sure = await confirmAction({ title: `Remove ${l.materialName || 'this line'}?`, text: `The line leaves the order's bill of materials (${order.name}); adding it again starts a new line.`, confirm: 'Remove line' });
        if (sure) act('deleteBillOfMaterialsItem', [l.id]);
      } }, 'Remove') : null))));
  panel.replaceChildren(msg,
    lines.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'bom' },
      h('thead', {}, h('tr', {}, ['Pos.', 'Material', 'Qty / unit', `Required for ${fmtNum(order.quantity)}`, 'Unit', 'Group', 'Type', ''].map((t) => h('th', { scope: 'col' }, t)))), body))
      : h('p', { class: 'muted' }, 'No bill of materials lines.'),
    ...(canSave ? [h('section', { 'aria-label': 'Add a line' }, h('h3', {}, 'Add a line'), editor({ materialType: 'COMPONENT', quantityPerProducedUnit: 1 }))] : []));
}

export async function propertiesTab(panel, order) {
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
        const err = box.querySelector('.err');
        try {
          await call('productionOrder', 'setPropertyValue', [order.id, d.id, read()]);
          err.hidden = true;
          err.textContent = '';
          input.setAttribute('aria-invalid', 'false');
          // A value refused earlier stays marked, and named, until it is saved.
          const still = [...panel.querySelectorAll('#properties [aria-invalid="true"]')].map((i) => i.closest('[data-field]').dataset.field);
          msg.replaceChildren(still.length
            ? banner('warn', `${d.name} saved. Still not saved: ${still.join(', ')}.`)
            : banner('ok', `${d.name} saved.`));
        } catch (e) {
          err.hidden = false;
          err.textContent = e.fields ? Object.values(e.fields).flat().join('; ') : errorText(e);
          input.setAttribute('aria-invalid', 'true');
          msg.replaceChildren(banner('error', `${d.name} was not saved: ${err.textContent}`));
        }
      } }, 'Save'));
    }
    return box;
  });
  panel.replaceChildren(msg, h('div', { class: 'grid', id: 'properties' }, list));
}

/** What the history says for an action and for a record other than the order itself. */
const ACTION_WORDS = { CREATE: 'Created', UPDATE: 'Changed', DELETE: 'Removed', TRANSITION: 'Status changed', REPORT: 'Production reported' };
const ENTITY_WORDS = { BillOfMaterialsItem: 'bill of materials line', ProductionOrderPropertyValue: 'property value' };
/** Bookkeeping every write changes: not news to a reader of the history. */
const AUDIT = new Set(['id', 'version', 'createdBy', 'createdDate', 'modifiedBy', 'modifiedDate', 'productionOrderId']);

/** Names for the ids a history may hold: what the caller may read of products, units, customers
 * and locations, and the order's own references. */
async function namesForIds(order) {
  const names = new Map();
  for (const [key, textKey] of Object.entries(REF_TEXT)) if (order[key]) names.set(order[key], order[textKey]);
  const lists = ORDER_FIELDS.filter(([, , kind, opt]) => kind === 'ref' && opt.fn !== 'recentShiftRecords' && can(opt.module, opt.fn))
    .map(([, , , opt]) => rows(opt.module, opt.fn).then((list) => list.forEach((r) => names.set(r.id, opt.text(r)))));
  lists.push(locationList().then((list) => list.forEach((l) => names.set(l.id, l.path || l.name))));
  await Promise.allSettled(lists);
  return names;
}

function valueText(key, v, names) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return fmtNum(v);
  if (key.endsWith('Id') && typeof v === 'string') return names.get(v) || 'another record';
  if (key.endsWith('Date') && typeof v === 'string') return fmtDate(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The order's history, newest first, in words: "Quantity 1,230 → 1,500", who, when, why. */
export async function historyTab(panel, order) {
  const [events, names] = await Promise.all([call('productionOrder', 'getProductionOrderHistory', [order.id]), namesForIds(order)]);
  const items = [...events].reverse().map((e) => {
    const what = ENTITY_WORDS[e.entity] || (e.entity !== 'ProductionOrder' ? fieldLabel(e.entity).toLowerCase() : null);
    const changes = Object.entries(e.changes || {}).filter(([k]) => !AUDIT.has(k));
    return h('li', {},
      h('strong', {}, ACTION_WORDS[e.action] || e.action, what ? ` (${what})` : ''),
      ` by ${e.user}, `, h('time', { datetime: e.at }, fmtDate(e.at)),
      e.reason ? h('span', {}, ` — reason: ${e.reason}`) : null,
      changes.length ? h('ul', { class: 'changes' }, changes.map(([k, [a, b]]) =>
        h('li', {}, `${fieldLabel(k)}: ${valueText(k, a, names)} → ${valueText(k, b, names)}`))) : null);
  });
  panel.replaceChildren(items.length ? h('ol', { class: 'timeline', id: 'history' }, items) : h('p', { class: 'muted' }, 'No history.'));
}
