import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { PipelineContext } from '../../src/protocol/pipeline.js';
import type { HookRequest } from '../../src/protocol/types.js';
import { PAGE_CSP } from '../../src/web/csp.js';
import { listScenarios } from '../../src/web/scenarios.js';
import type { Explain } from '../../src/web/trace.js';
import { buildApp, validRequest } from '../protocol/helpers.js';
import { listScenarioFiles, SHIPPED } from '../support/policy-data.js';

interface Listed { group: string; name: string; path: string; description: string }

describe('GET /demo/scenarios', () => {
  it('lists every scenario request under fhir-resources/scenarios with its description, and nothing else', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/demo/scenarios').expect(200);
    const scenarios = res.body.scenarios as Listed[];
    expect(scenarios.length).toBeGreaterThan(100);
    // every scenario folder, however many: the same enumeration the scenario test runs
    expect(scenarios.map((s) => s.path).sort()).toEqual(listScenarioFiles(SHIPPED.scenarios).map((s) => `${s.group}/${s.name}`).sort());
    expect(scenarios.some((s) => s.name.endsWith('.expect') || s.group === '_build')).toBe(false);
    const over = scenarios.find((s) => s.path === 'bsc-ixabepilone/dose-90-mg-over');
    const expected = JSON.parse(readFileSync('fhir-resources/scenarios/bsc-ixabepilone/dose-90-mg-over.expect.json', 'utf8')) as { description: string };
    expect(over).toEqual({ group: 'bsc-ixabepilone', name: 'dose-90-mg-over', path: 'bsc-ixabepilone/dose-90-mg-over', description: expected.description });
  });

  it('answers an empty list when the scenario folder is missing', () => {
    expect(listScenarios('no/such/dir')).toEqual([]);
  });
});

describe('GET /demo/scenarios/{group}/{name}', () => {
  it('answers the request and its description', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/demo/scenarios/bsc-ixabepilone/dose-90-mg-over').expect(200);
    const file = JSON.parse(readFileSync('fhir-resources/scenarios/bsc-ixabepilone/dose-90-mg-over.json', 'utf8')) as unknown;
    expect(res.body.request).toEqual(file);
    expect(res.body.description).toMatch(/\S/);
  });

  it.each([
    '/demo/scenarios/..%2F..%2Fpackage/json',
    '/demo/scenarios/bsc-ixabepilone/..%2F..%2F..%2Fpackage',
    '/demo/scenarios/..%2Fpolicies/bsc-ixabepilone',
    '/demo/scenarios/_build/ixabepilone',
    '/demo/scenarios/bsc-ixabepilone/dose-90-mg-over.expect',
    '/demo/scenarios/bsc-ixabepilone/%2E%2E',
    '/demo/scenarios/bsc-ixabepilone/no-such-scenario',
  ])('refuses %s with 404 and no file content', async (path) => {
    const { app } = buildApp();
    const res = await request(app).get(path).expect(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body)).not.toContain('oncology-pa-cds');
  });

  it('does not resolve dot segments into another folder', async () => {
    const { app } = buildApp();
    // a raw ../ is normalised by the client or rejected by the router: never a file outside the index
    const res = await request(app).get('/demo/scenarios/bsc-ixabepilone/../../../package.json');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('"devDependencies"');
  });
});

describe('POST /analyst/trace', () => {
  const fakeExplain = (): { explain: Explain; calls: Array<{ request: HookRequest; ctx: PipelineContext }> } => {
    const calls: Array<{ request: HookRequest; ctx: PipelineContext }> = [];
    const explain: Explain = (request, ctx) => {
      calls.push({ request, ctx });
      return Promise.resolve({ trace: ['Policy x', 'Outcome: covered=conditional'], evaluations: [] });
    };
    return { explain, calls };
  };

  it('answers {trace, evaluations} from the injected explainer, with the order-sign service and base URL', async () => {
    const { explain, calls } = fakeExplain();
    const { app } = buildApp({ publicBaseUrl: 'https://pa.example.org' }, { explain });
    const res = await request(app).post('/analyst/trace').send(validRequest()).expect(200);
    expect(res.body).toEqual({ trace: ['Policy x', 'Outcome: covered=conditional'], evaluations: [] });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.ctx.service).toBe('oncology-pa-order-sign');
    expect(calls[0]!.ctx.baseUrl).toBe('https://pa.example.org');
  });

  it('takes order-select requests for the order-select service', async () => {
    const { explain, calls } = fakeExplain();
    const { app } = buildApp({}, { explain });
    await request(app).post('/analyst/trace').send(validRequest('order-select')).expect(200);
    expect(calls[0]!.ctx.service).toBe('oncology-pa-order-select');
  });

  it('validates the body as the hook does (400 naming the field)', async () => {
    const { explain, calls } = fakeExplain();
    const { app } = buildApp({}, { explain });
    const body = structuredClone(validRequest()) as unknown as { context: Record<string, unknown> };
    delete body.context.patientId;
    const res = await request(app).post('/analyst/trace').send(body).expect(400);
    expect(res.body.issue[0].diagnostics).toMatch(/context\.patientId is required/);
    const wrongHook = await request(app).post('/analyst/trace').send({ ...validRequest(), hook: 'patient-view' }).expect(400);
    expect(wrongHook.body.resourceType).toBe('OperationOutcome');
    await request(app).post('/analyst/trace').set('content-type', 'application/json').send('{not json').expect(400);
    expect(calls).toHaveLength(0);
  });

  it('answers 501 with an OperationOutcome when no explainer is wired', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/analyst/trace').send(validRequest()).expect(501);
    expect(res.body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-supported', diagnostics: 'the evaluation trace is not available on this server' }],
    });
  });
});

describe('the try-it page at /', () => {
  it('serves index.html, page.js and page.css with a same-origin-only CSP', async () => {
    const { app } = buildApp();
    const index = await request(app).get('/').expect(200).expect('content-type', /text\/html/);
    expect(index.text).toContain('<script type="module" src="/page.js"></script>');
    expect(index.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(PAGE_CSP).toContain("script-src 'self'");
    expect(PAGE_CSP).not.toContain('unsafe-inline');
    await request(app).get('/page.js').expect(200).expect('content-type', /javascript/);
    await request(app).get('/page.css').expect(200).expect('content-type', /css/);
    await request(app).get('/policy.css').expect(200).expect('content-type', /css/);
  });

  it('has no inline script or style the CSP would block', () => {
    const index = readFileSync('public/index.html', 'utf8');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).not.toMatch(/\sstyle=|<style/);
    expect(index).not.toMatch(/\son[a-z]+=/);
  });

  it('leaves the JSON API without a CSP and the 404 answer unchanged', async () => {
    const { app } = buildApp();
    const discovery = await request(app).get('/cds-services').expect(200);
    expect(discovery.headers['content-security-policy']).toBeUndefined();
    const missing = await request(app).get('/nothing-here').expect(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
  });

  it('answers the private-network preflight of a public page (the sandbox) calling a local service', async () => {
    const { app } = buildApp();
    const res = await request(app).options('/cds-services/oncology-pa-order-sign')
      .set('Origin', 'https://sandbox.cds-hooks.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Private-Network', 'true')
      .expect(204);
    expect(res.headers['access-control-allow-private-network']).toBe('true');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const plain = await request(app).options('/cds-services/oncology-pa-order-sign')
      .set('Origin', 'https://sandbox.cds-hooks.org').set('Access-Control-Request-Method', 'POST').expect(204);
    expect(plain.headers['access-control-allow-private-network']).toBeUndefined();
  });
});
