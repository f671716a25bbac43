// The change feed: one EventSource per tab on /api/v1/events (SSE). A page registers listeners
// for the events it cares about; the router drops them when another page is shown.

let source = null;
let lastSequence = 0;
const listeners = new Set();

export function startFeed(after) {
  lastSequence = after;
  const es = new EventSource(`/api/v1/events?after=${after}`);
  es.addEventListener('history', (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch { return; }
    if (ev.sequence <= lastSequence) return; // a reconnect replays from the first cursor
    lastSequence = ev.sequence;
    for (const l of [...listeners]) l(ev);
  });
  es.addEventListener('open', () => connectionDown(false));
  es.addEventListener('error', () => {
    connectionDown(true);
    // The browser retries a dropped connection by itself, but not one the server refused
    // (restarting, overloaded): that one is opened again from the last event seen.
    if (es.readyState === EventSource.CLOSED) {
      setTimeout(() => { if (source === es) { stopFeed(); startFeed(lastSequence); } }, RETRY_MS);
    }
  });
  source = es;
}

const RETRY_MS = 3000;
/** A short drop (a proxy's idle timeout) is not worth a warning: it shows after this long. */
const WARN_AFTER_MS = 1500;
let warnTimer = null;

/** Shows or clears "connection lost — retrying" (the page would otherwise silently go stale). */
function connectionDown(down) {
  const el = document.getElementById('connection');
  document.body.toggleAttribute('data-feed-down', down);
  clearTimeout(warnTimer);
  if (!down) { el.hidden = true; el.textContent = ''; return; }
  warnTimer = setTimeout(() => {
    el.textContent = 'Connection to the server lost — retrying. What you see may be out of date.';
    el.hidden = false;
  }, WARN_AFTER_MS);
}

export function stopFeed() {
  if (source) source.close();
  source = null;
  clearTimeout(warnTimer);
}

export const feedRunning = () => source !== null;

/** Calls `listener(event)` for every change until the next page is shown. */
export function onChange(listener) { listeners.add(listener); }

export function clearChangeListeners() { listeners.clear(); }
