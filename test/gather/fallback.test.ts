/** The FHIR fallback against a real FHIR server (Medplum's router and in-memory repository on loopback). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claim, ClaimResponse, Condition, FhirResource } from 'fhir/r4.js';
import { gatherChart } from '../../src/gather/index.js';
import { StubFhir, startStubFhirServer } from '../../scripts/lib/stub-fhir-server.js';
import { startFhirServer, type RunningFhirServer } from '../support/fhir-server.js';
import { PATIENT_ID, TOKEN, demoChart, draftOrder, hookRequest, prefetchFor, searchset } from './helpers.js';

const claim: Claim = {
  resourceType: 'Claim',
  id: 'claim-pa-1',
  status: 'active',
  type: { coding: [{ code: 'professional' }] },
  use: 'preauthorization',
  patient: { reference: `Patient/${PATIENT_ID}` },
  created: '2026-11-01',
  provider: { reference: 'PractitionerRole/role-onc-1' },
  priority: { coding: [{ code: 'normal' }] },
  insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/cov-${PATIENT_ID}` } }],
  item: [{ sequence: 1, productOrService: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '337523' }] } }],
};
const claimResponse: ClaimResponse = {
  resourceType: 'ClaimResponse',
  id: 'cr-pa-1',
  status: 'active',
  type: { coding: [{ code: 'professional' }] },
  use: 'preauthorization',
  patient: { reference: `Patient/${PATIENT_ID}` },
  created: '2026-11-02',
  insurer: { reference: 'Organization/org-blue-shield-ca' },
  outcome: 'complete',
  preAuthRef: 'PA-0001',
  request: { reference: 'Claim/claim-pa-1' },
};
const otherPatientsCondition: Condition = {
  resourceType: 'Condition',
  id: 'cond-other',
  subject: { reference: 'Patient/someone-else' },
  code: { text: 'other' },
};
const seed: FhirResource[] = [
  ...demoChart(),
  claim,
  claimResponse,
  otherPatientsCondition,
  { resourceType: 'Patient', id: 'someone-else' },
  // more Observations than one page holds, to exercise paging
  ...Array.from({ length: 3 }, (_, i): FhirResource => ({
    resourceType: 'Observation',
    id: `obs-extra-${i}`,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    subject: { reference: `Patient/${PATIENT_ID}` },
    valueQuantity: { value: 67 + i, unit: 'kg' },
  })),
];

describe('fetching what prefetch lacks', () => {
  let server: RunningFhirServer;
  let paged: RunningFhirServer;
  beforeAll(async () => {
    server = await startFhirServer({ resources: seed, recordRequests: true });
    paged = await startFhirServer({ resources: seed, recordRequests: true, pageSize: 2 });
  });
  afterAll(async () => {
    await server.close();
    await paged.close();
  });

  it('fetches every absent key with the Bearer token', async () => {
    const before = server.requests.length;
    const result = await gatherChart(hookRequest({ fhirServer: server.url }), {});
    const sent = server.requests.slice(before);
    expect(sent.length).toBeGreaterThanOrEqual(7);
    expect(sent.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(sent.map((r) => r.url)).toContain(`/fhir/Coverage?patient=${PATIENT_ID}&status=active&_include=Coverage:payor`);
    // this server ignores _include on Coverage and ClaimResponse: the second round reads what it did not bring
    // (test/gather/round-trips.test.ts shows the one round trip against a server that honours it)
    expect(result.patient?.id).toBe(PATIENT_ID);
    expect(result.coverages.map((c) => c.id)).toEqual([`cov-${PATIENT_ID}`]);
    expect(result.conditions.map((c) => c.id)).toEqual([`cond-breast-${PATIENT_ID}`]);
    expect(result.observations).toHaveLength(10);
    expect(result.medicationRequests).toHaveLength(2);
    expect(result.claimResponses.map((c) => c.id)).toEqual(['cr-pa-1']);
    expect(result.practitionerRoles.map((r) => r.id)).toEqual(['role-onc-1']);
    // brought by _include, or read in the second round: the authorization's Claim, the payer, the role's Practitioner
    expect(result.claims.map((c) => c.id)).toEqual(['claim-pa-1']);
    expect(result.organizations.map((o) => o.id)).toEqual(['org-blue-shield-ca']);
    expect(result.practitioners.map((p) => p.id)).toEqual(['pract-onc-1']);
    expect(result.unavailable).toEqual([]);
    // nothing of the HTTP exchange (the Request carries the token) rides along on the resources
    expect(Object.getOwnPropertyNames(result.patient)).not.toContain('__request');
  });

  it('follows next links until every page is read', async () => {
    const before = paged.requests.length;
    // generous time limits: this is about paging, not speed (the in-process FHIR server shares the CPU)
    const result = await gatherChart(hookRequest({ fhirServer: paged.url }), { deadlineMs: 20_000, queryTimeoutMs: 15_000 });
    const observationPages = paged.requests.slice(before).filter((r) => r.url.startsWith('/fhir/Observation'));
    expect(result.observations).toHaveLength(10);
    expect(new Set(result.observations.map((o) => o.id)).size).toBe(10);
    expect(observationPages.length).toBe(5);
    expect(result.unavailable).toEqual([]);
  });

  it('stops at the page limit and says the list is incomplete', async () => {
    const result = await gatherChart(hookRequest({ fhirServer: paged.url }), { maxPages: 2 });
    expect(result.observations).toHaveLength(4);
    expect(result.unavailable).toContainEqual(expect.objectContaining({ key: 'observations', reason: 'error' }));
  });

  it('ignores a prefetched resource of another patient and fetches the key instead', async () => {
    const prefetch = { ...prefetchFor(demoChart()), conditions: searchset([otherPatientsCondition]) };
    const before = server.requests.length;
    const result = await gatherChart(hookRequest({ fhirServer: server.url, prefetch }), {});
    expect(server.requests.slice(before).map((r) => r.url)).toContain(`/fhir/Condition?patient=${PATIENT_ID}&_count=100`);
    expect(result.conditions.map((c) => c.id)).toEqual([`cond-breast-${PATIENT_ID}`]);
  });

  it('reads a key prefetched as null as none on file, without asking the server (CDS Hooks 2.0)', async () => {
    const prefetch = { ...prefetchFor(demoChart()), observations: null };
    const before = server.requests.length;
    const result = await gatherChart(hookRequest({ fhirServer: server.url, prefetch }), {});
    expect(server.requests.slice(before).map((r) => r.url).filter((u) => u.startsWith('/fhir/Observation'))).toEqual([]);
    expect(result.observations).toEqual([]);
    expect(result.unavailable).toEqual([]);
  });

  it('reads a key prefetched as an error OperationOutcome as could not be checked, without asking again', async () => {
    const prefetch = { ...prefetchFor(demoChart()), claimResponses: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] } };
    const before = server.requests.length;
    const result = await gatherChart(hookRequest({ fhirServer: server.url, prefetch }), {});
    expect(server.requests.slice(before).map((r) => r.url).filter((u) => u.startsWith('/fhir/ClaimResponse?'))).toEqual([]);
    expect(result.unavailable).toContainEqual(expect.objectContaining({ key: 'claimResponses', reason: 'operation-outcome' }));
  });

  it.each([
    ['an unresolved template', 'Observation?patient={{context.patientId}}'],
  ])('fetches a key prefetched as %s', async (_label, value) => {
    const prefetch = { ...prefetchFor(demoChart()), observations: value };
    const before = server.requests.length;
    const result = await gatherChart(hookRequest({ fhirServer: server.url, prefetch }), {});
    expect(server.requests.slice(before).map((r) => r.url)).toContain(`/fhir/Observation?patient=${PATIENT_ID}&_count=100`);
    expect(result.observations).toHaveLength(10);
    expect(result.unavailable).toEqual([]);
  });

  it('reads the requester role, its Practitioner, a referenced Medication and an authorization’s Claim', async () => {
    // Prefetch has everything but the references: the user is another role, the order points to a Medication.
    const prefetch = {
      ...prefetchFor(demoChart()),
      practitionerRole: searchset([]),
      practitioner: searchset([]),
      claimResponses: searchset([claimResponse]),
    };
    const order = draftOrder({ medicationCodeableConcept: undefined, medicationReference: { reference: 'Medication/med-ixabepilone-15' } });
    const before = server.requests.length;
    const result = await gatherChart(
      hookRequest({ fhirServer: server.url, prefetch, drafts: [order], userId: 'PractitionerRole/role-other' }),
      {},
    );
    const urls = server.requests.slice(before).map((r) => r.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        // the requester's role, searched with its Practitioner through _include, in the first round
        '/fhir/PractitionerRole?_id=role-onc-1&_include=PractitionerRole:practitioner',
        '/fhir/Medication/med-ixabepilone-15',
        '/fhir/Claim/claim-pa-1',
        '/fhir/Organization/org-blue-shield-ca',
      ]),
    );
    expect(result.practitionerRoles.map((r) => r.id)).toContain('role-onc-1');
    expect(result.practitioners.map((p) => p.id)).toEqual(['pract-onc-1']);
    expect(result.medications.map((m) => m.id)).toEqual(['med-ixabepilone-15']);
    expect(result.claims.map((c) => c.id)).toEqual(['claim-pa-1']);
    // role-other does not exist: the user's role could not be found, which is not an error
    expect(result.unavailable).toEqual([]);
  });

  it('reports a reference the server does not have', async () => {
    const order = draftOrder({ requester: { reference: 'PractitionerRole/missing-role' } });
    const result = await gatherChart(hookRequest({ fhirServer: server.url, prefetch: prefetchFor(demoChart()), drafts: [order] }), {});
    expect(result.unavailable).toContainEqual({ what: "Ordering clinician's specialty", key: 'PractitionerRole/missing-role', reason: 'error' });
  });

  it('reads at most maxReferenceReads references', async () => {
    const result = await gatherChart(hookRequest({ fhirServer: server.url }), { maxReferenceReads: 1 });
    expect(result.claims.length + result.organizations.length + result.practitioners.length).toBe(1);
    expect(result.unavailable.filter((u) => u.reason === 'refused')).toHaveLength(2);
  });

  it('refuses answers whose Content-Length exceeds maxResponseBytes', async () => {
    const result = await gatherChart(hookRequest({ fhirServer: server.url, prefetch: prefetchFor(demoChart()) }), {
      maxResponseBytes: 10,
    });
    // the second round's answers are all larger than 10 bytes
    expect(result.organizations).toEqual([]);
    expect(result.unavailable).toContainEqual(expect.objectContaining({ key: 'Organization/org-blue-shield-ca', reason: 'error' }));
  });
});

describe('the user’s role with its Practitioner in one query', () => {
  /** The bench's stub FHIR server (it honours `_include`), recording what it is asked. */
  class RecordingStub extends StubFhir {
    readonly asked: string[] = [];
    override answer(pathAndQuery: string, base: string, pageSize: number | undefined): { status: number; body: string } {
      this.asked.push(pathAndQuery);
      return super.answer(pathAndQuery, base, pageSize);
    }
  }

  it('reads no Practitioner when the server honours _include=PractitionerRole:practitioner', async () => {
    const stub = new RecordingStub(demoChart());
    const running = await startStubFhirServer(stub, { delayMs: 0 });
    try {
      const result = await gatherChart(hookRequest({ fhirServer: running.url }), {});
      expect(result.practitioners.map((p) => p.id)).toEqual(['pract-onc-1']);
      expect(stub.asked).toContain('/fhir/PractitionerRole?_id=role-onc-1&_include=PractitionerRole:practitioner');
      expect(stub.asked.filter((u) => u.startsWith('/fhir/Practitioner/'))).toEqual([]);
    } finally {
      await running.close();
    }
  });
});
