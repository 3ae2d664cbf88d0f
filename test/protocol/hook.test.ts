import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { HookRequest } from '../../src/protocol/types.js';
import { buildApp, FIXED_RESPONSE, SELECT, SIGN, validRequest } from './helpers.js';

type Mutable = Record<string, unknown>;

/** A valid request with one change applied to a plain-JSON copy. */
function mutated(change: (r: Mutable & { context: Mutable }) => void, hook: HookRequest['hook'] = 'order-sign'): Mutable {
  const copy = structuredClone(validRequest(hook)) as unknown as Mutable & { context: Mutable };
  change(copy);
  return copy;
}

async function expect400(body: unknown, field: RegExp, path = SIGN): Promise<void> {
  const { app, pipeline } = buildApp();
  const res = await request(app).post(path).send(body as object).expect(400);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0].diagnostics).toMatch(field);
  expect(pipeline.calls).toHaveLength(0);
}

describe('hook call', () => {
  it('answers a valid order-sign call with the pipeline response and passes configuration and base URL', async () => {
    const { app, pipeline } = buildApp();
    const body = mutated((r) => {
      r.extension = { 'davinci-crd.configuration': { limits: false, 'max-cards': 3, unknown: true } };
    });
    const res = await request(app).post(SIGN).set('Host', 'cds.example.org').send(body).expect(200);
    expect(res.body).toEqual(FIXED_RESPONSE);
    expect(pipeline.calls).toHaveLength(1);
    const call = pipeline.calls[0]!;
    expect(call.request.hookInstance).toBe('d1577c69-dfbe-44ad-ba6d-3e05e953b2ea');
    expect(call.context.service).toBe('oncology-pa-order-sign');
    expect(call.context.baseUrl).toBe('http://cds.example.org');
    expect(call.context.configuration.cards.limits).toBe(false);
    expect(call.context.configuration.cards.coverage).toBe(true);
    expect(call.context.configuration.maxCards).toBe(3);
  });

  it('uses publicBaseUrl when configured', async () => {
    const { app, pipeline } = buildApp({ publicBaseUrl: 'https://cds.payer.example/' });
    await request(app).post(SIGN).send(validRequest()).expect(200);
    expect(pipeline.calls[0]?.context.baseUrl).toBe('https://cds.payer.example');
  });

  it('answers a valid order-select call', async () => {
    const { app } = buildApp();
    await request(app).post(SELECT).send(validRequest('order-select')).expect(200);
  });

  it('remembers returned cards with their provenance for feedback', async () => {
    const { app, cardIndex } = buildApp();
    await request(app).post(SIGN).send(validRequest()).expect(200);
    expect(cardIndex.lookup(FIXED_RESPONSE.cards[0]!.uuid)).toEqual({
      service: 'oncology-pa-order-sign', topic: 'coverage-info', policyId: '000', policyVersion: '2024-01',
      payerId: 'blue-shield-ca',
    });
  });
});

describe('invalid hook calls', () => {
  it('400 for unparseable JSON', async () => {
    const { app } = buildApp();
    const res = await request(app).post(SIGN).set('Content-Type', 'application/json').send('{"hook": ').expect(400);
    expect(res.body.issue[0].diagnostics).toMatch(/^invalid JSON body: /);
  });

  it('400 for a body that is not a JSON object', async () => {
    await expect400([1, 2], /body must be a JSON object/);
    const { app } = buildApp();
    await request(app).post(SIGN).set('Content-Type', 'text/plain').send('hello').expect(400);
  });

  it('400 naming hookInstance when missing', () => expect400(mutated((r) => { delete r.hookInstance; }), /^hookInstance is required$/));
  it('400 naming hookInstance when it is not a string', () => expect400(mutated((r) => { r.hookInstance = 7; }), /^hookInstance must be string$/));
  it('400 naming hook when it is not a string', () => expect400(mutated((r) => { r.hook = ['order-sign']; }), /^hook must be string$/));
  it('400 naming context when it is not an object', () => expect400(mutated((r) => { (r as Mutable).context = 'Patient/1'; }), /^context must be object$/));
  it('400 naming context.patientId when missing', () => expect400(mutated((r) => { delete r.context.patientId; }), /^context\.patientId is required$/));
  it('400 naming context.draftOrders when missing', () =>
    expect400(mutated((r) => { delete r.context.draftOrders; }), /^context\.draftOrders is required$/));
  it('400 when draftOrders holds no draft order', async () => {
    await expect400(mutated((r) => { r.context.draftOrders = { resourceType: 'List' }; }), /^context\.draftOrders holds no draft order/);
    await expect400(mutated((r) => { r.context.draftOrders = { resourceType: 'Bundle', entry: [{ fullUrl: 'x' }, 'y'] }; }), /^context\.draftOrders holds no draft order/);
  });
  it('400 for a hook this service does not answer', () => expect400(mutated((r) => { r.hook = 'patient-view'; }), /^hook "patient-view" does not match service/));
  it('400 when order-select lacks selections', () =>
    expect400(mutated((r) => { delete r.context.selections; }, 'order-select'), /^context\.selections is required$/, SELECT));
  it('400 when selections is empty', () =>
    expect400(mutated((r) => { r.context.selections = []; }, 'order-select'), /^context\.selections must NOT have fewer than 1 items$/, SELECT));

  // Everything beyond the envelope is read around, never refused: the pipeline is called and the answer is 200.
  it.each<[string, (r: Mutable & { context: Mutable }) => void]>([
    ['a hookInstance that is not a uuid', (r) => { r.hookInstance = 'abc'; }],
    ['a userId of another resource type', (r) => { r.context.userId = 'Device/x'; }],
    ['no userId', (r) => { delete r.context.userId; }],
    ['fhirAuthorization without fhirServer', (r) => { delete r.fhirServer; }],
    ['fhirAuthorization without access_token', (r) => { delete (r.fhirAuthorization as Mutable).access_token; }],
    ['a fhirServer that is not a string', (r) => { r.fhirServer = 42; }],
    ['a prefetch value that is neither a resource nor null', (r) => { r.prefetch = { patient: 'Patient/1' }; }],
    ['prefetch that is not an object', (r) => { r.prefetch = [1]; }],
    ['a draft order without resourceType beside a real one', (r) => {
      ((r.context.draftOrders as Mutable).entry as unknown[]).push({ resource: { id: 'x' } });
    }],
  ])('200 for %s', async (_what, change) => {
    const { app, pipeline } = buildApp();
    await request(app).post(SIGN).send(mutated(change)).expect(200);
    expect(pipeline.calls).toHaveLength(1);
  });
  it('200 when a selection is not among the draft orders (nothing to evaluate for it)', async () => {
    const { app, pipeline } = buildApp();
    await request(app).post(SELECT).send(mutated((r) => { r.context.selections = ['MedicationRequest/other']; }, 'order-select')).expect(200);
    expect(pipeline.calls).toHaveLength(1);
  });
  it('400 when the hook does not match the service', async () => {
    await expect400(validRequest('order-select'), /hook "order-select" does not match service oncology-pa-order-sign/);
    await expect400(validRequest('order-sign'), /hook "order-sign" does not match service oncology-pa-order-select/, SELECT);
  });

  it('404 for an unknown service', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/cds-services/nope').send(validRequest()).expect(404);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
  });

  it('413 over the body limit', async () => {
    const { app, pipeline } = buildApp({ bodyLimit: 2048 });
    const body = mutated((r) => { r.extension = { padding: 'x'.repeat(4096) }; });
    const res = await request(app).post(SIGN).send(body).expect(413);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'too-long' }] });
    expect(pipeline.calls).toHaveLength(0);
  });

  it('400 for nesting deeper than 64 levels', async () => {
    const { app } = buildApp();
    const deep = '['.repeat(70) + ']'.repeat(70);
    const text = JSON.stringify(mutated((r) => { r.extension = { deep: 'PLACEHOLDER' }; })).replace('"PLACEHOLDER"', deep);
    const res = await request(app).post(SIGN).set('Content-Type', 'application/json').send(text).expect(400);
    expect(res.body.issue[0].diagnostics).toMatch(/nesting deeper than 64/);
  });

  it('survives very deep nesting without a stack overflow', async () => {
    const { app } = buildApp();
    const text = '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    await request(app).post(SIGN).set('Content-Type', 'application/json').send(text).expect(400);
    await request(app).post(SIGN).send(validRequest()).expect(200);
  });

  it('refuses __proto__ and constructor keys without polluting Object.prototype', async () => {
    const { app } = buildApp();
    for (const key of ['__proto__', 'constructor']) {
      const text = JSON.stringify(validRequest()).replace(
        '"context":', `"extension":{"${key}":{"polluted":true,"prototype":{"polluted":true}}},"context":`,
      );
      const res = await request(app).post(SIGN).set('Content-Type', 'application/json').send(text).expect(400);
      expect(res.body.issue[0].diagnostics).toMatch(new RegExp(`forbidden key "${key}"`));
    }
    const nested = JSON.stringify(validRequest()).replace('"resourceType":"Patient"', '"__proto__":{"polluted":true},"resourceType":"Patient"');
    await request(app).post(SIGN).set('Content-Type', 'application/json').send(nested).expect(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('pipeline failures', () => {
  it('500 OperationOutcome when the pipeline throws, and the next request still succeeds', async () => {
    const { app, pipeline } = buildApp();
    pipeline.failWith = new TypeError('boom');
    const res = await request(app).post(SIGN).send(validRequest()).expect(500);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'exception' }] });
    expect(JSON.stringify(res.body)).not.toContain('boom');
    await request(app).post(SIGN).send(validRequest()).expect(200);
  });

  it('412 when the pipeline reports DataUnavailableError', async () => {
    const { app, pipeline } = buildApp();
    const err = new Error('Coverage was not prefetched and no fhirServer was given');
    err.name = 'DataUnavailableError';
    pipeline.failWith = err;
    const res = await request(app).post(SIGN).send(validRequest()).expect(412);
    expect(res.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'incomplete', diagnostics: 'Coverage was not prefetched and no fhirServer was given' }],
    });
  });
});

describe('audit trail', () => {
  it('appends the pipeline decisions to the audit log', async () => {
    const { JsonlAuditLog } = await import('../../src/protocol/audit.js');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'cds-audit-')), 'nested', 'audit.jsonl');
    const { app } = buildApp({}, { auditLog: new JsonlAuditLog(file) });
    await request(app).post(SIGN).send(validRequest()).expect(200);
    const [line] = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line).toMatchObject({
      hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea', service: 'oncology-pa-order-sign', policyId: '000',
      policyVersion: '2024-01', coverageAssertionId: 'ca-1', covered: 'conditional', paNeeded: 'auth-needed',
    });
  });

  it('still answers when the audit log cannot be written', async () => {
    const { app } = buildApp({}, { auditLog: { append: () => Promise.reject(new Error('disk full')) } });
    await request(app).post(SIGN).send(validRequest()).expect(200);
  });
});

describe('malformed URLs', () => {
  it('400, not 500, for a service id that is not valid %-encoding', async () => {
    const { app } = buildApp();
    await request(app).post('/cds-services/%E0%A4%A').send(validRequest()).expect(400);
    await request(app).post('/cds-services/%E0%A4%A/feedback').send({}).expect(400);
  });
});
