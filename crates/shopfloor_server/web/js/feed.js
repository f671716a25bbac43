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
  es.addEventListener('open', () => document.body.removeAttribute('data-feed-down'));
  es.addEventListener('error', () => document.body.setAttribute('data-feed-down', ''));
  source = es;
}

export function stopFeed() {
  if (source) source.close();
  source = null;
}

export const feedRunning = () => source !== null;

/** Calls `listener(event)` for every change until the next page is shown. */
export function onChange(listener) { listeners.add(listener); }

export function clearChangeListeners() { listeners.clear(); }
