// The server's lists the pages show, read once per page load from GET /api/v1/script: the order
// statuses with the lifecycle verb that enters each (function, button label), and the choice
// lists of the record catalogue (shopfloor_core's schema), by entity and field. The pages keep no
// copies of them.

import { http } from './api.js';

let loading = null;
let lists = { statuses: [], verbs: [], enums: {}, editableWhenFinal: [] };

/** Loads the lists (once; a failed load is tried again on the next call). */
export function loadCatalogue() {
  if (!loading) {
    loading = http('GET', '/api/v1/script')
      .then((listing) => {
        const { statuses, verbs, editableWhenFinal } = listing.lifecycle;
        lists = { statuses, verbs, enums: listing.enums, editableWhenFinal };
      })
      .catch((e) => { loading = null; throw e; });
  }
  return loading;
}

/** Every order status name, in the lifecycle's order. */
export const orderStatuses = () => lists.statuses.map((s) => s.name);

/** Open work: the statuses that are not final (the board's default, the line view's orders). */
export const openStatuses = () => lists.statuses.filter((s) => !s.final).map((s) => s.name);

/** A status with `targets`, `final` and `acceptsReports`, or undefined. */
export const orderStatus = (name) => lists.statuses.find((s) => s.name === name);

/** The lifecycle verb that moves an order to `status`: `{function, to, label, consequence}`. */
export const verbTo = (status) => lists.verbs.find((v) => v.to === status);

/** The fields a final (closed, cancelled) order still accepts changes to. */
export const editableWhenFinal = (key) => lists.editableWhenFinal.includes(key);

/** The choices of an enumerated field (`choices('Location', 'type')`), or undefined. */
export const choices = (noun, key) => (lists.enums[noun] || {})[key];
