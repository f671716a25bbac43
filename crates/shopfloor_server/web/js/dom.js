// Building the page's elements: `h(tag, attrs, ...children)`, labelled fields with their message
// slots, banners and the screen-reader announcer.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    // Through the CSSOM: the page's Content-Security-Policy (style-src 'self') ignores style attributes.
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

let uid = 0;
export const nextId = (p) => `${p}-${++uid}`;

/** Says `text` to screen readers (the polite live region of the shell). */
export function announce(text) {
  const live = $('#live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
}

export function banner(kind, text, ...extra) {
  return h('div', { class: `banner ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text, ...extra);
}

/** A labelled control with its message slot. */
export function field(label, control, opts = {}) {
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

/** Shows `{field: [messages]}` next to the fields of `form` (and clears the others). */
export function showFieldErrors(form, fields) {
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

/** A `<select>` of `[value, text]` options. */
export function select(options, value, attrs = {}) {
  const el = h('select', attrs, options.map(([v, text]) => h('option', { value: v }, text)));
  el.value = value ?? '';
  return el;
}

export function debounce(fn, ms) {
  let t = null;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

/** Asks before something that cannot be undone: a modal dialog naming the consequence, with the
 * safe choice focused. Resolves to true only when the user confirms. */
export function confirmAction({ title, text, confirm, danger = true, extra = null }) {
  return new Promise((resolve) => {
    const keep = h('button', { type: 'button', id: 'confirm-keep' }, 'Go back');
    const ok = h('button', { type: 'button', id: 'confirm-ok', class: danger ? 'danger' : 'primary' }, confirm);
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', { id: 'confirm-text' }, text),
      extra,
      h('div', { class: 'bar' }, keep, ok));
    const done = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    keep.addEventListener('click', () => done(false));
    ok.addEventListener('click', () => done(true));
    dialog.addEventListener('cancel', (ev) => { ev.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has the focus; a harmless action with a choice to make focuses the choice.
    const choice = !danger && extra && extra.querySelector('select, input');
    (choice || keep).focus();
  });
}
