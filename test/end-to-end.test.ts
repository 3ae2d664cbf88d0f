/**
 * The whole service through HTTP with the real pipeline: the prefetch path, the FHIR fallback against a real FHIR
 * server (Medplum on loopback), order-select, a FHIR server that never answers, data that cannot be had (412),
 * drugs no policy covers, and the access token going only to fhirServer.
 */
import { readFileSync } from 'node:fs';
import type { Bundle, FhirResource, MedicationRequest } from 'fhir/r4.js';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../src/protocol/pipeline.js';
import type { HookRequest, HookResponse } from '../src/protocol/types.js';
import { assertCrdResponse } from './support/crd-assert.js';
import { serviceApp } from './support/service-app.js';
import { startFhirServer, type RunningFhirServer } from './support/fhir-server.js';

const SIGN = '/cds-services/oncology-pa-order-sign';
const SELECT = '/cds-services/oncology-pa-order-select';
const TOKEN = 'secret-ehr-token-4711';
const COVERAGE_INFO = 'http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information';

type Scenario = HookRequest & { prefetch: Record<string, FhirResource | null>; context: { draftOrders: Bundle } };

function scenario(path: string): Scenario {
  return JSON.parse(readFileSync(`fhir-resources/scenarios/${path}.json`, 'utf8')) as Scenario;
}

const appWith = serviceApp;

/** Every resource a scenario prefetches, flattened, for seeding a FHIR server. */
function resourcesOf(s: Scenario): FhirResource[] {
  return Object.values(s.prefetch).flatMap((value): FhirResource[] => {
    const resource = value;
    if (!resource) return [];
    if (resource.resourceType === 'Bundle') return (resource.entry ?? []).flatMap((e) => (e.resource ? [e.resource as FhirResource] : []));
    return [resource];
  });
}

function coverageCodes(body: HookResponse): Array<Record<string, string | undefined>> {
  return (body.systemActions ?? []).map((action) => {
    const order = action.resource as MedicationRequest;
    const info = order.extension?.find((e) => e.url === COVERAGE_INFO);
    const code = (url: string) => info?.extension?.find((e) => e.url === url)?.valueCode;
    return { order: order.id, covered: code('covered'), paNeeded: code('pa-needed') };
  });
}

function withoutPrefetch(s: Scenario, fhirServer?: string): Scenario {
  const copy = structuredClone(s);
  copy.prefetch = {};
  if (fhirServer) {
    copy.fhirServer = fhirServer;
    copy.fhirAuthorization = { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'cds-service' };
  } else {
    delete copy.fhirServer;
    delete copy.fhirAuthorization;
  }
  return copy;
}

describe('order-sign on the prefetch path', () => {
  it('answers the 000 dose-over scenario with PA, limits and instructions cards and one coverage-information action', async () => {
    const s = scenario('bsc-ixabepilone/dose-90-mg-over');
    const audit: AuditRecord[] = [];
    const res = await request(appWith({}, audit)).post(SIGN).send(s);
    expect(res.status).toBe(200);
    const body = res.body as HookResponse;
    assertCrdResponse(body, s.context.draftOrders);
    expect(body.cards.map((c) => c.summary)).toContain('Prior authorization required for Ixempra (Blue Shield of California)');
    const limits = body.cards.find((c) => c.source.topic?.code === 'limits');
    expect(limits?.indicator).toBe('warning');
    expect(limits?.suggestions?.[0]?.isRecommended).toBe(true);
    expect(limits?.overrideReasons?.length).toBeGreaterThan(0);
    expect(body.cards.every((c) => c.source.label === 'Blue Shield of California')).toBe(true);
    expect(body.cards.every((c) => c.source.url?.endsWith('/policies/bsc-ixabepilone'))).toBe(true);
    expect(coverageCodes(body)).toEqual([{ order: s.context.draftOrders.entry?.[0]?.resource?.id, covered: 'covered', paNeeded: 'auth-needed' }]);
    // the audit trail names the decision with the assertion id the EHR received
    expect(audit).toHaveLength(1);
    const sent = (body.systemActions?.[0]?.resource as MedicationRequest).extension
      ?.find((e) => e.url === COVERAGE_INFO)?.extension?.find((e) => e.url === 'coverage-assertion-id')?.valueString;
    expect(audit[0]).toMatchObject({ policyId: 'bsc-ixabepilone', payerId: 'blue-shield-ca', covered: 'covered', paNeeded: 'auth-needed', coverageAssertionId: sent });
  });

  it('says why a limit applies: the weight band of 004, with the weight it was read from', async () => {
    const res = await request(appWith()).post(SIGN).send(scenario('bsc-blinatumomab/weight-in-pounds-99-lb-under-45-band'));
    const limits = (res.body as HookResponse).cards.find((c) => c.source.topic?.code === 'limits');
    expect(limits?.detail).toContain('**This limit applies because:** Body weight less than 45 kg (Weight 44.91 kg (99 lb), Observation 2026-11-28)');
    expect(limits?.detail).toContain('Covered maximum for this patient: **21 mcg/day**');
  });

  it('gives the same patient different answers under the two ixabepilone policies (000 vs 001)', async () => {
    const app = appWith();
    const bsc = await request(app).post(SIGN).send(scenario('bsc-ixabepilone/cross-payer-her2pos-2nd-line-trastuzumab'));
    const um = await request(app).post(SIGN).send(scenario('um-ixabepilone/cross-payer-her2pos-2nd-line-trastuzumab'));
    // 000 requires fourth line and beyond for HER2+ with trastuzumab; 001 sets no HER2 or line rule
    expect(coverageCodes(bsc.body as HookResponse)[0]?.covered).toBe('not-covered');
    expect(coverageCodes(um.body as HookResponse)[0]?.covered).toBe('covered');
  });

  it('honours the CRD configuration: a card type switched off is not returned, max-cards caps the rest', async () => {
    const s = scenario('bsc-ixabepilone/dose-90-mg-over');
    s.extension = { 'davinci-crd.configuration': { limits: false, 'max-cards': 1 } };
    const res = await request(appWith()).post(SIGN).send(s);
    const body = res.body as HookResponse;
    expect(body.cards).toHaveLength(1);
    expect(body.cards[0]?.source.topic?.code).toBe('coverage-info');
    expect(body.systemActions).toHaveLength(1);
  });

  it('answers drugs no policy covers with no card and no system action', async () => {
    const s = scenario('bsc-ixabepilone/dose-90-mg-over');
    const order = s.context.draftOrders.entry?.[0]?.resource as MedicationRequest;
    order.medicationCodeableConcept = { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '161' }], text: 'Acetaminophen' };
    const res = await request(appWith()).post(SIGN).send(s);
    expect(res.status).toBe(200);
    // order-sign answers always carry systemActions (Inferno CRD server suite), empty here
    expect(res.body).toEqual({ cards: [], systemActions: [] });
  });
});

describe('draft orders sent without an id (as the CDS Hooks sandbox does)', () => {
  it('are still evaluated and carded, but get no coverage-information update the EHR could not match', async () => {
    const s = scenario('bsc-ixabepilone/dose-90-mg-over');
    delete (s.context.draftOrders.entry?.[0]?.resource as MedicationRequest).id;
    const res = await request(appWith()).post(SIGN).send(s);
    expect(res.status).toBe(200);
    const body = res.body as HookResponse;
    expect(body.cards.map((c) => c.source.topic?.code)).toEqual(expect.arrayContaining(['limits', 'coverage-info']));
    expect(body.systemActions).toEqual([]);
  });
});

describe('order-select', () => {
  it('evaluates only the selected order, at info level, with no documentation asked for', async () => {
    const s = scenario('bsc-ixabepilone/dose-90-mg-over');
    const order = s.context.draftOrders.entry?.[0]?.resource as MedicationRequest;
    const other: MedicationRequest = { ...structuredClone(order), id: 'not-selected' };
    s.context.draftOrders.entry?.push({ resource: other });
    const selectRequest = { ...s, hook: 'order-select', context: { ...s.context, selections: [`MedicationRequest/${order.id ?? ''}`] } };
    const res = await request(appWith()).post(SELECT).send(selectRequest);
    expect(res.status).toBe(200);
    const body = res.body as HookResponse;
    expect(body.cards.length).toBeGreaterThan(0);
    expect(body.cards.every((c) => c.indicator === 'info')).toBe(true);
    expect(coverageCodes(body).map((c) => c.order)).toEqual([order.id]);
  });
});

describe('the FHIR fallback, against a real FHIR server', () => {
  let fhir: RunningFhirServer;
  const base = scenario('bsc-ixabepilone/dose-90-mg-over');

  beforeAll(async () => {
    fhir = await startFhirServer({ resources: resourcesOf(base), pageSize: 2, recordRequests: true });
  });
  afterAll(async () => {
    await fhir.close();
  });

  it('fetches what prefetch lacks (paging through small pages) and reaches the same decision', async () => {
    // generous time limits: this is about the decision, not speed (the in-process FHIR server shares the CPU)
    const app = appWith({ gather: { deadlineMs: 20_000, queryTimeoutMs: 15_000 } });
    const fromPrefetch = (await request(app).post(SIGN).send(base)).body as HookResponse;
    const res = await request(app).post(SIGN).send(withoutPrefetch(base, fhir.url));
    expect(res.status).toBe(200);
    const fetched = res.body as HookResponse;
    expect(coverageCodes(fetched)).toEqual(coverageCodes(fromPrefetch));
    expect(fetched.cards.map((c) => c.summary).sort()).toEqual(fromPrefetch.cards.map((c) => c.summary).sort());
    // every request to the FHIR server carried the EHR's token, and only there
    expect(fhir.requests.length).toBeGreaterThan(5);
    expect(fhir.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('refuses a fhirServer off the allowlist without sending it a single request', async () => {
    const before = fhir.requests.length;
    const res = await request(appWith({ fhirServerAllowlist: ['https://ehr.example.org/fhir'] })).post(SIGN).send(withoutPrefetch(base, fhir.url));
    expect(res.status).toBe(412);
    expect(fhir.requests.length).toBe(before);
  });
});

describe('when data cannot be had', () => {
  const base = scenario('bsc-ixabepilone/dose-90-mg-over');

  it('answers 412 when needed data is neither prefetched nor fetchable', async () => {
    const res = await request(appWith()).post(SIGN).send(withoutPrefetch(base));
    expect(res.status).toBe(412);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body)).toMatch(/coverage|patient|observations/i);
  });

  it('answers within the deadline when the FHIR server never answers, saying what could not be checked', async () => {
    const hanging = await startFhirServer({ resources: resourcesOf(base), hang: true });
    try {
      const s = withoutPrefetch(base, hanging.url);
      // keep what identifies the patient and the order; leave the rest to the hanging server
      const keep = ['patient', 'conditions', 'medicationRequests'];
      s.prefetch = Object.fromEntries(Object.entries(base.prefetch).filter(([key]) => keep.includes(key)));
      const started = Date.now();
      const res = await request(appWith({ gather: { deadlineMs: 300, queryTimeoutMs: 200 } })).post(SIGN).send(s);
      const elapsed = Date.now() - started;
      expect(res.status).toBe(200);
      expect(elapsed).toBeLessThan(5000); // a safety bound, not a benchmark: the point is that it returns at all
      const body = res.body as HookResponse;
      expect(body.cards).toHaveLength(1);
      expect(body.cards[0]?.indicator).toBe('info');
      expect(body.cards[0]?.detail).toMatch(/could not/i);
      expect(body.systemActions ?? []).toEqual([]);
    } finally {
      await hanging.close();
    }
  });
});
