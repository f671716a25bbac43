// What can be done to one order, shared by the order page and the line view: the lifecycle
// buttons (confirmed first when the server's verb table names a consequence) and production
// reporting (adds; a correction subtracts with a reason; far past the plan asks first).

import { call, errorText } from './api.js';
import { orderStatus, verbTo } from './catalogue.js';
import { announce, banner, confirmAction, field, h, select } from './dom.js';
import { fmtNum } from './format.js';
import { rows } from './lookups.js';
import { keepFocus, route } from './router.js';
import { can } from './session.js';

/** The `run` of the actions below for a page with a messages box of id `messagesId`: makes the
 * call, then draws the page anew (focus kept) and says what happened, or shows the refusal. */
export function runAndRedraw(messagesId) {
  const box = () => document.getElementById(messagesId);
  return async (fn, args, okText) => {
    box()?.replaceChildren();
    try {
      await call('productionOrder', fn, args);
      announce(okText);
      keepFocus();
      await route();
      box()?.replaceChildren(banner('ok', okText));
    } catch (e) {
      box()?.replaceChildren(banner('error', errorText(e)));
    }
  };
}

/** How far past the planned quantity a report may take the produced total before the page asks. */
const OVER_PLAN_MARGIN = 0.1;

/** The use of a stop reason (`StopReason.appliesTo`) each status it may be given for enters. */
const REASON_USES = { PAUSED: 'PAUSE', STOPPED: 'STOP' };

/** The plant's enabled stop reasons for entering `status` (master data), [] for other statuses. */
async function stopReasons(status) {
  const use = REASON_USES[status];
  if (!use || !can('productionOrder', 'getAllStopReasons')) return [];
  const all = await rows('productionOrder', 'getAllStopReasons').catch(() => []);
  return all.filter((r) => r.enabled && (r.appliesTo === use || r.appliesTo === 'BOTH'));
}

/** One button per status of `targets` whose verb the caller may call. `reason()` is the reason
 * typed (or null); `run(fn, args, okText)` makes the call and shows the outcome. Pausing and
 * stopping with nothing typed offer the plant's stop reasons to pick from (the pick is stored
 * as the change's reason); a verb with a consequence asks first, in the same dialog. */
export function verbButtons(order, targets, { reason, run }) {
  return targets.map(verbTo).filter((v) => v && can('productionOrder', v.function)).map((v) =>
    h('button', { type: 'button', 'data-transition': v.to, class: v.consequence ? 'danger' : null,
      onclick: async () => {
        const typed = reason();
        const reasons = typed ? [] : await stopReasons(v.to);
        const pick = reasons.length
          ? select([['', 'No reason given'], ...reasons.map((r) => [r.name, r.description ? `${r.name} — ${r.description}` : r.name])], '', { id: 'reason-pick' })
          : null;
        if (v.consequence || pick) {
          const sure = await confirmAction({ title: `${v.label}: order ${order.name}?`, text: v.consequence || `Why is order ${order.name} ${v.to.toLowerCase()}?`,
            confirm: v.label, danger: !!v.consequence, extra: pick && field('Reason', pick) });
          if (!sure) return;
        }
        run(v.function, { productionOrderIdOrName: order.id, reason: typed || pick?.value || null }, `Order ${order.name} is now ${v.to}`);
      } },
    v.label));
}

/** Whether the caller may report production on the order in its status. */
export const mayReport = (order) => can('productionOrder', 'reportProduction') && !!orderStatus(order.status)?.acceptsReports;

/** The reporting form. Ids start with `idPrefix` (one form per order on a page); `fail(text,
 * control)` shows a problem found before the call; `run` as for [`verbButtons`]. */
export function reportForm(order, { idPrefix = 'report', fail, run }) {
  const unit = order.unitOfMeasureSymbol || order.unitOfMeasureName || '';
  const qty = h('input', { type: 'number', step: 'any', min: 0, id: `${idPrefix}-quantity`, class: 'report-quantity', inputmode: 'decimal' });
  const rreason = h('input', { type: 'text', id: `${idPrefix}-reason`, class: 'report-reason', placeholder: 'optional' });
  const correct = h('input', { type: 'checkbox', id: `${idPrefix}-correction`, class: 'report-correction' });
  const submit = h('button', { type: 'submit', class: 'primary report-submit', id: `${idPrefix}-submit` }, 'Add');
  const qtyLabel = h('span', {}, `Add to produced (${unit})`);
  correct.addEventListener('change', () => {
    qtyLabel.textContent = correct.checked ? `Subtract from produced (${unit})` : `Add to produced (${unit})`;
    submit.textContent = correct.checked ? 'Subtract' : 'Add';
    rreason.placeholder = correct.checked ? 'required for a correction' : 'optional';
  });
  return h('form', { class: 'bar report-form', id: `${idPrefix}-form`, onsubmit: async (ev) => {
    ev.preventDefault();
    const amount = Number(qty.value);
    if (qty.value === '' || !(amount > 0)) { fail('Enter a quantity greater than zero.', qty); return; }
    const why = rreason.value.trim() || null;
    if (correct.checked && !why) { fail('Say why the produced quantity is corrected.', rreason); return; }
    const delta = correct.checked ? -amount : amount;
    const total = order.quantityProduced + delta;
    if (delta > 0 && order.quantity > 0 && total > order.quantity * (1 + OVER_PLAN_MARGIN)) {
      const over = Math.round((100 * (total - order.quantity)) / order.quantity);
      const sure = await confirmAction({ title: `Add ${fmtNum(amount)} ${unit}?`, danger: false, confirm: `Add ${fmtNum(amount)}`,
        text: `Produced would be ${fmtNum(total)} of ${fmtNum(order.quantity)} ${unit} planned: ${over}% over the plan.` });
      if (!sure) return;
    }
    const done = delta > 0 ? `Added ${fmtNum(amount)} ${unit}: produced ${fmtNum(total)}` : `Subtracted ${fmtNum(amount)} ${unit}: produced ${fmtNum(total)}`;
    run('reportProduction', { productionOrderIdOrName: order.id, quantity: delta, reason: why }, done);
  } },
  h('div', { class: 'field' }, h('label', { for: `${idPrefix}-quantity` }, qtyLabel), qty),
  field('Reason', rreason),
  h('label', { class: 'check' }, correct, 'Correction (subtract)'),
  submit);
}
