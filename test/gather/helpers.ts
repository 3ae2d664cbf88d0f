/** Requests and charts for the gathering tests, built from the demo chart in fhir-resources/demo. */
import type { Bundle, FhirResource, MedicationRequest } from 'fhir/r4.js';
import type { HookRequest } from '../../src/protocol/types.js';
import { PREFETCH_KEYS, type PrefetchKey } from '../../src/gather/prefetch-templates.js';
import { fitsKey } from '../../src/gather/prefetch.js';
import { loadResourceFiles } from '../support/fhir-server.js';

export const PATIENT_ID = 'ixa-bsc-001';
export const USER_ID = 'PractitionerRole/role-onc-1';
export const TOKEN = 'test-token-not-a-secret';

export function demoChart(): FhirResource[] {
  return loadResourceFiles('fhir-resources/demo');
}

export function draftOrder(overrides: Partial<MedicationRequest> = {}): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: 'draft-ixa-1',
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    requester: { reference: USER_ID },
    medicationCodeableConcept: {
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1726276', display: 'ixabepilone 15 MG Injection' }],
    },
    ...overrides,
  };
}

export function searchset(resources: readonly FhirResource[]): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) };
}

/** What a careful EHR would prefetch for this chart, key by key. */
export function prefetchFor(resources: readonly FhirResource[], keys: readonly PrefetchKey[] = PREFETCH_KEYS): Record<string, FhirResource> {
  const subject = { patientId: PATIENT_ID, userId: USER_ID };
  const out: Record<string, FhirResource> = {};
  for (const key of keys) {
    const fitting = resources.filter((r) => fitsKey(key, r, subject));
    out[key] = key === 'patient' ? (fitting[0] as FhirResource) : searchset(fitting);
  }
  return out;
}

export function hookRequest(parts: {
  fhirServer?: string;
  token?: string | null;
  prefetch?: Record<string, unknown>;
  drafts?: FhirResource[];
  hook?: HookRequest['hook'];
  selections?: string[];
  userId?: string;
}): HookRequest {
  const token = parts.token === undefined ? TOKEN : parts.token;
  const request = {
    hook: parts.hook ?? 'order-sign',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    ...(parts.fhirServer ? { fhirServer: parts.fhirServer } : {}),
    ...(parts.fhirServer && token !== null
      ? { fhirAuthorization: { access_token: token, token_type: 'Bearer', scope: 'patient/*.read', subject: 'cds-service' } }
      : {}),
    context: {
      userId: parts.userId ?? USER_ID,
      patientId: PATIENT_ID,
      ...(parts.selections ? { selections: parts.selections } : {}),
      draftOrders: searchset(parts.drafts ?? [draftOrder()]),
    },
    ...(parts.prefetch ? { prefetch: parts.prefetch } : {}),
  };
  // Prefetch values are deliberately malformed in some tests (strings, foreign resources): the type says otherwise.
  return request as unknown as HookRequest;
}

/** The chart without references the prefetch cannot carry (payer Organization, role's Practitioner). */
export function selfContainedChart(): FhirResource[] {
  return demoChart().map((r) => {
    if (r.resourceType === 'Coverage') return { ...r, payor: (r.payor ?? []).map(({ reference: _ref, ...rest }) => rest) };
    if (r.resourceType === 'PractitionerRole') {
      const { practitioner: _p, ...rest } = r;
      return rest;
    }
    return r;
  });
}
