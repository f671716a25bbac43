// The production order's fields as the pages show them: label, kind of control and options (the
// order page's form, its conflict comparison and the history's words all read this one list).

import { fmtDate } from './format.js';

export const ORDER_FIELDS = [
  // key, label, kind, options (`group`: the part of the form it is shown in, see GROUPS)
  ['name', 'Name', 'text', { required: true, group: 'what' }],
  ['productId', 'Product', 'ref', { required: true, module: 'material', fn: 'getAllMaterials', text: (m) => m.path || m.name, group: 'what' }],
  ['unitOfMeasureId', 'Unit', 'ref', { required: true, module: 'unitOfMeasure', fn: 'getAllUnitsOfMeasure', text: (u) => `${u.name} (${u.symbol})`, group: 'what' }],
  ['quantity', 'Quantity', 'number', { required: true, group: 'what' }],
  ['quantityScheduled', 'Quantity scheduled', 'number', { group: 'what' }],
  ['schedulePriority', 'Priority', 'enum', { group: 'what' }],
  ['locationId', 'Location', 'location', { group: 'where' }],
  ['customerId', 'Customer', 'ref', { module: 'customer', fn: 'getAllCustomers', text: (c) => c.name, group: 'where' }],
  ['shiftRecordId', 'Shift record', 'ref', { module: 'shift', fn: 'recentShiftRecords', text: (r) => `${r.shiftName || 'Shift'} @ ${r.locationName || ''} ${fmtDate(r.startDate)} (${r.status})`, group: 'where' }],
  ['dueDate', 'Due date', 'datetime', { group: 'when' }],
  ['startDate', 'Start date', 'datetime', { group: 'when' }],
  ['endDate', 'End date', 'datetime', { group: 'when' }],
  ['enabled', 'Enabled', 'bool', { group: 'more' }],
  ['spare1', 'Spare 1', 'text', { group: 'more' }],
  ['spare2', 'Spare 2', 'text', { group: 'more' }],
  ['spare3', 'Spare 3', 'text', { group: 'more' }],
  ['notes', 'Notes', 'textarea', { group: 'notes' }],
];

/** The parts of the order form, in order; `folded` ones start closed. */
export const GROUPS = [
  ['what', 'What'],
  ['where', 'Where and for whom'],
  ['when', 'When'],
  ['notes', 'Notes'],
  ['more', 'More: enabled, spare fields', { folded: true }],
];

/** The name the order itself carries for a reference (shown when the picker's list is not readable). */
export const REF_TEXT = { productId: 'productPath', unitOfMeasureId: 'unitOfMeasureName', customerId: 'customerName', locationId: 'locationPath' };

const LABELS = new Map(ORDER_FIELDS.map(([k, l]) => [k, l]));

/** The words for a field: the order's label, else the key spelled out ("quantityProduced" →
 * "Quantity produced"). */
export function fieldLabel(key) {
  if (LABELS.has(key)) return LABELS.get(key);
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
