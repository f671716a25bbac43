// The admin page (#/admin): users and roles (generic entity sections), passwords (set, never read
// back) and API tokens (a created secret is shown once; revoke) for SYSTEM.ADMIN, and the
// webhooks (webhooks.js) for holders of INTEGRATION; each part only for who may use it.

import { call, errorText } from './api.js';
import { banner, field, h, select } from './dom.js';
import { fmtDate } from './format.js';
import { entitySection } from './master-data.js';
import { can } from './session.js';
import { webhookSection } from './webhooks.js';

export async function adminPage(main) {
  main.append(h('h1', {}, 'Administration'));
  if (can('security', 'findUsers')) {
    main.append(await entitySection({ module: 'security', noun: 'User', plural: 'Users', title: 'Users', cols: ['name', 'displayName', 'roles', 'enabled'] }));
    main.append(await entitySection({ module: 'security', noun: 'Role', plural: 'Roles', title: 'Roles', cols: ['name', 'description', 'permissions'] }));
    const users = await call('security', 'getAllUsers');
    main.append(passwordSection(users));
    main.append(await tokenSection(users));
  }
  const hooks = await webhookSection();
  if (hooks) main.append(hooks);
}

function passwordSection(users) {
  const pwUser = select(users.map((u) => [u.name, u.name]), '', { id: 'pw-user' });
  const pw = h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password' });
  const pwMsg = h('div', { 'aria-live': 'polite' });
  return h('section', { 'aria-labelledby': 'pw-title' }, h('h2', { id: 'pw-title' }, 'Set a password'),
    h('form', { class: 'bar', onsubmit: async (ev) => {
      ev.preventDefault();
      try { await call('security', 'setUserPassword', [pwUser.value, pw.value]); pw.value = ''; pwMsg.replaceChildren(banner('ok', 'Password set.')); } catch (e) { pwMsg.replaceChildren(banner('error', errorText(e))); }
    } }, field('User', pwUser), field('New password', pw), h('button', { type: 'submit', class: 'primary' }, 'Set password')), pwMsg);
}

async function tokenSection(users) {
  const tokUser = select(users.map((u) => [u.name, u.name]), '', { id: 'tok-user' });
  const tokLabel = h('input', { type: 'text', id: 'tok-label' });
  const tokMsg = h('div', { 'aria-live': 'polite' });
  const tokTable = h('div', {});
  const renderTokens = async () => {
    const toks = await call('security', 'findApiTokens', { pageSize: 200, pageIndex: 0, sortFields: ['createdDate'], sortDirections: ['desc'] });
    tokTable.replaceChildren(h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['User', 'Label', 'Kind', 'Expires', 'Last used', 'Revoked', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, toks.content.map((t) => h('tr', {},
        h('td', {}, t.userName || ''), h('td', {}, t.label || ''), h('td', {}, t.kind || ''), h('td', {}, fmtDate(t.expiresDate)),
        h('td', {}, fmtDate(t.lastUsedDate)), h('td', {}, t.revoked ? 'yes' : ''),
        h('td', {}, t.revoked ? null : h('button', { type: 'button', class: 'danger', onclick: async () => {
          try { await call('security', 'revokeApiToken', [t.id]); await renderTokens(); } catch (e) { tokMsg.replaceChildren(banner('error', errorText(e))); }
        } }, 'Revoke'))))))));
  };
  const section = h('section', { 'aria-labelledby': 'tok-title' }, h('h2', { id: 'tok-title' }, 'API tokens'),
    h('form', { class: 'bar', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await call('security', 'createApiToken', [tokUser.value, tokLabel.value || null, null]);
        const secret = r.token || r.secret || JSON.stringify(r);
        tokMsg.replaceChildren(banner('ok', 'Token created; copy it now, it is not shown again: ', h('span', { class: 'secret' }, secret)));
        await renderTokens();
      } catch (e) { tokMsg.replaceChildren(banner('error', errorText(e))); }
    } }, field('User', tokUser), field('Label', tokLabel), h('button', { type: 'submit', class: 'primary' }, 'Create token')),
    tokMsg, tokTable);
  await renderTokens();
  return section;
}
