// The webhooks section of the admin page (docs/INTEGRATION.md): each hook with what it sends, its
// state (enabled, paused and why) and lag, its last delivery attempts; create and edit (the
// secret is write-only: an empty box on edit keeps the stored one), enable/disable, resume,
// replay from a sequence and delete — all through the `integration` script functions.

import { call, errorText } from './api.js';
import { banner, confirmAction, field, h, showFieldErrors } from './dom.js';
import { fmtDate, fmtNum } from './format.js';
import { can } from './session.js';

const M = 'integration';
/** Attempts shown for the chosen hook. */
const ATTEMPTS_SHOWN = 20;
const ACTIONS_HINT = 'Comma-separated: CREATE, UPDATE, DELETE, TRANSITION, REPORT. Empty: every action.';
const ENTITIES_HINT = 'Comma-separated, e.g. ProductionOrder, Material. Empty: every kind of record.';

const list = (v) => (Array.isArray(v) && v.length ? v.join(', ') : 'all');
const splitList = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

/** The hook's state in words: disabled, paused (with the reason), failing, or delivering. */
function stateText(hook) {
  const d = hook.delivery || {};
  if (hook.enabled === false) return 'Disabled';
  if (d.paused) return `Paused — ${d.pausedReason || 'no reason stored'}`;
  if (d.failures > 0) return `Failing (${d.failures} attempts, next ${fmtDate(d.nextAttemptDate)}): ${d.lastError || ''}`;
  return 'Enabled';
}

function lagText(hook) {
  const d = hook.delivery;
  if (!d) return '';
  return `${fmtNum(d.lag)} behind (delivered up to ${d.lastDeliveredSequence} of ${d.headSequence})`;
}

/** The create/edit form; `hook` is `{}` for a new one. */
function hookForm(hook, onSaved, onCancel) {
  const editing = !!hook.id;
  const name = h('input', { type: 'text', id: 'hook-name', name: 'name', value: hook.name || '' });
  const url = h('input', { type: 'url', id: 'hook-url', name: 'url', value: hook.url || '', placeholder: 'https://…' });
  const secret = h('input', { type: 'password', id: 'hook-secret', name: 'secret', autocomplete: 'new-password' });
  const entities = h('input', { type: 'text', id: 'hook-entities', name: 'entities', value: (hook.entities || []).join(', ') });
  const actions = h('input', { type: 'text', id: 'hook-actions', name: 'actions', value: (hook.actions || []).join(', ') });
  const enabled = h('input', { type: 'checkbox', id: 'hook-enabled', name: 'enabled', checked: hook.enabled !== false });
  const msg = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'grid hook-form', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const data = { name: name.value.trim(), url: url.value.trim(), entities: splitList(entities.value), actions: splitList(actions.value), enabled: enabled.checked };
    if (editing) { data.id = hook.id; data.version = hook.version; }
    // Left empty on edit, the secret is not sent: the stored one is kept.
    if (secret.value !== '') data.secret = secret.value;
    try {
      const saved = await call(M, 'saveWebhook', data);
      onSaved(saved);
    } catch (e) {
      if (e.fields) showFieldErrors(form, e.fields);
      msg.replaceChildren(banner('error', e.code === 'conflict' ? 'Changed by someone else meanwhile; cancel and edit again to see it.' : errorText(e)));
    }
  } },
  field('Name', name, { key: 'name', required: true }),
  field('URL', url, { key: 'url', required: true, hint: 'http:// or https:// only; redirects are not followed.' }),
  field('Secret', secret, { key: 'secret', required: !editing, hint: editing
    ? 'Write-only: the stored secret is never shown. Leave empty to keep it; type a new one (at least 16 characters) to replace it.'
    : 'Signs every delivery (Shopfloor-Signature). At least 16 characters; it cannot be read back later.' }),
  field('Records', entities, { key: 'entities', hint: ENTITIES_HINT }),
  field('Actions', actions, { key: 'actions', hint: ACTIONS_HINT }),
  h('div', { class: 'field', 'data-field': 'enabled' }, h('label', { class: 'check', for: 'hook-enabled' }, enabled, 'Enabled'),
    h('p', { class: 'muted', id: 'hook-enabled-hint' }, 'A disabled hook lets events pass by; they are not sent later unless replayed.'),
    h('p', { class: 'err', id: 'hook-enabled-err', hidden: true })),
  h('div', { class: 'bar' }, msg,
    h('button', { type: 'submit', class: 'primary', id: 'hook-save' }, editing ? 'Save webhook' : 'Create webhook'),
    h('button', { type: 'button', onclick: onCancel }, 'Cancel')));
  enabled.setAttribute('aria-describedby', 'hook-enabled-hint hook-enabled-err');
  return form;
}

/** The newest attempts of one hook. */
async function attemptsTable(hook) {
  const page = await call(M, 'getWebhookDeliveries', [hook.id, 0, ATTEMPTS_SHOWN]);
  const caption = h('caption', {}, `Last attempts of ${hook.name} (${fmtNum(page.totalElements)} logged, newest first)`);
  if (!page.content.length) return h('p', { class: 'muted', id: 'hook-attempts' }, `No delivery attempts of ${hook.name} yet.`);
  return h('div', { class: 'table-wrap' }, h('table', { id: 'hook-attempts' }, caption,
    h('thead', {}, h('tr', {}, ['When', 'Event', 'Status', 'Result', 'Duration'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, page.content.map((a) => h('tr', { class: a.success ? 'ok' : 'failed' },
      h('td', {}, fmtDate(a.at)), h('td', { class: 'num' }, a.sequence), h('td', { class: 'num' }, a.statusCode ?? 'no answer'),
      h('td', {}, a.success ? 'delivered' : `failed: ${a.error || ''}`), h('td', { class: 'num' }, `${fmtNum(a.durationMs)} ms`))))));
}

/** The webhooks section: null when the caller may not read webhooks. */
export async function webhookSection() {
  if (!can(M, 'getAllWebhooks')) return null;
  const canSave = can(M, 'saveWebhook');
  const canDelete = can(M, 'deleteWebhook');
  const canReplay = can(M, 'replayWebhook');
  const box = h('section', { 'aria-labelledby': 'hooks-title' });
  const msg = h('div', { 'aria-live': 'polite' });
  const editorSlot = h('div', {});
  const attemptsSlot = h('div', {});
  let shown = null; // the hook whose attempts are shown

  const act = async (what, done) => {
    try { await what(); msg.replaceChildren(banner('ok', done)); await render(); } catch (e) { msg.replaceChildren(banner('error', errorText(e))); }
  };
  const edit = (hook) => {
    editorSlot.replaceChildren(h('h3', {}, hook.id ? `Edit webhook ${hook.name}` : 'New webhook'),
      hookForm(hook, async (saved) => { editorSlot.replaceChildren(); msg.replaceChildren(banner('ok', `Saved webhook ${saved.name}.`)); await render(); }, () => editorSlot.replaceChildren()));
    editorSlot.querySelector('input')?.focus();
  };
  const showAttempts = async (hook) => {
    shown = hook.id;
    try { attemptsSlot.replaceChildren(await attemptsTable(hook)); } catch (e) { attemptsSlot.replaceChildren(banner('error', errorText(e))); }
  };
  const replayForm = (hook) => {
    const from = h('input', { type: 'number', min: 1, step: 1, id: `replay-${hook.id}`, class: 'replay-from', value: hook.delivery ? Math.max(1, hook.delivery.lastDeliveredSequence) : 1 });
    return h('form', { class: 'bar replay', onsubmit: async (ev) => {
      ev.preventDefault();
      const n = Number(from.value);
      if (!Number.isInteger(n) || n < 1) { msg.replaceChildren(banner('error', 'Replay from: type a whole event number, 1 or more.')); return; }
      if (!await confirmAction({ title: `Replay webhook ${hook.name}?`, text: `Events from ${n} on will be sent again to ${hook.url}.`, confirm: 'Replay', danger: false })) return;
      act(() => call(M, 'replayWebhook', [hook.id, n]), `Webhook ${hook.name}: events from ${n} on will be sent again.`);
    } }, h('label', { for: from.id, class: 'sr-only' }, `Replay ${hook.name} from event`), from,
    h('button', { type: 'submit', class: 'replay-submit' }, 'Replay from'));
  };
  const row = (hook) => {
    const d = hook.delivery || {};
    return h('tr', { 'data-id': hook.id, 'data-name': hook.name },
      h('td', {}, hook.name), h('td', { class: 'url' }, hook.url),
      h('td', {}, `${list(hook.entities)} / ${list(hook.actions)}`),
      h('td', { class: 'hook-state' }, stateText(hook)),
      h('td', { class: 'hook-lag' }, lagText(hook)),
      h('td', {},
        h('button', { type: 'button', class: 'hook-attempts', onclick: () => showAttempts(hook) }, 'Attempts'),
        canSave ? h('button', { type: 'button', class: 'hook-edit', onclick: () => edit(hook) }, 'Edit') : null,
        canSave ? h('button', { type: 'button', class: 'hook-toggle', onclick: async () => {
          if (hook.enabled !== false && !await confirmAction({ title: `Disable webhook ${hook.name}?`, text: 'Events committed while it is disabled are not sent later (unless replayed).', confirm: 'Disable' })) return;
          act(() => call(M, 'saveWebhook', { id: hook.id, version: hook.version, enabled: hook.enabled === false }),
            `Webhook ${hook.name} ${hook.enabled === false ? 'enabled' : 'disabled'}.`);
        } }, hook.enabled === false ? 'Enable' : 'Disable') : null,
        canReplay && d.paused ? h('button', { type: 'button', class: 'hook-resume primary', onclick: () =>
          // Resuming is a replay from the first event not yet delivered: nothing skipped, nothing repeated.
          act(() => call(M, 'replayWebhook', [hook.id, d.lastDeliveredSequence + 1]), `Webhook ${hook.name} resumed from event ${d.lastDeliveredSequence + 1}.`) }, 'Resume') : null,
        canDelete ? h('button', { type: 'button', class: 'danger hook-delete', onclick: async () => {
          if (!await confirmAction({ title: `Delete webhook ${hook.name}?`, text: `Nothing more is sent to ${hook.url}, and its delivery log is deleted.`, confirm: 'Delete webhook' })) return;
          if (shown === hook.id) { shown = null; attemptsSlot.replaceChildren(); }
          act(() => call(M, 'deleteWebhook', [hook.id]), `Deleted webhook ${hook.name}.`);
        } }, 'Delete') : null,
        canReplay ? replayForm(hook) : null));
  };
  const render = async () => {
    const all = await call(M, 'getAllWebhooks');
    const hooks = await Promise.all(all.map((x) => call(M, 'getWebhook', [x.id])));
    hooks.sort((a, b) => a.name.localeCompare(b.name));
    box.replaceChildren(
      h('div', { class: 'bar' }, h('h2', { id: 'hooks-title' }, 'Webhooks'),
        canSave ? h('button', { type: 'button', class: 'primary', id: 'new-webhook', onclick: () => edit({}) }, 'New webhook') : null,
        h('button', { type: 'button', id: 'hooks-refresh', onclick: () => act(async () => {}, 'Refreshed.') }, 'Refresh')),
      h('p', { class: 'muted' }, 'Every committed change the hook selects is POSTed to its URL, signed, in order, until the receiver answers 2xx.'),
      msg, editorSlot,
      hooks.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'webhooks' },
        h('thead', {}, h('tr', {}, ['Name', 'URL', 'Sends (records / actions)', 'State', 'Lag', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, hooks.map(row)))) : h('p', { class: 'muted', id: 'no-webhooks' }, 'No webhooks yet.'),
      attemptsSlot);
    const still = hooks.find((x) => x.id === shown);
    if (still) await showAttempts(still);
  };
  await render();
  return box;
}
