import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Condition, Coverage, FhirResource, Medication, OperationOutcome, Practitioner, PractitionerRole } from 'fhir/r4.js';
import { DataUnavailableError, gatherChart } from '../../src/gather/index.js';
import { PREFETCH_TEMPLATES } from '../../src/gather/prefetch-templates.js';
import { fallbackQuery } from '../../src/gather/references.js';
import { readPrefetchValue } from '../../src/gather/prefetch.js';
import { startFhirServer, type RunningFhirServer } from '../support/fhir-server.js';
import { PATIENT_ID, USER_ID, demoChart, draftOrder, hookRequest, prefetchFor, searchset, selfContainedChart } from './helpers.js';

const subject = { patientId: PATIENT_ID, userId: USER_ID };

describe('prefetch templates', () => {
  it('use CDS Hooks 2.0 tokens only', () => {
    const tokens = Object.values(PREFETCH_TEMPLATES).flatMap((t) => t.match(/\{\{[^}]+\}\}/g) ?? []);
    const allowed = ['{{context.patientId}}', '{{context.userId}}', '{{userPractitionerId}}', '{{userPractitionerRoleId}}'];
    expect(tokens.every((t) => allowed.includes(t))).toBe(true);
  });

  it('give a fallback query per key, the user role from userId', () => {
    expect(fallbackQuery('coverage', subject)).toBe(`Coverage?patient=${PATIENT_ID}&status=active&_include=Coverage:payor`);
    expect(fallbackQuery('practitionerRole', subject)).toBe('PractitionerRole?_id=role-onc-1&_include=PractitionerRole:practitioner');
    expect(fallbackQuery('practitionerRole', { ...subject, userId: 'Practitioner/p9' })).toBe(
      'PractitionerRole?practitioner=Practitioner/p9&_include=PractitionerRole:practitioner',
    );
    expect(fallbackQuery('practitionerRole', { ...subject, userId: 'Patient/x' })).toBeUndefined();
    expect(fallbackQuery('practitioner', { ...subject, userId: 'Practitioner/p9' })).toBe('Practitioner?_id=p9');
    // a role user names its Practitioner only inside the role: read after the role arrives
    expect(fallbackQuery('practitioner', subject)).toBeUndefined();
  });
});

describe('reading prefetch values', () => {
  const condition: Condition = { resourceType: 'Condition', id: 'c1', subject: { reference: `Patient/${PATIENT_ID}` } };
  const foreign: Condition = { resourceType: 'Condition', id: 'c2', subject: { reference: 'Patient/someone-else' } };

  it('accepts a Bundle of the patient’s resources, bare-id references too', () => {
    const bare: Condition = { ...condition, id: 'c3', subject: { reference: PATIENT_ID } };
    const reading = readPrefetchValue('conditions', searchset([condition, bare]), true, subject);
    expect(reading.reading).toEqual({ state: 'present', resources: [condition, bare] });
  });

  it('reads null as none on file (CDS Hooks 2.0), not as a gap', () => {
    expect(readPrefetchValue('conditions', null, true, subject).reading).toEqual({ state: 'present', resources: [] });
  });

  it('accepts a beneficiary written as an absolute URL under another base', () => {
    const coverage: Coverage = { resourceType: 'Coverage', id: 'cov', status: 'active', beneficiary: { reference: `https://ehr.example.org/fhir/Patient/${PATIENT_ID}` }, payor: [{ display: 'x' }] };
    expect(readPrefetchValue('coverage', searchset([coverage]), true, subject).reading).toEqual({ state: 'present', resources: [coverage] });
    const other: Coverage = { ...coverage, beneficiary: { reference: `https://ehr.example.org/fhir/Patient/${PATIENT_ID}-2` } };
    expect(readPrefetchValue('coverage', searchset([other]), true, subject).reading).toEqual({ state: 'missing', why: 'misfit' });
  });

  it.each([
    ['absent', undefined, false, 'absent'],
    ['an unresolved template', 'Condition?patient={{context.patientId}}', true, 'unresolved-template'],
    ['another patient’s resource', searchset([condition, foreign]), true, 'misfit'],
    ['a wrong resource type', searchset([{ resourceType: 'Observation', id: 'o1', status: 'final', code: {} }]), true, 'misfit'],
    [
      'an error OperationOutcome',
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] },
      true,
      'operation-outcome',
    ],
    [
      'a Bundle with an error OperationOutcome entry',
      searchset([condition, { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'timeout' }] }]),
      true,
      'operation-outcome',
    ],
  ])('treats %s as missing', (_label, value, present, why) => {
    expect(readPrefetchValue('conditions', value, present, subject).reading).toEqual({ state: 'missing', why });
  });

  it('ignores warning-level outcomes and _include entries', () => {
    const warning: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'informational' }] };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: condition },
        { resource: warning, search: { mode: 'outcome' } },
        { resource: { resourceType: 'Patient', id: PATIENT_ID }, search: { mode: 'include' } },
      ],
    };
    expect(readPrefetchValue('conditions', bundle, true, subject).reading).toEqual({ state: 'present', resources: [condition] });
  });

  it('keeps what _include brought that references may point at (Practitioner, Medication, Organization, Claim), nothing else', () => {
    const role: PractitionerRole = { resourceType: 'PractitionerRole', id: 'role-onc-1', practitioner: { reference: 'Practitioner/p1' } };
    const own: Practitioner = { resourceType: 'Practitioner', id: 'p1' };
    const stranger: Practitioner = { resourceType: 'Practitioner', id: 'p2' };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: role, search: { mode: 'match' } },
        { resource: own, search: { mode: 'include' } },
        { resource: stranger, search: { mode: 'include' } },
        { resource: { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' } } as FhirResource, search: { mode: 'include' } },
      ],
    };
    // a Practitioner no role points to resolves nothing, and is harmless: facts follow references only
    expect(readPrefetchValue('practitionerRole', bundle, true, subject).reading).toEqual({ state: 'present', resources: [role, own, stranger] });
  });

  it('accepts the patient as a resource and refuses another patient', () => {
    expect(readPrefetchValue('patient', { resourceType: 'Patient', id: PATIENT_ID }, true, subject).reading.state).toBe('present');
    expect(readPrefetchValue('patient', { resourceType: 'Patient', id: 'other' }, true, subject).reading).toEqual({ state: 'missing', why: 'misfit' });
  });
});

describe('gathering from prefetch only', () => {
  let server: RunningFhirServer;
  beforeAll(async () => {
    server = await startFhirServer({ recordRequests: true });
  });
  afterAll(async () => server.close());

  it('sends no request when prefetch holds everything', async () => {
    const chart = selfContainedChart();
    const request = hookRequest({ fhirServer: server.url, prefetch: prefetchFor(chart) });
    const result = await gatherChart(request, {});
    expect(server.requests).toEqual([]);
    expect(result.patient?.id).toBe(PATIENT_ID);
    expect(result.coverages).toHaveLength(1);
    expect(result.conditions).toHaveLength(1);
    expect(result.observations).toHaveLength(7);
    expect(result.medicationRequests).toHaveLength(2);
    expect(result.practitionerRoles.map((r) => r.id)).toEqual(['role-onc-1']);
    expect(result.draftOrders.map((o) => o.id)).toEqual(['draft-ixa-1']);
    expect(result.focusOrders).toEqual(['MedicationRequest/draft-ixa-1']);
    expect(result.userId).toBe(USER_ID);
    expect(result.unavailable).toEqual([]);
  });

  it('works without any fhirServer, listing references it could not read', async () => {
    // an EHR that prefetched no Practitioner: the role's Practitioner is a reference it cannot read
    const request = hookRequest({ prefetch: { ...prefetchFor(demoChart()), practitioner: searchset([]) } });
    const result = await gatherChart(request, {});
    expect(result.observations).toHaveLength(7);
    expect(result.unavailable.map((u) => u.key).sort()).toEqual(['Organization/org-blue-shield-ca', 'Practitioner/pract-onc-1']);
  });

  it('takes the user’s Practitioner from prefetch, so no read is needed for it', async () => {
    const result = await gatherChart(hookRequest({ prefetch: prefetchFor(demoChart()) }), {});
    expect(result.practitioners.map((p) => p.id)).toEqual(['pract-onc-1']);
    expect(result.unavailable.map((u) => u.key)).toEqual(['Organization/org-blue-shield-ca']);
  });

  it('takes Medications shipped in draftOrders and focuses order-select on the selections', async () => {
    const medication: Medication = { resourceType: 'Medication', id: 'm-draft', code: { text: 'ixabepilone' } };
    const drafts: FhirResource[] = [
      draftOrder({ medicationCodeableConcept: undefined, medicationReference: { reference: 'Medication/m-draft' } }),
      draftOrder({ id: 'draft-cape-1' }),
      medication,
    ];
    const request = hookRequest({
      fhirServer: server.url,
      prefetch: prefetchFor(selfContainedChart()),
      drafts,
      hook: 'order-select',
      selections: ['MedicationRequest/draft-ixa-1'],
    });
    const result = await gatherChart(request, {});
    expect(server.requests).toEqual([]);
    expect(result.medications.map((m) => m.id)).toEqual(['m-draft']);
    expect(result.draftOrders).toHaveLength(2);
    expect(result.focusOrders).toEqual(['MedicationRequest/draft-ixa-1']);
  });

  it('throws DataUnavailableError naming the needed keys when there is no fhirServer', async () => {
    const request = hookRequest({ prefetch: prefetchFor(demoChart(), ['patient', 'coverage', 'claimResponses']) });
    const failure = gatherChart(request, {});
    await expect(failure).rejects.toBeInstanceOf(DataUnavailableError);
    await expect(failure).rejects.toThrow(/conditions, observations, medicationRequests/);
    await expect(failure).rejects.toMatchObject({ name: 'DataUnavailableError' });
  });

  it('throws DataUnavailableError when the server comes without an access token', async () => {
    const request = hookRequest({ fhirServer: server.url, token: null, prefetch: { patient: null } });
    // patient prefetched as null is "none on file": only the absent keys are lacking
    await expect(gatherChart(request, {})).rejects.toThrow(/lacks coverage, conditions, observations, medicationRequests/);
    expect(server.requests).toEqual([]);
  });

  it('only reports optional keys it cannot fetch', async () => {
    const request = hookRequest({ prefetch: prefetchFor(selfContainedChart(), ['patient', 'coverage', 'conditions', 'observations', 'medicationRequests']) });
    const result = await gatherChart(request, {});
    expect(result.unavailable.map((u) => [u.key, u.reason])).toEqual([
      ['medicationAdministrations', 'error'],
      ['claimResponses', 'error'],
      ['practitionerRole', 'error'],
      ['PractitionerRole/role-onc-1', 'error'], // the draft order's requester
    ]);
    expect(result.unavailable[1]?.what).toBe('Prior authorizations on file');
  });
});
