// Numbers and dates as people read them, and the datetime-local inputs' values.

// Formatters are made once: building an Intl object per cell costs more than the whole query.
export const NUM = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export const fmtNum = (n) => (n === null || n === undefined ? '' : NUM.format(Number(n)));
export const fmtDate = (s) => (s ? DATE_TIME.format(new Date(s)) : '');
export const fmtDay = (s) => (s ? DAY.format(new Date(s)) : '');

/** ISO timestamp → value of a datetime-local input (local time). */
export function toLocalInput(s) {
  if (!s) return '';
  const d = new Date(s);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

const fromLocalInput = (v) => (v ? new Date(v).toISOString() : null);

/** A datetime-local input shows minutes: an untouched one keeps its stored (finer) value. */
export function readDate(el) {
  const original = el.dataset.original || null;
  if (original && el.value === toLocalInput(original)) return original;
  return fromLocalInput(el.value);
}
