/**
 * Cost of reading the doses already given (givenDoses) and walking the current course (currentCourse) as the
 * history of the ordered drug grows: n earlier orders of it, 3 doses each, in process. The worst case for a total per
 * course (every order is the ordered drug); a real chart holds tens. Per-order cost should stay roughly flat.
 *
 *   npx tsx scripts/lib/dose-history-cost.ts
 */
import type { MedicationRequest } from 'fhir/r4.js';
import { identifyOrderedDrug } from '../../src/catalog/drugs.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { givenDoses } from '../../src/facts/order-dose.js';
import { currentCourse } from '../../src/policy/dose.js';
import { emptyChart } from '../../test/fixtures/facts/chart.js';
const catalog = loadCatalog();
for (const n of [100, 1000, 10000]) {
  const requests: MedicationRequest[] = Array.from({ length: n }, (_, i) => ({
    resourceType: 'MedicationRequest', id: `ino-${i}`, status: 'completed', intent: 'order', subject: { reference: 'Patient/b' },
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1942954' }] },
    authoredOn: new Date(Date.UTC(2026, 11, 1) - (n - i) * 7 * 86_400_000).toISOString().slice(0, 10),
    dosageInstruction: [{ timing: { repeat: { count: 3, frequency: 1, period: 1, periodUnit: 'wk' } }, doseAndRate: [{ doseQuantity: { value: 0.5, unit: 'mg/m2', code: 'mg/m2' } }] }],
  }));
  const chart = emptyChart({ medicationRequests: requests });
  const run = (): void => { const h = givenDoses(requests, [], { drug: 'inotuzumab-ozogamicin', serviceDate: '2026-12-01', draftIds: new Set(), identify: (x) => identifyOrderedDrug(x, chart, catalog) }); currentCourse(h.value!, '2026-12-01', 42); };
  for (let i = 0; i < 5; i++) run();
  const s: number[] = [];
  for (let i = 0; i < 15; i++) { const a = performance.now(); run(); s.push(performance.now() - a); }
  s.sort((x, y) => x - y);
  console.log(`${n} orders of the ordered drug, 3 doses each: ${s[7]!.toFixed(2)} ms median, ${((1000 * s[7]!) / n).toFixed(2)} µs per order`);
}
