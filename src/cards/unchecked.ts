/**
 * The card for policy drugs whose payer could not be determined: no policy can be chosen, and silence would read
 * as "nothing to check". Wording in cards/missing-data.json (coverageUnchecked).
 */
import { randomUUID } from 'node:crypto';
import type { Unavailable } from '../gather/types.js';
import type { Card } from '../protocol/types.js';
import { renderTemplate, trusted } from './template.js';
import { MISSING_DATA, topicOf } from './templates.js';

export interface UncheckedOrder {
  brand: string;
  orderReference: string;
}

export function renderUncheckedCoverage(orders: readonly UncheckedOrder[], unavailable: readonly Unavailable[]): Card {
  const t = MISSING_DATA.coverageUnchecked;
  const brands = [...new Set(orders.map((o) => o.brand))].join(', ');
  const gaps = unavailable.map((u) => renderTemplate(MISSING_DATA.uncheckedItem, { item: `${u.what} (${u.reason})` }, 'markdown'));
  const items = gaps.length > 0 ? gaps : [t.noCoverageItem];
  const summary = renderTemplate(t.summary, { brands }, 'text');
  return {
    uuid: randomUUID(),
    summary: summary.length < 140 ? summary : `${summary.slice(0, 136)}…`,
    detail: renderTemplate(t.detail, { brands, items: trusted(items.join('\n')) }, 'markdown'),
    indicator: 'info',
    source: { label: t.sourceLabel, topic: topicOf('missing-data') },
    // One reference per card in CRD; the first order stands for all (they share the one unknown payer).
    ...(orders[0] && { extension: { 'davinci-crd.associated-resource': orders[0].orderReference } }),
  };
}

/** Draft orders of a policy drug whose subject is another patient than the hook's: not evaluated against this chart. */
export function renderOtherPatientOrders(orders: readonly UncheckedOrder[]): Card {
  const t = MISSING_DATA.otherPatient;
  const brands = [...new Set(orders.map((o) => o.brand))].join(', ');
  const summary = renderTemplate(t.summary, { brands }, 'text');
  return {
    uuid: randomUUID(),
    summary: summary.length < 140 ? summary : `${summary.slice(0, 136)}…`,
    detail: renderTemplate(t.detail, { brands, orders: orders.map((o) => o.orderReference).join(', ') }, 'markdown'),
    indicator: 'warning',
    source: { label: t.sourceLabel, topic: topicOf('missing-data') },
    ...(orders[0] && { extension: { 'davinci-crd.associated-resource': orders[0].orderReference } }),
  };
}
