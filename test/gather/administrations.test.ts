/**
 * MedicationAdministration is gathered like every other key: prefetched, or fetched with the advertised query when
 * the key is absent; null = none on file; an error OperationOutcome or a failed query = could not be checked; an
 * element of the wrong kind is set aside and named; another patient's administration is not this chart's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FhirResource, Medication, MedicationAdministration } from 'fhir/r4.js';
import { gatherChart } from '../../src/gather/index.js';
import { PREFETCH_TEMPLATES } from '../../src/gather/prefetch-templates.js';
import { fallbackQuery } from '../../src/gather/references.js';
import { startFhirServer, type RunningFhirServer } from '../support/fhir-server.js';
import { PATIENT_ID, USER_ID, demoChart, hookRequest, prefetchFor, searchset, selfContainedChart } from './helpers.js';

const paclitaxel: Medication = {
  resourceType: 'Medication',
  id: 'med-paclitaxel',
  code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '56946', display: 'paclitaxel' }] },
};

function infusion(id: string, date: string, over: Partial<MedicationAdministration> = {}): MedicationAdministration {
  return {
    resourceType: 'MedicationAdministration',
    id,
    status: 'completed',
    subject: { reference: `Patient/${PATIENT_ID}` },
    medicationReference: { reference: 'Medication/med-paclitaxel' },
    effectiveDateTime: `${date}T09:30:00Z`,
    request: { reference: 'MedicationRequest/mr-paclitaxel-weekly' },
    ...over,
  };
}

const given = [infusion('ma-1', '2025-02-03'), infusion('ma-2', '2025-02-10'), infusion('ma-3', '2025-02-17')];

describe('MedicationAdministration in the prefetch templates', () => {
  it('is advertised with its Medications included, and is the fallback query for the key', () => {
    expect(PREFETCH_TEMPLATES.medicationAdministrations).toBe(
      'MedicationAdministration?patient={{context.patientId}}&_count=100&_include=MedicationAdministration:medication',
    );
    expect(fallbackQuery('medicationAdministrations', { patientId: PATIENT_ID, userId: USER_ID })).toBe(
      `MedicationAdministration?patient=${PATIENT_ID}&_count=100&_include=MedicationAdministration:medication`,
    );
  });
});

describe('gathering MedicationAdministrations from prefetch', () => {
  const base = prefetchFor(demoChart());

  it('reads them with their _included Medication', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [...given.map((resource) => ({ resource })), { resource: paclitaxel, search: { mode: 'include' } }],
    };
    const chart = await gatherChart(hookRequest({ prefetch: { ...base, medicationAdministrations: bundle } }), {});
    expect(chart.medicationAdministrations.map((a) => a.id)).toEqual(['ma-1', 'ma-2', 'ma-3']);
    expect(chart.medications.map((m) => m.id)).toContain('med-paclitaxel');
    expect(chart.unavailable.map((u) => u.key)).not.toContain('medicationAdministrations');
  });

  it('reads null as none on file, not as a gap', async () => {
    const chart = await gatherChart(hookRequest({ prefetch: { ...base, medicationAdministrations: null } }), {});
    expect(chart.medicationAdministrations).toEqual([]);
    expect(chart.unavailable.map((u) => u.key)).not.toContain('medicationAdministrations');
  });

  it('an error OperationOutcome is a look-up that could not be done, said by its key', async () => {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] };
    const chart = await gatherChart(hookRequest({ prefetch: { ...base, medicationAdministrations: outcome } }), {});
    expect(chart.medicationAdministrations).toEqual([]);
    expect(chart.unavailable).toContainEqual({ key: 'medicationAdministrations', reason: 'operation-outcome', what: 'Medication administrations (when each drug was given)' });
  });

  it('sets aside an element of the wrong kind and names it; the rest of the administration is read', async () => {
    const broken = { ...infusion('ma-bad', '2025-02-24'), effectiveDateTime: 20250224 };
    const chart = await gatherChart(hookRequest({ prefetch: { ...base, medicationAdministrations: searchset([...given, broken as unknown as FhirResource]) } }), {});
    expect(chart.medicationAdministrations.map((a) => a.id)).toEqual(['ma-1', 'ma-2', 'ma-3', 'ma-bad']);
    expect(chart.medicationAdministrations[3]?.effectiveDateTime).toBeUndefined();
    expect(chart.unreadable).toContainEqual({ reference: 'MedicationAdministration/ma-bad', reason: 'wrong-type', detail: 'effectiveDateTime is not a string (FHIR dateTime)' });
  });

  it('another patient’s administration makes the value untrusted: the key is treated as not prefetched', async () => {
    const foreign = infusion('ma-other', '2025-02-03', { subject: { reference: 'Patient/someone-else' } });
    const chart = await gatherChart(hookRequest({ prefetch: { ...base, medicationAdministrations: searchset([...given, foreign]) } }), {});
    expect(chart.medicationAdministrations).toEqual([]);
    // no fhirServer to ask instead: could not be checked, never another patient's data
    expect(chart.unavailable).toContainEqual(expect.objectContaining({ key: 'medicationAdministrations', reason: 'error' }));
  });

  it('absent without FHIR access is could-not-check, never a 412: the orders still date the history', async () => {
    const { medicationAdministrations: _absent, ...withoutKey } = base;
    const chart = await gatherChart(hookRequest({ prefetch: withoutKey }), {});
    expect(chart.unavailable).toContainEqual(expect.objectContaining({ key: 'medicationAdministrations', reason: 'error' }));
    expect(chart.medicationRequests.length).toBeGreaterThan(0);
  });
});

describe('fetching MedicationAdministrations when the key is absent', () => {
  let server: RunningFhirServer;
  beforeAll(async () => {
    server = await startFhirServer({ resources: [...demoChart(), paclitaxel, ...given, infusion('ma-other', '2025-02-03', { subject: { reference: 'Patient/someone-else' } }), { resourceType: 'Patient', id: 'someone-else' }], recordRequests: true, answerIncludes: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('asks with the advertised query and reads the answer like prefetch', async () => {
    const { medicationAdministrations: _absent, ...prefetch } = prefetchFor(selfContainedChart());
    const before = server.requests.length;
    const chart = await gatherChart(hookRequest({ fhirServer: server.url, prefetch }), {});
    const urls = server.requests.slice(before).map((r) => r.url);
    // one query, its Medication brought by _include (no second read)
    expect(urls).toEqual([`/fhir/MedicationAdministration?patient=${PATIENT_ID}&_count=100&_include=MedicationAdministration:medication`]);
    expect(chart.medicationAdministrations.map((a) => a.id).sort()).toEqual(['ma-1', 'ma-2', 'ma-3']);
    expect(chart.medications.map((m) => m.id)).toContain('med-paclitaxel');
    expect(chart.unavailable).toEqual([]);
  });

  it('a query that fails is could-not-check for that key only', async () => {
    const { medicationAdministrations: _absent, ...prefetch } = prefetchFor(selfContainedChart());
    const chart = await gatherChart(hookRequest({ fhirServer: 'http://127.0.0.1:9/fhir', prefetch }), { deadlineMs: 1000 });
    expect(chart.unavailable.map((u) => u.key)).toEqual(['medicationAdministrations']);
    expect(chart.medicationRequests.length).toBeGreaterThan(0);
  });
});
