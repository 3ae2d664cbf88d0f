/**
 * `npm run demo:fhir`: every scenario chart under its own ids, the demo chart as is, answering what the sandbox
 * and the service's FHIR fallback ask (reads, GET and POST searches, /metadata) with CORS; and the sandbox bundle.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import type { Bundle, FhirResource, MedicationRequest, Observation } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFETCH_TEMPLATES } from '../../src/gather/prefetch-templates.js';
import { createPipeline } from '../../src/pipeline.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { isObservationOfInterest } from '../../src/facts/index.js';
import { loadConfig } from '../../src/config.js';
import type { HookRequest } from '../../src/protocol/types.js';
import { listScenarios } from '../../src/web/scenarios.js';
import { loadDemoData, scenarioPrefix, SCENARIO_IDENTIFIER_SYSTEM } from '../../scripts/lib/demo-fhir-data.js';
import { SANDBOX_BUNDLE, sandboxBundleText } from '../../scripts/demo-bundle.js';
import { resourcesOf, startFhirServer, type RunningFhirServer } from '../support/fhir-server.js';
import { buildApp } from '../protocol/helpers.js';

const data = loadDemoData('fhir-resources');

/** What a clinician would sign for the demo patient: ixabepilone 90 mg every 21 days (50 mg/m² at her BSA). */
const DRAFT_ORDER: MedicationRequest = {
  resourceType: 'MedicationRequest', id: 'draft-ixa-1', status: 'draft', intent: 'order',
  subject: { reference: 'Patient/ixa-bsc-001' }, requester: { reference: 'PractitionerRole/role-onc-1' },
  medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1726276', display: 'ixabepilone 15 MG Injection' }] },
  dosageInstruction: [{
    timing: { repeat: { frequency: 1, period: 21, periodUnit: 'd' } },
    doseAndRate: [{ doseQuantity: { value: 90, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
  }],
};
const SCENARIO = 'bsc-ixabepilone/dose-90-mg-over';
const PREFIX = scenarioPrefix(SCENARIO);

function scenarioChart(path: string): FhirResource[] {
  return resourcesOf(JSON.parse(readFileSync(`fhir-resources/scenarios/${path}.json`, 'utf8')) as unknown);
}

function idsOf(bundle: Bundle): string[] {
  return (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();
}

describe('the demo FHIR data', () => {
  it('holds every scenario patient under its own id, and the demo patient as is', () => {
    const withPatient = listScenarios('fhir-resources/scenarios')
      .filter((s) => scenarioChart(s.path).some((r) => r.resourceType === 'Patient'));
    expect(withPatient.length).toBeGreaterThan(100);
    for (const s of withPatient) {
      expect(data.patients.filter((p) => p.source === s.path), s.path).toHaveLength(1);
    }
    expect(data.patients).toContainEqual({ source: 'demo/ixabepilone-bsc-patient.json', patientId: 'ixa-bsc-001' });
  });

  it('gives every resource a distinct, valid FHIR id, so no scenario overwrites another', () => {
    const keys = data.resources.map((r) => `${r.resourceType}/${r.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of data.resources) expect(r.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
  });

  it('rewrites the references inside a scenario to its renamed resources', () => {
    const all = new Set(data.resources.map((r) => `${r.resourceType}/${r.id}`));
    const chart = data.resources.filter((r) => r.id?.startsWith(PREFIX));
    const references = JSON.stringify(chart).match(/"reference":"[A-Za-z]+\/[^"]+"/g) ?? [];
    expect(references.length).toBeGreaterThan(5);
    const original = new Set(scenarioChart(SCENARIO).map((r) => `${r.resourceType}/${r.id}`));
    let renamed = 0;
    for (const ref of references) {
      const target = ref.slice('"reference":"'.length, -1);
      const [type, id] = target.split('/') as [string, string];
      if (id.startsWith(PREFIX)) {
        renamed += 1;
        expect(all.has(target), target).toBe(true);
      } else {
        // a reference to something the scenario does not ship stays as it was
        expect(original.has(`${type}/${id}`), target).toBe(false);
      }
    }
    expect(renamed).toBeGreaterThan(5);
  });
});

describe('the demo FHIR server', () => {
  let server: RunningFhirServer;
  let base: string;
  const patientId = `${PREFIX}pat-bc-1`;
  beforeAll(async () => {
    server = await startFhirServer({ resources: data.resources });
    base = server.url.replace(/\/fhir$/, '');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('answers /metadata with an R4 CapabilityStatement', async () => {
    const res = await request(base).get('/fhir/metadata').expect(200);
    expect(res.body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
  });

  it('reads a scenario patient and finds it by its scenario identifier', async () => {
    const read = await request(base).get(`/fhir/Patient/${patientId}`).expect(200);
    expect(read.body.id).toBe(patientId);
    const found = await request(base).get('/fhir/Patient').query({ identifier: `${SCENARIO_IDENTIFIER_SYSTEM}|${SCENARIO}` }).expect(200);
    expect(idsOf(found.body as Bundle)).toEqual([`Patient/${patientId}`]);
  });

  it('answers GET and POST _search alike, with only that scenario’s resources', async () => {
    const expected = scenarioChart(SCENARIO).filter((r) => r.resourceType === 'Observation').map((r) => `Observation/${PREFIX}${r.id}`).sort();
    expect(expected.length).toBeGreaterThan(3);
    const get = await request(base).get('/fhir/Observation').query({ patient: patientId, _count: '100' }).expect(200);
    expect(idsOf(get.body as Bundle)).toEqual(expected);
    const post = await request(base).post('/fhir/Observation/_search')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`patient=${encodeURIComponent(patientId)}&_count=100`)
      .expect(200);
    expect(idsOf(post.body as Bundle)).toEqual(expected);
  });

  it('lets browsers on other origins call it (CORS preflight and responses)', async () => {
    const preflight = await request(base).options('/fhir/Observation/_search')
      .set('Origin', 'https://sandbox.cds-hooks.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type, authorization')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(preflight.headers['access-control-allow-headers']?.toLowerCase()).toMatch(/content-type/);
    expect(preflight.headers['access-control-allow-private-network']).toBe('true');
    const get = await request(base).get(`/fhir/Patient/${patientId}`).set('Origin', 'https://sandbox.cds-hooks.org').expect(200);
    expect(get.headers['access-control-allow-origin']).toBe('*');
  });

  it('serves the demo chart as the sandbox prefetches it (GET per template), enough for the cards', async () => {
    // What the sandbox does: fill {{context.patientId}} / {{context.userId}}, GET each template, keep what answered.
    // the templates discovery advertises: the Observation search narrowed to the catalog's codes
    const config = loadConfig({ env: { VITEST: 'true' } });
    const assembled = createPipeline(config);
    const templates = assembled.prefetchTemplates;
    expect(templates.observations).toMatch(/^Observation\?patient=\{\{context\.patientId\}\}&code=[^&]+&_count=100$/);
    const prefetch: Record<string, FhirResource> = {};
    for (const [key, template] of Object.entries(templates)) {
      const query = template.replace(/{{\s*context\.patientId\s*}}/g, 'ixa-bsc-001').replace(/{{\s*context\.userId\s*}}/g, 'PractitionerRole/role-onc-1');
      const res = await request(base).get(`/fhir/${query}`).set('Accept', 'application/json+fhir');
      if (res.status === 200 && Object.keys(res.body as object).length > 0) prefetch[key] = res.body as FhirResource;
    }
    expect(Object.keys(prefetch)).toEqual(expect.arrayContaining(['patient', 'coverage', 'conditions', 'observations', 'medicationRequests']));
    expect(((prefetch.observations as Bundle).entry ?? []).length).toBeGreaterThan(3);
    // a real FHIR server honours the narrowed search: exactly the patient's Observations a fact can read
    const everything = await request(base).get(`/fhir/${PREFETCH_TEMPLATES.observations.replace('{{context.patientId}}', 'ixa-bsc-001')}`).expect(200);
    const ofInterest = ((everything.body as Bundle).entry ?? [])
      .map((e) => e.resource as Observation)
      .filter((o) => isObservationOfInterest(o, loadCatalog(config.catalogDir).observations));
    expect(((prefetch.observations as Bundle).entry ?? []).map((e) => e.resource?.id).sort()).toEqual(ofInterest.map((o) => o.id).sort());

    const { app } = buildApp({}, { pipeline: assembled.pipeline });
    const hook: HookRequest = {
      hook: 'order-sign',
      hookInstance: '0f7c5b7e-2a43-4d0c-9a55-5f3f6b1f0c11',
      fhirServer: server.url,
      prefetch,
      context: {
        userId: 'PractitionerRole/role-onc-1',
        patientId: 'ixa-bsc-001',
        draftOrders: {
          resourceType: 'Bundle',
          type: 'collection',
          entry: [{ resource: DRAFT_ORDER }],
        },
      },
    };
    const res = await request(app).post('/cds-services/oncology-pa-order-sign').send(hook);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const summaries = (res.body.cards as Array<{ summary: string }>).map((c) => c.summary);
    // the cards the README tells sandbox users to expect
    expect(summaries).toHaveLength(2);
    // the Mosteller BSA is used unrounded and shown to four decimals, so the numbers divide out: 90 / 1.7654 = 50.98
    expect(summaries[0]).toMatch(/^Ixempra dose above Blue Shield of California limit: 90 mg \(50\.98 mg\/m² at BSA 1\.7654 m²\)/);
    expect(summaries[1]).toBe('Prior authorization required for Ixempra (Blue Shield of California)');
  });
});

describe('the sandbox bundle', () => {
  it('is the demo chart as a transaction of PUTs, in step with fhir-resources/demo (npm run demo:bundle)', () => {
    expect(readFileSync(SANDBOX_BUNDLE, 'utf8')).toBe(sandboxBundleText());
    const bundle = JSON.parse(readFileSync(SANDBOX_BUNDLE, 'utf8')) as Bundle;
    expect(bundle.type).toBe('transaction');
    for (const e of bundle.entry ?? []) {
      expect(e.request).toEqual({ method: 'PUT', url: `${e.resource?.resourceType}/${e.resource?.id}` });
    }
    expect(idsOf(bundle)).toContain('Patient/ixa-bsc-001');
  });
});
