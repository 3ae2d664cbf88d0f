/**
 * Cost of the treatment-history model as the history grows: buildFacts (episodes dated by their administrations,
 * lines of therapy, what ended them, last therapy, regimens, refractoriness, phase inference, durations) on a chart
 * with n MedicationRequests and ADMINISTRATIONS_PER_REQUEST MedicationAdministrations for each (every third naming no
 * order, so the match by drug and period is measured too), in process, no HTTP. The rows of `npm run bench`
 * ("history model, n MedicationRequests") come from here; the per-request cost should stay flat (linear total).
 *
 *   npx tsx scripts/lib/history-cost.ts [10,100,1000,10000]
 */
import type { MedicationAdministration, MedicationRequest, Observation } from 'fhir/r4.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { isEntryPoint } from '../../src/entry-point.js';
import { buildFacts } from '../../src/facts/index.js';
import type { GatheredChart } from '../../src/gather/types.js';
import { emptyChart } from '../../test/fixtures/facts/chart.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
/** A myeloma history's drugs (RxNorm SCDs from shared/conventions/partner-drugs.md), premedication included. */
const HISTORY_DRUGS = ['402243', '602910', '197582', '1721951', '1806940', '1369734', '1437969', '200390'];

/** Administrations charted per MedicationRequest (weekly doses of a 28-day supply). */
export const ADMINISTRATIONS_PER_REQUEST = 4;

/** `days` before the order's date (2026-12-01). */
function daysBefore(days: number): string {
  return new Date(Date.UTC(2026, 11, 1) - days * 86_400_000).toISOString().slice(0, 10);
}

/** n MedicationRequests, one every 3 days cycling through the drugs, with a progression every 50 orders. */
export function historyChart(n: number): { chart: GatheredChart; order: MedicationRequest } {
  const medicationRequests: MedicationRequest[] = [];
  const medicationAdministrations: MedicationAdministration[] = [];
  const observations: Observation[] = [];
  for (let i = 0; i < n; i += 1) {
    // one order every 3 days, oldest first: a longer history, not a denser one, as n grows
    const start = daysBefore((n - i) * 3);
    medicationRequests.push({
      resourceType: 'MedicationRequest',
      id: `mr-${i}`,
      status: i % 17 === 0 ? 'stopped' : 'completed',
      intent: 'order',
      subject: { reference: 'Patient/bench' },
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: HISTORY_DRUGS[i % HISTORY_DRUGS.length] as string }] },
      authoredOn: start,
      dispenseRequest: { expectedSupplyDuration: { value: 28, code: 'd' }, numberOfRepeatsAllowed: i % 3 },
    });
    for (let k = 0; k < ADMINISTRATIONS_PER_REQUEST; k += 1) {
      medicationAdministrations.push({
        resourceType: 'MedicationAdministration',
        id: `ma-${i}-${k}`,
        status: 'completed',
        subject: { reference: 'Patient/bench' },
        medicationCodeableConcept: { coding: [{ system: RXNORM, code: HISTORY_DRUGS[i % HISTORY_DRUGS.length] as string }] },
        effectiveDateTime: `${daysBefore((n - i) * 3 - k * 7)}T09:00:00Z`,
        // every third names no order: matched to one by drug and period
        ...(i % 3 !== 0 && { request: { reference: `MedicationRequest/mr-${i}` } }),
      });
    }
    if (i % 50 === 49) {
      observations.push({
        resourceType: 'Observation',
        id: `status-${i}`,
        status: 'final',
        subject: { reference: 'Patient/bench' },
        code: { coding: [{ system: 'http://loinc.org', code: '97509-4' }] },
        effectiveDateTime: start,
        valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '271299001' }] },
      });
    }
  }
  const order: MedicationRequest = {
    resourceType: 'MedicationRequest',
    id: 'draft-ixa',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/bench' },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1723770' }] },
    authoredOn: '2026-12-01',
  };
  const chart: GatheredChart = emptyChart({
    patientId: 'bench',
    observations,
    medicationRequests,
    medicationAdministrations,
    draftOrders: [order],
    focusOrders: ['MedicationRequest/draft-ixa'],
    userId: 'Practitioner/bench',
  });
  return { chart, order };
}

export interface HistoryCost {
  size: number;
  /** median milliseconds per buildFacts call */
  msPerCall: number;
  /** MedicationAdministrations in the chart (ADMINISTRATIONS_PER_REQUEST per request) */
  administrations: number;
  /** that, per MedicationRequest, in microseconds */
  usPerRequest: number;
  calls: number;
}

export function historyModelCost(sizes: number[], budgetMsPerSize = 400): HistoryCost[] {
  const catalog = loadCatalog();
  return sizes.map((size) => {
    const { chart, order } = historyChart(size);
    for (let i = 0; i < 3; i += 1) buildFacts(chart, order, catalog, '2026-12-01');
    const samples: number[] = [];
    const until = performance.now() + budgetMsPerSize;
    while (samples.length < 5 || (performance.now() < until && samples.length < 2000)) {
      const t = performance.now();
      buildFacts(chart, order, catalog, '2026-12-01');
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    const msPerCall = samples[Math.floor(samples.length / 2)] as number;
    return { size, msPerCall, usPerRequest: (msPerCall * 1000) / size, calls: samples.length, administrations: chart.medicationAdministrations.length };
  });
}

if (isEntryPoint(import.meta.url)) {
  const sizes = (process.argv[2] ?? '10,100,1000,10000').split(',').map(Number);
  for (const r of historyModelCost(sizes)) {
    process.stdout.write(`history model, ${r.size} MedicationRequests + ${r.administrations} MedicationAdministrations: ${r.msPerCall.toFixed(3)} ms per call (median of ${r.calls}), ${r.usPerRequest.toFixed(2)} µs per MedicationRequest\n`);
  }
}
