/**
 * A total per course in the engine, on the doses the chart records: the MAR of cycle 2 (real MedicationAdministration
 * resources, charted in mg) replaces what cycle 2's order implied, and is brought to the cap's mg/m² with the
 * patient's BSA; the test policy's limit set (test/fixtures/analyst-data centene-inotuzumab-course-total) decides.
 */
import { fileURLToPath } from 'node:url';
import type { Dosage, MedicationAdministration, MedicationRequest } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { identifyOrderedDrug } from '../../src/catalog/drugs.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { givenDoses } from '../../src/facts/order-dose.js';
import type { ClinicalFacts } from '../../src/facts/types.js';
import { checkLimitSet } from '../../src/policy/dose.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { code, draftOrder, medicationRequest, observation, quantity, RXNORM, UCUM } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const policy = loadPolicyFile(fileURLToPath(new URL('../fixtures/analyst-data/policies/centene-inotuzumab-course-total.json', import.meta.url)));
const courseSet = policy.indications[0]!.doseLimits![1]!;
const INOTUZUMAB = '1942954';
const SERVICE = '2026-12-01';

const weekly = (value: number, count: number, start: string): Dosage => ({
  timing: { repeat: { count, frequency: 1, period: 1, periodUnit: 'wk', boundsPeriod: { start } } },
  doseAndRate: [{ doseQuantity: { value, unit: 'mg/m2', system: UCUM, code: 'mg/m2' } }],
});
const cycle1 = medicationRequest('ino-c1', INOTUZUMAB, '2026-10-06', { dosageInstruction: [{ ...weekly(0.8, 1, '2026-10-06') }, weekly(0.5, 2, '2026-10-13')] });
const cycle2 = medicationRequest('ino-c2', INOTUZUMAB, '2026-11-03', { dosageInstruction: [weekly(0.5, 3, '2026-11-03')] });
const draft = draftOrder('draft-ino-c3', code(RXNORM, INOTUZUMAB), { dosageInstruction: [weekly(0.5, 3, SERVICE)] });
const chart = emptyChart({
  observations: [observation('bsa', '8277-6', '2026-11-28', quantity(1.8, 'm2'))],
  medicationRequests: [cycle1, cycle2],
  draftOrders: [draft],
});

/** The MAR of cycle 2: each dose charted in mg, as nurses chart what the bag held. */
const mar = (mg: number): MedicationAdministration[] =>
  ['2026-11-03', '2026-11-10', '2026-11-17'].map((date, i) => ({
    resourceType: 'MedicationAdministration',
    id: `mar-c2-${i + 1}`,
    status: 'completed',
    medicationCodeableConcept: code(RXNORM, INOTUZUMAB, 'inotuzumab ozogamicin 0.9 MG Injection'),
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: `${date}T09:15:00-05:00`,
    request: { reference: 'MedicationRequest/ino-c2' },
    dosage: { route: { text: 'IV' }, dose: { value: mg, unit: 'mg', system: UCUM, code: 'mg' } },
  }));

function factsWith(administrations: readonly MedicationAdministration[], requests: readonly MedicationRequest[] = chart.medicationRequests): ClinicalFacts {
  const facts = buildFacts({ ...chart, medicationRequests: [...requests] }, draft, catalog, SERVICE);
  const dosesGiven = givenDoses(requests, administrations, {
    drug: 'inotuzumab-ozogamicin',
    serviceDate: SERVICE,
    draftIds: new Set(['draft-ino-c3']),
    identify: (resource) => identifyOrderedDrug(resource, chart, catalog),
  });
  return { ...facts, order: { ...facts.order, dosesGiven } };
}

describe('a total per course on recorded administrations', () => {
  it('from the orders alone: 1.8 + 1.5 given + 1.5 ordered = 4.8 mg/m², met', () => {
    const check = checkLimitSet(courseSet, factsWith([]));
    expect(check.status).toBe('met');
    expect(check.ordered?.courseTotal?.total).toEqual({ value: 4.8, unit: 'mg/m2' });
  });

  it('the MAR shows 1.44 mg given each time (0.8 mg/m² at BSA 1.80): 1.8 + 2.4 + 1.5 = 5.7 mg/m², not met, each administration listed', () => {
    const check = checkLimitSet(courseSet, factsWith(mar(1.44)));
    expect(check.status).toBe('not-met');
    expect(check.exceeds).toEqual(['cumulative']);
    const course = check.ordered?.courseTotal;
    expect(course?.total).toEqual({ value: 5.7, unit: 'mg/m2' });
    expect(course?.remaining).toEqual({ value: 1.2, unit: 'mg/m2' });
    expect(course?.scale).toEqual({ value: 1.8, unit: 'm2' });
    expect(course?.given).toEqual([
      { reference: 'MedicationRequest/ino-c1', source: 'order', from: '2026-10-06', to: '2026-10-20', doses: 3, amount: { value: 1.8, unit: 'mg/m2' } },
      { reference: 'MedicationAdministration/mar-c2-1', source: 'administration', from: '2026-11-03', to: '2026-11-03', doses: 1, amount: { value: 0.8, unit: 'mg/m2' } },
      { reference: 'MedicationAdministration/mar-c2-2', source: 'administration', from: '2026-11-10', to: '2026-11-10', doses: 1, amount: { value: 0.8, unit: 'mg/m2' } },
      { reference: 'MedicationAdministration/mar-c2-3', source: 'administration', from: '2026-11-17', to: '2026-11-17', doses: 1, amount: { value: 0.8, unit: 'mg/m2' } },
    ]);
    expect(check.evidence.map((e) => e.reference)).toEqual(expect.arrayContaining(['Observation/bsa', 'MedicationAdministration/mar-c2-1', 'MedicationRequest/ino-c1']));
    // three doses ordered: no exact one-click amount
    expect(check.covered).toBeUndefined();
  });

  it('without a BSA the mg doses cannot be brought to mg/m²: not documented, asking for it', () => {
    const noBsa = factsWith(mar(1.44));
    const check = checkLimitSet(courseSet, { ...noBsa, body: { ...noBsa.body, bodySurfaceArea: { value: null, evidence: [], unknownReason: 'Body surface area not documented' } } });
    expect(check.status).toBe('not-documented');
    expect(check.missing).toEqual(['$.body.bodySurfaceArea']);
  });

  it('one dose left of what remains: the covered amount is the room left for this BSA', () => {
    const single = draftOrder('draft-ino-c3', code(RXNORM, INOTUZUMAB), { dosageInstruction: [{ ...weekly(0.8, 1, SERVICE) }] });
    const facts = buildFacts({ ...chart, draftOrders: [single] }, single, catalog, SERVICE);
    const given = factsWith(mar(1.44)).order.dosesGiven;
    // 1.8 + 2.4 given = 4.2; the room left is 1.2 mg/m² = 2.16 mg at 1.80 m², more than this 0.8 mg/m² dose: met
    expect(checkLimitSet(courseSet, { ...facts, order: { ...facts.order, dosesGiven: given } }).status).toBe('met');
    const heavier = given.value === null ? given : { ...given, value: { ...given.value, doses: [...given.value.doses, { ...given.value.doses.at(-1)!, date: '2026-11-24', reference: 'MedicationAdministration/mar-extra' }] } };
    const check = checkLimitSet(courseSet, { ...facts, order: { ...facts.order, dosesGiven: heavier } });
    // 5.0 given: 0.4 mg/m² left = 0.72 mg at 1.80 m²
    expect(check.status).toBe('not-met');
    expect(check.covered?.amount).toEqual({ value: 0.72, unit: 'mg', per: 'administration' });
  });
});
