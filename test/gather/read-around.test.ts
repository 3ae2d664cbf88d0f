/**
 * Real EHR data read the way it arrives: only the hook envelope is refused; every resource, prefetched or served by
 * the FHIR server, goes through one normaliser. Through HTTP with the real pipeline and shipped policies, on both
 * paths (prefetch, and the same chart behind a loopback FHIR server).
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Extension, FhirResource } from 'fhir/r4.js';
import type { HookResponse } from '../../src/protocol/types.js';
import { patientFacts } from '../../src/facts/demographics.js';
import { emptyChart } from '../fixtures/facts/chart.js';
import { startFhirServer, type RunningFhirServer } from '../support/fhir-server.js';
import { serviceApp } from '../support/service-app.js';

const SIGN = '/cds-services/oncology-pa-order-sign';
const SCENARIO = 'fhir-resources/scenarios/bsc-ixabepilone/dose-90-mg-over.json';
/** Hand-mutated request JSON: walked by `at`, which asserts each step is an object or array. */
type Json = Record<string, unknown>;
const base = JSON.parse(readFileSync(SCENARIO, 'utf8')) as Json;

/** The object at a path of keys and indexes (throws when there is none: a broken test, not a finding). */
function at(root: Json, ...path: Array<string | number>): Json {
  let node: unknown = root;
  for (const step of path) {
    if (typeof node !== 'object' || node === null) throw new Error(`no object at ${path.join('.')}`);
    node = (node as Record<string | number, unknown>)[step];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`no object at ${path.join('.')}`);
  return node as Json;
}
function list(root: Json, ...path: Array<string | number>): unknown[] {
  return at(root, ...path) as unknown as unknown[];
}
const app = serviceApp();
// the FHIR-server path with generous time limits: these tests are about what is read, not speed
const fallbackApp = serviceApp({ gather: { deadlineMs: 20_000, queryTimeoutMs: 15_000 } });

function copy(): Json {
  return structuredClone(base);
}
function entries(r: Json, key: string): Json[] {
  return ((at(r, 'prefetch', key) as unknown as Bundle).entry ?? []).map((e) => e.resource as unknown as Json);
}
function draft(r: Json): Json {
  return at(r, 'context', 'draftOrders', 'entry', 0, 'resource');
}
function topics(body: HookResponse): string[] {
  return body.cards.map((c) => c.source.topic?.code ?? '').sort();
}
function coverageInfo(body: HookResponse): Record<string, string> {
  const resource = body.systemActions?.[0]?.resource as { extension?: Extension[] } | undefined;
  const ext = resource?.extension?.[0]?.extension ?? [];
  return Object.fromEntries(ext.map((e) => [e.url, e.valueCode ?? e.valueString ?? e.valueDate ?? '']));
}
async function sign(body: Json, via = app): Promise<HookResponse> {
  const res = await request(via).post(SIGN).send(body);
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
  return res.body as HookResponse;
}

const untouched = await sign(copy());

describe('prefetch: missing required elements the service does not need cost nothing', () => {
  it.each<[string, (r: Json) => void]>([
    ['an Observation without status (not one a fact reads)', (r) => { list(r, 'prefetch', 'observations', 'entry').push({ resource: { resourceType: 'Observation', id: 'bp', subject: { reference: 'Patient/pat-bc-1' }, code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] } } }); }],
    ['a Coverage without beneficiary', (r) => { delete entries(r, 'coverage')[0]!['beneficiary']; }],
    ['an unrelated Condition without subject', (r) => { list(r, 'prefetch', 'conditions', 'entry').push({ resource: { resourceType: 'Condition', id: 'htn', code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10' }] } } }); }],
    ['an Extension without url and a Narrative without status', (r) => {
      at(r, 'prefetch', 'patient')['extension'] = [{ valueString: 'x' }];
      at(r, 'prefetch', 'patient')['text'] = { div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' };
    }],
    ['a ClaimResponse whose addItem has no adjudication, with a contained minimal Claim', (r) => {
      at(r, 'prefetch', 'claimResponses')['entry'] = [{ resource: { resourceType: 'ClaimResponse', id: 'cr-old', status: 'active', use: 'preauthorization', patient: { reference: 'Patient/pat-bc-1' }, outcome: 'complete', preAuthRef: 'PA-1', request: { reference: '#c' }, contained: [{ resourceType: 'Claim', id: 'c' }], addItem: [{ productOrService: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1049630' }] } }] } }];
    }],
    ['a draft order without intent, in a Bundle without type, with an id longer than 64 characters', (r) => {
      delete draft(r)['intent'];
      delete at(r, 'context', 'draftOrders')['type'];
      draft(r)['id'] = `draft-${'x'.repeat(80)}`;
    }],
  ])('%s: 200, the same cards', async (_what, change) => {
    const r = copy();
    change(r);
    expect(topics(await sign(r))).toEqual(topics(untouched));
  });
});

describe('prefetch: wrong types are read around and named', () => {
  it('a repeating element sent once (category, doseAndRate as objects) is read as one item', async () => {
    const r = copy();
    draft(r)['category'] = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category', code: 'outpatient' }] };
    const dosage = at(draft(r), 'dosageInstruction', 0);
    dosage['doseAndRate'] = list(dosage, 'doseAndRate')[0];
    const body = await sign(r);
    expect(topics(body)).toEqual(topics(untouched));
    expect(body.cards.find((c) => c.source.topic?.code === 'limits')?.summary).toMatch(/90 mg/);
  });

  it('a weight given as text is set aside, named on the card, and BSA still settles the dose', async () => {
    const r = copy();
    at(entries(r, 'observations').find((o) => o['id'] === 'obs-weight')!, 'valueQuantity')['value'] = '72';
    const body = await sign(r);
    expect(body.cards.map((c) => c.detail ?? '').join('\n')).toMatch(/Observation\/obs-weight could not be read: valueQuantity\.value is not a number/);
  });

  it('a birth date sent as a number: the age is not documented, not a 5xx', async () => {
    const r = copy();
    at(r, 'prefetch', 'patient')['birthDate'] = 19680412;
    const body = await sign(r);
    expect(body.cards.map((c) => c.detail ?? '').join('\n')).toMatch(/Patient\/pat-bc-1 could not be read: birthDate is not a string/);
  });

  it('a malformed sibling order (doseAndRate as text, subject as a string) never costs the policy drug its cards', async () => {
    const r = copy();
    list(r, 'context', 'draftOrders', 'entry').push({ resource: { resourceType: 'MedicationRequest', id: 'amox', status: 'draft', subject: 'Patient/pat-bc-1',
      medicationCodeableConcept: { text: 'amoxicillin 500 mg' }, dosageInstruction: [{ doseAndRate: 'one tablet', timing: 7 }] } }, { resource: 'not a resource' });
    const body = await sign(r);
    expect(topics(body)).toEqual(topics(untouched));
    expect(body.cards.map((c) => c.detail ?? '').join('\n')).not.toMatch(/amox/);
  });
});

describe('identifying policy-drug orders from context alone', () => {
  const amoxicillin = { resourceType: 'MedicationRequest', id: 'amox', status: 'draft', intent: 'order', subject: { reference: 'Patient/pat-bc-1' },
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '308182', display: 'amoxicillin 500 MG Oral Capsule' }] } };

  it('no policy drug, no prefetch, no FHIR access: 200, no cards, empty systemActions (never 412)', async () => {
    const body = await sign({ hook: 'order-sign', hookInstance: 'x-1', context: { userId: 'Practitioner/1', patientId: 'pat-bc-1', draftOrders: { resourceType: 'Bundle', entry: [{ resource: amoxicillin }] } } });
    expect(body).toEqual({ cards: [], systemActions: [] });
  });

  it('no policy drug with a FHIR server: not one query', async () => {
    const server = await startFhirServer({ recordRequests: true });
    try {
      const body = await sign({ hook: 'order-sign', hookInstance: 'x-2', fhirServer: server.url, fhirAuthorization: { access_token: 't', token_type: 'Bearer', scope: 'x', subject: 's' },
        context: { userId: 'Practitioner/1', patientId: 'pat-bc-1', draftOrders: { resourceType: 'Bundle', entry: [{ resource: amoxicillin }] } } });
      expect(body).toEqual({ cards: [], systemActions: [] });
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('an order whose subject is another patient is not evaluated against this chart, and the answer says so', async () => {
    const r = copy();
    draft(r)['subject'] = { reference: 'Patient/someone-else' };
    const body = await sign(r);
    expect(body.systemActions).toEqual([]);
    expect(body.cards).toHaveLength(1);
    expect(body.cards[0]!.summary).toMatch(/Ixempra: not checked \(order is for another patient\)/);
  });
});

describe('prefetch semantics (CDS Hooks 2.0)', () => {
  it('null medication history is none on file: a first-line patient is answered, not 412', async () => {
    const r = copy();
    at(r, 'prefetch')['medicationRequests'] = null;
    at(r, 'prefetch')['claimResponses'] = null;
    delete r['fhirServer'];
    expect(topics(await sign(r))).toEqual(topics(untouched));
  });

  it('absent keys with no FHIR server: 412 naming them', async () => {
    const r = copy();
    delete at(r, 'prefetch')['conditions'];
    delete r['fhirServer'];
    const res = await request(app).post(SIGN).send(r);
    expect(res.status).toBe(412);
    expect(res.body.issue[0].diagnostics).toMatch(/conditions/);
  });
});

describe('a failed look-up of the authorizations on file', () => {
  it('says on the PA card and in coverage-information that the authorization on file could not be checked', async () => {
    const r = copy();
    at(r, 'prefetch')['claimResponses'] = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] };
    const body = await sign(r);
    const pa = body.cards.find((c) => c.summary.startsWith('Prior authorization required'));
    expect(pa?.detail).toMatch(/authorizations on file could not be checked/);
    const info = coverageInfo(body);
    expect(info['pa-needed']).toBe('conditional');
    const resource = body.systemActions?.[0]?.resource as { extension?: Extension[] };
    const reasons = (resource.extension?.[0]?.extension ?? []).filter((e) => e.url === 'reason').map((e) => e.valueCodeableConcept?.text ?? '');
    expect(reasons.join('\n')).toMatch(/prior authorization on file could not be checked/);
  });

  it('an empty look-up still reads as auth-needed', async () => {
    expect(coverageInfo(untouched)['pa-needed']).toBe('auth-needed');
    expect(untouched.cards.map((c) => c.detail ?? '').join('\n')).not.toMatch(/could not be checked/);
  });
});

function details(body: HookResponse): string {
  return body.cards.map((c) => `${c.summary}\n${c.detail ?? ''}`).join('\n');
}
function doseQuantity(r: Json): Json {
  return at(draft(r), 'dosageInstruction', 0, 'doseAndRate', 0, 'doseQuantity');
}

describe('plausibility: impossible doses and schedules are not checkable, never silently covered', () => {
  it.each<[string, (r: Json) => void, RegExp]>([
    ['a dose of −90 mg', (r) => { doseQuantity(r)['value'] = -90; }, /Dose not checkable: -90 mg is not a positive amount/],
    ['a dose of 0 mg', (r) => { doseQuantity(r)['value'] = 0; }, /Dose not checkable: 0 mg is not a positive amount/],
    ['a dose of 1e308 g', (r) => { doseQuantity(r)['value'] = 1e308; doseQuantity(r)['unit'] = 'g'; doseQuantity(r)['code'] = 'g'; }, /Dose not checkable: .* is not a finite amount/],
    ['a dose of 1e7 g', (r) => { Object.assign(doseQuantity(r), { value: 1e7, unit: 'g', code: 'g' }); }, /Dose not checkable: 10000000 g is more than any dose given/],
    ['a dose of 1e308 mg', (r) => { doseQuantity(r)['value'] = 1e308; }, /Dose not checkable: 1e\+308 mg is (not a finite amount|more than any dose given)/],
    ['a period of 0 days', (r) => { doseQuantity(r)['value'] = 72; at(draft(r), 'dosageInstruction', 0, 'timing', 'repeat')['period'] = 0; }, /Schedule not checkable: a period of 0 d/],
    ['10,000 administrations a day', (r) => { doseQuantity(r)['value'] = 72; Object.assign(at(draft(r), 'dosageInstruction', 0, 'timing', 'repeat'), { frequency: 10000, period: 1, periodUnit: 'd' }); }, /Schedule not checkable: 10000 administrations per 1 d/],
  ])('%s: the answer says what is wrong; no limits card; coverage still answered', async (_what, change, reason) => {
    const r = copy();
    change(r);
    const body = await sign(r);
    expect(details(body)).toMatch(reason);
    expect(topics(body)).not.toContain('limits');
    expect(coverageInfo(body)['covered']).toBeDefined();
  });

  it('a dose range is checked at its high value', async () => {
    const r = copy();
    const entry = at(draft(r), 'dosageInstruction', 0, 'doseAndRate', 0);
    delete entry['doseQuantity'];
    entry['doseRange'] = { low: { value: 60, unit: 'mg', code: 'mg' }, high: { value: 90, unit: 'mg', code: 'mg' } };
    expect(details(await sign(r))).toMatch(/Ordered:\*\* 90 mg \(50 mg\/m²/);
  });
});

describe('plausibility: chart values out of bounds are unreadable, named', () => {
  it('a BSA of 1e308 m² is named and never used (no dose card silenced by it)', async () => {
    const r = copy();
    at(entries(r, 'observations').find((o) => o['id'] === 'obs-bsa')!, 'valueQuantity')['value'] = 1e308;
    const body = await sign(r);
    expect(details(body)).toMatch(/BSA 1e\+308 .* in Observation\/obs-bsa could not be read: outside physiological bounds/);
  });

  it.each([
    ['2090-01-01', /Date of birth in Patient\/p1 is after the service date 2026-03-02/],
    ['1968-02-30', /Date of birth in Patient\/p1 could not be read \(1968-02-30 is no calendar date\)/],
    ['April 1968', /Date of birth in Patient\/p1 could not be read \(April 1968\)/],
  ])('a birth date of %s is named, and the age is not documented', (birthDate, reason) => {
    const facts = patientFacts(emptyChart({ patient: { resourceType: 'Patient', id: 'p1', birthDate } }), '2026-03-02');
    expect(facts.age.value).toBeNull();
    expect(facts.age.unknownReason).toMatch(reason);
  });

  it('a year of birth alone gives the age bounds', () => {
    const facts = patientFacts(emptyChart({ patient: { resourceType: 'Patient', id: 'p1', birthDate: '2008' } }), '2026-03-02');
    expect(facts.age).toMatchObject({ value: null, bounds: { min: 17, max: 18 } });
  });

  it('a year of birth alone bounds the age: an adult either way gets the same answer', async () => {
    const r = copy();
    at(r, 'prefetch', 'patient')['birthDate'] = '1968';
    expect(topics(await sign(r))).toEqual(topics(untouched));
  });
});

/** The order's three stated service dates, in the order the conventions read them. */
function statedServiceDates(r: Json): { bounds: Json; validity: Json; order: Json } {
  const order = draft(r);
  return { bounds: at(order, 'dosageInstruction', 0, 'timing', 'repeat', 'boundsPeriod'), validity: at(order, 'dispenseRequest', 'validityPeriod'), order };
}

describe('plausibility: far-future or unparseable service dates are unreadable, named; coverage still answered', () => {
  it('a boundsPeriod.start in 2090 is named, and the order is judged on its validity start: the same cards', async () => {
    const r = copy();
    statedServiceDates(r).bounds['start'] = '2090-03-02';
    const body = await sign(r);
    expect(details(body)).toMatch(/MedicationRequest\/[\w-]+\.timing\.repeat\.boundsPeriod\.start \(2090-03-02\) could not be read: a service date more than two years after today/);
    expect(topics(body)).toEqual(topics(untouched));
    const { 'coverage-assertion-id': _id, ...answered } = coverageInfo(body);
    const { 'coverage-assertion-id': _untouchedId, ...expected } = coverageInfo(untouched);
    expect(answered).toEqual(expected);
  });

  it.each([
    ['far in the future', '2199-12-31', /more than two years after today/],
    ['no calendar date', '2026-02-30', /it is no calendar date/],
    ['not a date at all', 'next Tuesday', /it is no calendar date/],
  ])('every stated date %s: each is named, coverage is still answered (judged on today)', async (_what, value, reason) => {
    const r = copy();
    const { bounds, validity, order } = statedServiceDates(r);
    bounds['start'] = value;
    validity['start'] = value;
    order['authoredOn'] = value;
    const body = await sign(r);
    const text = details(body);
    for (const element of ['timing.repeat.boundsPeriod.start', 'dispenseRequest.validityPeriod.start', 'authoredOn']) {
      expect(text).toContain(`.${element} (${value}) could not be read`);
    }
    expect(text).toMatch(reason);
    expect(coverageInfo(body)['covered']).toBeDefined();
    expect(coverageInfo(body)['coverage-assertion-id']).toBeDefined();
  });

  it('a service date a year ahead is a real one: nothing is named', async () => {
    const r = copy();
    const nextYear = `${new Date().getUTCFullYear() + 1}-03-02`;
    statedServiceDates(r).bounds['start'] = nextYear;
    expect(details(await sign(r))).not.toMatch(/could not be read: a service date/);
  });
});

describe('diagnoses: not met only when every Condition could be read', () => {
  function breastCondition(r: Json): Json {
    return entries(r, 'conditions').find((c) => c['id'] === 'dx-breast')!;
  }

  it.each<[string, Json]>([
    ['text only', { text: 'Malignant neoplasm of left breast, metastatic' }],
    ['coded under an OID the catalog does not know', { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.999', code: 'C50.912' }] }],
  ])('a primary diagnosis %s leaves the diagnosis criterion not documented (coverage conditional), never not met', async (_what, code) => {
    const r = copy();
    breastCondition(r)['code'] = code;
    const body = await sign(r);
    expect(coverageInfo(body)['covered']).toBe('conditional');
    expect(details(body)).toMatch(/Condition\/dx-breast: diagnosis without an ICD-10-CM or SNOMED CT code/);
  });
});

// ---- the same chart behind a FHIR server: the same answers ----

function chartResources(r: Json): FhirResource[] {
  const out: FhirResource[] = [];
  for (const value of Object.values(at(r, 'prefetch')) as FhirResource[]) {
    if (value.resourceType === 'Bundle') out.push(...(value.entry ?? []).flatMap((e) => (e.resource ? [e.resource as FhirResource] : [])));
    else out.push(value);
  }
  return out;
}

describe('the FHIR-server path reads the same way', () => {
  let server: RunningFhirServer;
  beforeAll(async () => {
    server = await startFhirServer({ resources: chartResources(base) });
  });
  afterAll(async () => server.close());

  function fallback(): Json {
    const r = copy();
    delete r['prefetch'];
    r['fhirServer'] = server.url;
    r['fhirAuthorization'] = { access_token: 'test-token-not-a-secret', token_type: 'Bearer', scope: 'patient/*.read', subject: 'cds' };
    return r;
  }

  it('answers as prefetch does', async () => {
    expect(topics(await sign(fallback(), fallbackApp))).toEqual(topics(untouched));
  });

  it('a far-future service date is named the same way, and coverage is still answered', async () => {
    const r = fallback();
    statedServiceDates(r).bounds['start'] = '2090-03-02';
    statedServiceDates(r).validity['start'] = '2090-03-02';
    statedServiceDates(r).order['authoredOn'] = '2090-03-01';
    const body = await sign(r, fallbackApp);
    expect(details(body)).toMatch(/\.timing\.repeat\.boundsPeriod\.start \(2090-03-02\) could not be read: a service date more than two years after today/);
    expect(details(body)).toMatch(/\.dispenseRequest\.validityPeriod\.start \(2090-03-02\) could not be read/);
    expect(details(body)).toMatch(/\.authoredOn \(2090-03-01\) could not be read/);
    expect(coverageInfo(body)['covered']).toBeDefined();
  });

  it('a malformed sibling order and a category sent as an object: the same cards', async () => {
    const r = fallback();
    draft(r)['category'] = { text: 'outpatient' };
    list(r, 'context', 'draftOrders', 'entry').push({ resource: { resourceType: 'MedicationRequest', id: 'amox', dosageInstruction: { doseAndRate: { doseQuantity: { value: '1' } } } } });
    expect(topics(await sign(r, fallbackApp))).toEqual(topics(untouched));
  });
});
