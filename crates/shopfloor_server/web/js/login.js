// The login page.

import { errorText } from './api.js';
import { banner, field, h } from './dom.js';
import { keepFocus } from './router.js';
import { logIn } from './session.js';

export async function loginPage(main, params) {
  const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { 'aria-live': 'assertive' });
  const submit = h('button', { class: 'primary', type: 'submit', id: 'login-submit' }, 'Log in');
  const form = h('form', { class: 'login', onsubmit: async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    msg.replaceChildren();
    try {
      await logIn(name.value, password.value);
      const next = params.get('next');
      location.hash = next && !next.startsWith('/login') ? `#${next}` : '#/orders';
    } catch (e) {
      msg.replaceChildren(banner('error', errorText(e)));
      password.select();
    } finally {
      submit.disabled = false;
    }
  } },
  h('h1', {}, 'Log in to Shopfloor'),
  field('User name', name),
  field('Password', password),
  msg,
  submit);
  main.append(form);
  name.focus();
  keepFocus();
}
