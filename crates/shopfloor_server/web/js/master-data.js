// Master-data pages (#/master/<kind>) and the generic entity section they and the admin page are
// made of: a table from `find<Xs>` and an editor built from the entity's own `new<X>()` template,
// saving with `save<X>` and deleting with `delete<X>` (a refused delete shows its references).

import { call, errorText } from './api.js';
import { choices } from './catalogue.js';
import { banner, debounce, field, h, select, showFieldErrors } from './dom.js';
import { fmtDate } from './format.js';
import { forget, rows } from './lookups.js';
import { route } from './router.js';
import { can } from './session.js';

export const MASTER = {
  units: { title: 'Units of measure', sections: [
    { module: 'unitOfMeasure', noun: 'UnitOfMeasure', plural: 'UnitsOfMeasure', title: 'Units', cols: ['name', 'symbol', 'description'] },
    { module: 'unitOfMeasure', noun: 'UnitOfMeasureConversion', plural: 'UnitOfMeasureConversions', title: 'Conversions', cols: ['fromName', 'toName', 'conversionFactor', 'materialPath'] },
  ] },
  materials: { title: 'Materials', sections: [
    { module: 'material', noun: 'MaterialClass', plural: 'MaterialClasses', title: 'Material classes', cols: ['path', 'description'] },
    { module: 'material', noun: 'Material', plural: 'Materials', title: 'Materials', cols: ['path', 'materialClassName', 'unitOfMeasureName', 'erpId'] },
    { module: 'material', noun: 'MaterialProperty', plural: 'MaterialProperties', title: 'Material properties', cols: ['name', 'materialClassPath', 'dataType'] },
    { module: 'material', noun: 'MaterialPropertyValue', plural: 'MaterialPropertyValues', title: 'Material property values', cols: ['materialPath', 'materialPropertyName', 'value'] },
    { module: 'material', noun: 'MaterialReasonCode', plural: 'MaterialReasonCodes', title: 'Reason codes', cols: ['reasonCode', 'lotRecordType', 'description'] },
  ] },
  locations: { title: 'Locations', sections: [
    { module: 'location', noun: 'Location', plural: 'Locations', title: 'Locations', cols: ['path', 'type', 'description'], tree: true },
    { module: 'location', noun: 'LocationProperty', plural: 'LocationProperties', title: 'Location properties', cols: ['name', 'dataType', 'lowLimit', 'highLimit'] },
    { module: 'location', noun: 'LocationPropertyValue', plural: 'LocationPropertyValues', title: 'Location property values', cols: ['locationPath', 'propertyName', 'value'] },
  ] },
  customers: { title: 'Customers', sections: [
    { module: 'customer', noun: 'Customer', plural: 'Customers', title: 'Customers', cols: ['name', 'description'] },
  ] },
  shifts: { title: 'Shifts', sections: [
    { module: 'shift', noun: 'Shift', plural: 'Shifts', title: 'Shifts', cols: ['name', 'locationPath', 'description'], shifts: true },
    { module: 'shift', noun: 'ShiftRecord', plural: 'ShiftRecords', title: 'Shift records', cols: ['shiftName', 'locationName', 'status', 'startDate', 'endDate'], readOnly: true, sort: 'startDate', dir: 'desc' },
  ] },
  people: { title: 'People', sections: [
    { module: 'personnel', noun: 'Department', plural: 'Departments', title: 'Departments', cols: ['path', 'description'], tree: true },
    { module: 'personnel', noun: 'Person', plural: 'People', title: 'People', cols: ['username', 'firstName', 'lastName', 'departmentPath', 'userName'] },
  ] },
  reasons: { title: 'Stop reasons', sections: [
    { module: 'productionOrder', noun: 'StopReason', plural: 'StopReasons', title: 'Why orders are paused or stopped', cols: ['name', 'appliesTo', 'description', 'enabled'] },
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
  propertyId: ['location', 'getAllLocationProperties', (p) => p.name],
  materialPropertyId: ['material', 'getAllMaterialProperties', (p) => p.name],
  departmentId: ['personnel', 'getAllDepartments', (d) => d.path || d.name],
  userId: ['security', 'getAllUsers', (u) => u.name],
};
const PARENT_REFS = { Location: ['location', 'getAllLocations'], MaterialClass: ['material', 'getAllMaterialClasses'], Department: ['personnel', 'getAllDepartments'] };
/** Fields holding lists (JSON arrays), edited as comma-separated text. */
const LISTS = new Set(['roles', 'permissions', 'securityLevels']);
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
    const enumerated = choices(sec.noun, key);
    if (ref) {
      const [m, f, text] = ref;
      const list = can(m, f) ? await rows(m, f).catch(() => []) : [];
      el = select([['', '—'], ...list.filter((r) => r.id !== record.id).map((r) => [r.id, (text || ((x) => x.path || x.name))(r)])], value);
    } else if (typeof template[key] === 'boolean') {
      el = h('input', { type: 'checkbox', checked: !!value });
    } else if (enumerated) {
      el = select(enumerated.map((v) => [v, v]), value);
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
      // An emptied box is null, unless the record's own template holds text there (the server
      // fills such a field itself, e.g. a person's initials from the names).
      else d[k] = el.value === '' ? (typeof template[k] === 'string' ? '' : null) : el.value;
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

/** One entity's table (200 rows) with New, Edit and Delete as the caller's functions allow. */
export async function entitySection(sec) {
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
    const shiftAction = async (fn, r) => {
      try { await call('shift', fn, [r.id, null]); msg.replaceChildren(banner('ok', `${fn === 'startShift' ? 'Started' : 'Stopped'} ${r.name}.`)); forget(); await route(); } catch (e) { msg.replaceChildren(banner('error', errorText(e))); }
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

export async function masterPage(main, kind) {
  const page = MASTER[kind];
  main.append(h('h1', {}, page.title));
  for (const sec of page.sections) {
    if (!can(sec.module, `find${sec.plural}`)) continue;
    main.append(await entitySection(sec));
  }
}
