// Saved board views: a name for a board URL (its filters and sort), kept per user in this
// browser's storage. They are a convenience, not data: a view saved on one tablet is not on
// another (docs/adr/0016).

import { field, h } from './dom.js';
import { session } from './session.js';

const key = () => `shopfloor.views.${session.user}`;

function load() {
  try {
    const list = JSON.parse(localStorage.getItem(key()) || '[]');
    return Array.isArray(list) ? list.filter((v) => v && typeof v.name === 'string' && typeof v.query === 'string') : [];
  } catch {
    return [];
  }
}

const store = (list) => localStorage.setItem(key(), JSON.stringify(list));

/** The saved views as a folded section: links to each, a delete button each, and a form that
 * saves the current view (`query`, the board URL's parameters) under a name. `onChange` redraws. */
export function savedViewsSection(query, onChange) {
  const list = load();
  const name = h('input', { type: 'text', id: 'view-name', maxlength: 60, placeholder: 'e.g. Line 1 overdue' });
  const save = (ev) => {
    ev.preventDefault();
    const n = name.value.trim();
    if (!n) { name.focus(); return; }
    store([...list.filter((v) => v.name !== n), { name: n, query }].sort((a, b) => a.name.localeCompare(b.name)));
    onChange();
  };
  return h('details', { class: 'group saved-views', open: list.length ? true : null },
    h('summary', {}, `Saved views (${list.length})`),
    list.length ? h('ul', { class: 'bar', id: 'saved-views' }, list.map((v) => h('li', {},
      h('a', { href: `#/orders${v.query ? `?${v.query}` : ''}`, class: 'button' }, v.name),
      h('button', { type: 'button', class: 'link', 'aria-label': `Delete saved view ${v.name}`,
        onclick: () => { store(list.filter((x) => x.name !== v.name)); onChange(); } }, '×'))))
      : h('p', { class: 'muted' }, 'None yet: save the view you use most.'),
    h('form', { class: 'bar', onsubmit: save }, field('Save this view as', name),
      h('button', { type: 'submit', id: 'view-save' }, 'Save view')));
}
