// The printable traveler of one order (#/orders/<id>/traveler): what travels with the work on
// paper — the order's facts, its name as a barcode, the bill of materials with the quantities the
// whole order needs, its property values and lines to sign. The print stylesheet leaves out
// everything else (app.css, @media print).

import { call } from './api.js';
import { code128 } from './barcode.js';
import { h } from './dom.js';
import { fmtDate, fmtNum } from './format.js';
import { can } from './session.js';

const SIGNATURES = ['Material issued by', 'Started by', 'Checked by', 'Completed by'];

export async function travelerPage(main, id) {
  const order = await call('productionOrder', 'getProductionOrder', [id]);
  if (!order) {
    main.append(h('h1', {}, 'Order not found'), h('p', {}, h('a', { href: '#/orders' }, 'Back to the board')));
    return;
  }
  const [lines, defs, values] = await Promise.all([
    call('productionOrder', 'getBillOfMaterialsForOrder', [order.id]),
    can('productionOrder', 'getAllProductionOrderProperties') ? call('productionOrder', 'getAllProductionOrderProperties') : [],
    call('productionOrder', 'getProductionOrderPropertyValuesForOrder', [order.id]),
  ]);
  const unit = order.unitOfMeasureSymbol || order.unitOfMeasureName || '';
  const facts = [
    ['Product', order.productPath || order.productName],
    ['Quantity', `${fmtNum(order.quantity)} ${unit}`],
    ['Produced so far', `${fmtNum(order.quantityProduced)} ${unit}`],
    ['Status', order.status],
    ['Priority', order.schedulePriority],
    ['Due', fmtDate(order.dueDate)],
    ['Line', order.locationPath],
    ['Customer', order.customerName],
    ['Start', fmtDate(order.startDate)],
  ].filter(([, v]) => v);
  const names = new Map(defs.map((d) => [d.id, d.name]));
  const props = values.filter((v) => v.value !== null && v.value !== undefined && v.value !== '')
    .map((v) => [v.propertyName || names.get(v.propertyId) || 'Property', typeof v.value === 'number' ? fmtNum(v.value) : String(v.value)]);
  const barcode = code128(order.name);
  main.append(
    h('div', { class: 'bar no-print' },
      h('a', { href: `#/orders/${encodeURIComponent(order.id)}` }, '← Order'),
      h('button', { type: 'button', class: 'primary', id: 'print', onclick: () => window.print() }, 'Print')),
    h('article', { class: 'traveler', id: 'traveler' },
      h('header', {},
        h('h1', {}, `Traveler — order ${order.name}`),
        barcode ? h('figure', { id: 'traveler-barcode' }, barcode, h('figcaption', {}, order.name))
          : h('p', { class: 'muted' }, 'This name has characters a Code 128 barcode cannot carry: type it at the line.')),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      order.notes ? h('section', {}, h('h2', {}, 'Notes'), h('p', {}, order.notes)) : null,
      h('section', { 'aria-labelledby': 'traveler-bom' }, h('h2', { id: 'traveler-bom' }, 'Bill of materials'),
        lines.length ? h('table', { id: 'traveler-bom-table' },
          h('thead', {}, h('tr', {}, ['Pos.', 'Material', 'Per unit', `Required for ${fmtNum(order.quantity)}`, 'Unit', 'Issued'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, lines.map((l, i) => h('tr', {},
            h('td', {}, l.position ?? i + 1),
            h('td', {}, l.materialPath || l.materialName || ''),
            h('td', { class: 'num' }, fmtNum(l.quantityPerProducedUnit)),
            h('td', { class: 'num' }, l.quantityPerProducedUnit === null || l.quantityPerProducedUnit === undefined ? '' : fmtNum(l.quantityPerProducedUnit * order.quantity)),
            h('td', {}, l.unitOfMeasureSymbol || ''),
            h('td', { class: 'fill' }, '')))))
          : h('p', {}, 'No bill of materials.')),
      props.length ? h('section', { 'aria-labelledby': 'traveler-props' }, h('h2', { id: 'traveler-props' }, 'Properties'),
        h('dl', { class: 'facts' }, props.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))) : null,
      h('section', { 'aria-labelledby': 'traveler-sign' }, h('h2', { id: 'traveler-sign' }, 'Signatures'),
        h('table', { class: 'signatures' },
          h('thead', {}, h('tr', {}, ['Step', 'Name', 'Date and time', 'Signature'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, SIGNATURES.map((s) => h('tr', {}, h('th', { scope: 'row' }, s), h('td', {}), h('td', {}), h('td', {}))))))));
}
