// Requests to the server: JSON in and out, the CSRF token on every change, failures as ApiError
// (the error envelope of docs/API.md). Every read and write of the pages goes through `call`, the
// same script API (and permission checks) as any other client.

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `request failed (${status})`);
    this.status = status;
    this.code = e.code || 'error';
    this.fields = e.fields || null;
    this.current = e.current || null;
    this.permission = e.permission || null;
  }
}

/** No answer came at all: the network or the server is down. (Not every TypeError: a fault in a
 * page's own code is one too, and must not be reported as a lost connection.) */
export class Unreachable extends Error {
  constructor(cause) {
    super('The server cannot be reached — check the connection and try again.');
    this.cause = cause;
  }
}

const CSRF_KEY = 'shopfloor.csrf';
let csrf = localStorage.getItem(CSRF_KEY);

/** Keeps the CSRF token of a new login (or forgets it: `null`). */
export function setCsrf(token) {
  csrf = token;
  if (token) localStorage.setItem(CSRF_KEY, token);
  else localStorage.removeItem(CSRF_KEY);
}

let unauthorized = () => {};
/** What to do when the server answers 401 to anything but a login: the session has ended. */
export function onUnauthorized(handler) { unauthorized = handler; }

export async function http(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let r;
  try {
    r = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    // fetch rejects only when no answer came at all.
    throw new Unreachable(e);
  }
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!r.ok) {
    const err = new ApiError(r.status, json);
    if (r.status === 401 && path !== '/api/v1/login') unauthorized();
    throw err;
  }
  return json;
}

/** A record as `save<X>` takes it back: without the names the server derives from its
 * references (`…Name`, `…Path`, `…Symbol`). */
export function withoutDerivedNames(record) {
  const d = { ...record };
  for (const k of Object.keys(d)) if (k.endsWith('Name') || k.endsWith('Path') || k.endsWith('Symbol')) delete d[k];
  return d;
}

/** Calls system.mes.<module>.<fn>: an object = keyword arguments, an array = positional ones. */
export const call = (module, fn, args) => http('POST', `/api/v1/script/${module}/${fn}`, args === undefined ? [] : args);

/** The words to show for a failed call. */
export function errorText(e) {
  if (e instanceof Unreachable) return e.message;
  if (!(e instanceof ApiError)) return `Something went wrong on this page: ${e.message || e}`;
  if (e.code === 'forbidden') return `Not allowed: ${e.message}`;
  return e.message;
}
