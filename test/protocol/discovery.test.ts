import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { observationSearchCodes } from '../../src/facts/index.js';
import { serviceApp } from '../support/service-app.js';
import { buildApp, SIGN } from './helpers.js';

/** CDS Hooks 2.0 prefetch tokens (user identity tokens plus the hooks' context fields). */
const ALLOWED_TOKENS = new Set([
  'context.patientId', 'context.userId', 'context.encounterId',
  'userPractitionerId', 'userPractitionerRoleId', 'userPatientId', 'userRelatedPersonId',
]);

describe('discovery', () => {
  it('lists the order-sign and order-select services with prefetch and CRD configuration options', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/cds-services').expect(200);
    const services = res.body.services as Array<Record<string, unknown>>;
    expect(services.map((s) => [s.id, s.hook])).toEqual([
      ['oncology-pa-order-sign', 'order-sign'],
      ['oncology-pa-order-select', 'order-select'],
    ]);
    for (const s of services) {
      expect(typeof s.title).toBe('string');
      expect(typeof s.description).toBe('string');
      expect(typeof s.usageRequirements).toBe('string');
      const prefetch = s.prefetch as Record<string, string>;
      expect(Object.keys(prefetch).sort()).toEqual(
        ['claimResponses', 'conditions', 'coverage', 'medicationAdministrations', 'medicationRequests', 'observations', 'patient', 'practitioner', 'practitionerRole'],
      );
      for (const template of Object.values(prefetch)) {
        for (const [, token] of template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
          expect(ALLOWED_TOKENS.has(token ?? ''), `token ${token}`).toBe(true);
        }
      }
      const options = (s.extension as Record<string, Array<Record<string, unknown>>>)['davinci-crd.configuration-options'];
      expect(options).toBeDefined();
      const byCode = new Map(options!.map((o) => [o.code, o]));
      for (const code of ['coverage', 'limits', 'off-guideline', 'missing-data', 'instructions']) {
        // the instructions card is the one a client asks for: its checklist is on the decision page
        expect(byCode.get(code)).toMatchObject({ type: 'boolean', default: code !== 'instructions' });
        expect(typeof byCode.get(code)?.name).toBe('string');
        expect(typeof byCode.get(code)?.description).toBe('string');
      }
      expect(byCode.get('max-cards')).toMatchObject({ type: 'integer', default: 10 });
    }
  });

  it('as npm start assembles it: the Observation prefetch asks for the codes of every Observation fact, and no others', async () => {
    const res = await request(serviceApp()).get('/cds-services').expect(200);
    const catalog = loadCatalog();
    const wanted = new Set(observationSearchCodes(catalog.observations));
    for (const s of res.body.services as Array<{ prefetch: Record<string, string> }>) {
      const url = new URL(s.prefetch.observations!, 'https://ehr.invalid/');
      expect(url.pathname).toBe('/Observation');
      expect(url.searchParams.get('patient')).toBe('{{context.patientId}}');
      expect(url.searchParams.get('_count')).toBe('100');
      const codes = (url.searchParams.get('code') ?? '').split(',');
      expect(new Set(codes)).toEqual(wanted);
      expect(codes).toContain(catalog.observations.facts.bodyWeight.loinc?.[0]);
      // a routine lab is not asked for
      expect(codes).not.toContain('718-7');
    }
  });

  it('answers CORS preflight allowing Authorization and Content-Type', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .options(SIGN)
      .set('Origin', 'https://sandbox.cds-hooks.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase();
    expect(allowed).toContain('authorization');
    expect(allowed).toContain('content-type');
    expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
  });

  it('sends CORS headers on ordinary responses', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/cds-services').set('Origin', 'https://sandbox.cds-hooks.org').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('health and unknown routes', () => {
  it('reports the loaded policies, the auth mode, and that the service runs open', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/health').expect(200);
    expect(res.body).toEqual({
      status: 'ok', policies: [{ id: '000', version: '2024-01' }, { id: '001', version: '3' }], auth: 'open',
      fhirServers: 'any', sharedState: 'memory',
      warnings: [
        expect.stringMatching(/^OPEN: no trusted issuer \(CDS_TRUSTED_ISSUERS\)/),
        expect.stringMatching(/^OPEN: no FHIR server allowlist \(FHIR_SERVER_ALLOWLIST\)/),
      ],
      memory: { rssMb: expect.any(Number) },
    });
  });

  it('says nothing is open once an allowlist is configured (trusted issuers aside)', async () => {
    const { app } = buildApp({ fhirServerAllowlist: ['https://ehr.example.org/fhir'] });
    const res = await request(app).get('/health').expect(200);
    expect(res.body).toMatchObject({ fhirServers: 'allowlist', warnings: [expect.stringMatching(/no trusted issuer/)] });
  });

  it('reports the resident set size in MB, for watching memory over time', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/health').expect(200);
    const rssMb = (res.body as { memory: { rssMb: number } }).memory.rssMb;
    expect(rssMb).toBeGreaterThan(1);
    // within a few MB of what the process reports (the process may grow a little between the two readings)
    expect(Math.abs(rssMb - process.memoryUsage.rss() / (1024 * 1024))).toBeLessThan(64);
  });

  it('reports readiness, and not-ready while shutting down', async () => {
    let ready = true;
    const { app } = buildApp({}, { isReady: () => ready });
    await request(app).get('/ready').expect(200);
    ready = false;
    await request(app).get('/ready').expect(503);
  });

  it('answers unknown routes with a 404 OperationOutcome', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/nowhere').expect(404);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
  });

  it('refuses to build a JWT app without an authenticate middleware', () => {
    expect(() => buildApp({}, { authMode: 'jwt' })).toThrow(/authenticate/);
  });

  it('runs the authenticate slot before hook and feedback calls', async () => {
    const { app, pipeline } = buildApp({}, {
      authMode: 'jwt',
      authenticate: (_req, res) => { res.status(401).json({ resourceType: 'OperationOutcome', issue: [] }); },
    });
    await request(app).post(SIGN).send({}).expect(401);
    await request(app).post(`${SIGN}/feedback`).send({}).expect(401);
    await request(app).get('/cds-services').expect(200);
    expect(pipeline.calls).toHaveLength(0);
  });
});
