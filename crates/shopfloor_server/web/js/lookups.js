// Pickers' choices: rows of small master-data entities, cached for the page's life, and the
// location tree flattened for indented lists.

import { call } from './api.js';
import { can } from './session.js';

const cache = new Map();

/** Rows of a small master-data entity, cached for the page's life; refreshed by `forget`. */
export function rows(module, fn) {
  const key = `${module}.${fn}`;
  // Shift records grow every day: pickers offer the latest 200.
  const load = fn === 'recentShiftRecords'
    ? () => call('shift', 'findShiftRecords', { pageSize: 200, pageIndex: 0, sortFields: ['startDate'], sortDirections: ['desc'] }).then((r) => r.content)
    : () => call(module, fn);
  if (!cache.has(key)) cache.set(key, load().catch((e) => { cache.delete(key); throw e; }));
  return cache.get(key);
}

export const forget = () => cache.clear();

/** The tree's nodes in display order, each with its `depth`. */
export function flattenTree(nodes, depth = 0, out = []) {
  for (const n of nodes || []) {
    out.push({ ...n, depth });
    flattenTree(n.children, depth + 1, out);
  }
  return out;
}

export async function locationList() {
  if (!can('location', 'getLocationTree')) return [];
  return flattenTree(await rows('location', 'getLocationTree'));
}

export const indent = (n) => `${'\u00a0\u00a0'.repeat(n.depth)}${n.name}`;
