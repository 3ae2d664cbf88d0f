/**
 * What reaches the logs when a real scenario (with a distinctive name, birth date, identifiers, access token and
 * clinical values) goes through the app — accepted, refused, failing: ids, service and status yes; patient data
 * and tokens never.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createPipeline } from '../../src/pipeline.js';
import { JsonlAuditLog } from '../../src/protocol/audit.js';
import { CardIndex } from '../../src/protocol/card-index.js';
import { JsonlFeedbackStore } from '../../src/protocol/feedback.js';
import { callerAuth } from '../../src/security/index.js';
import { HOST, ISS, localIssuer, PUBLIC_BASE_URL, signingKey, token, type SigningKey } from './support.js';
import { LogCapture } from '../support/log-capture.js';

const SIGN = '/cds-services/oncology-pa-order-sign';
const HOOK_INSTANCE = '5d0c7a3e-6f1b-4c2d-9e8f-a1b2c3d4e5f6';

/** Values that must never be logged. */
const SECRETS = {
  patientId: 'pat-zq-31337',
  family: 'Quillfeatherstone',
  given: 'Zephyrine',
  birthDate: '1931-07-19',
  mrn: 'MRN-ZQ-448812',
  subscriberId: 'SUB-ZQ-99173',
  accessToken: 'tok-ZQ-8c1f2e7d6b5a',
  weight: '71.234',
  diagnosisText: 'Zzyzx left breast carcinoma',
  userId: 'onc-zq-777',
};

function scenario(): Record<string, unknown> {
  const text = readFileSync('fhir-resources/scenarios/bsc-ixabepilone/bsa-computed-kg-cm.json', 'utf8')
    .replaceAll('pat-bc-1', SECRETS.patientId);
  const r = JSON.parse(text) as {
    hookInstance: string;
    context: { userId: string };
    fhirAuthorization?: unknown;
    prefetch: Record<string, { entry?: Array<{ resource: Record<string, unknown> }> } & Record<string, unknown>>;
  };
  r.hookInstance = HOOK_INSTANCE;
  r.context.userId = `Practitioner/${SECRETS.userId}`;
  r.fhirAuthorization = {
    access_token: SECRETS.accessToken, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'ehr',
  };
  const patient = r.prefetch.patient!;
  patient.name = [{ family: SECRETS.family, given: [SECRETS.given] }];
  patient.birthDate = SECRETS.birthDate;
  patient.identifier = [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: SECRETS.mrn }];
  const coverage = r.prefetch.coverage!.entry![0]!.resource;
  coverage.subscriberId = SECRETS.subscriberId;
  const weight = r.prefetch.observations!.entry!.find((e) => e.resource.id === 'obs-weight')!.resource;
  weight.valueQuantity = { value: Number(SECRETS.weight), unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' };
  const condition = r.prefetch.conditions!.entry![0]!.resource;
  (condition.code as { text: string }).text = SECRETS.diagnosisText;
  return r;
}

function build(out: LogCapture, overrides: ConfigInput = {}, extra: Partial<AppDeps> = {}): ReturnType<typeof createApp> {
  const dir = mkdtempSync(join(tmpdir(), 'cds-logs-'));
  const config = loadConfig({
    env: { VITEST: 'true' },
    overrides: {
      feedbackFile: join(dir, 'feedback.jsonl'), auditFile: join(dir, 'audit.jsonl'),
      fhirServerAllowlist: ['https://fhir.allowlisted.invalid/fhir'], rateLimitPerMinute: 0, ...overrides,
    },
  });
  const logger = createLogger('trace', out);
  const { pipeline, policiesSummary } = createPipeline(config);
  return createApp({
    config, pipeline, policiesSummary, logger, authMode: 'open', cardIndex: new CardIndex(100),
    feedbackStore: new JsonlFeedbackStore(config.feedbackFile), auditLog: new JsonlAuditLog(config.auditFile), ...extra,
  });
}

function expectNoSecrets(out: LogCapture, extra: string[] = []): void {
  expect(out.text.length).toBeGreaterThan(0);
  for (const secret of [...Object.values(SECRETS), ...extra]) expect(out.text).not.toContain(secret);
}

let key: SigningKey;
beforeAll(async () => {
  key = await signingKey('ES384', 'k1');
});

describe('log redaction with a real scenario', () => {
  it('an answered call logs hookInstance, service and status, and no patient data or token', async () => {
    const out = new LogCapture();
    const app = build(out);
    const res = await request(app).post(SIGN).set('Authorization', 'Bearer header-secret-zq').send(scenario());
    expect(res.status).toBeLessThan(500);
    const line = out.lines().find((l) => l.msg === 'hook call');
    expect(line).toMatchObject({ hookInstance: HOOK_INSTANCE, service: 'oncology-pa-order-sign', status: res.status });
    expectNoSecrets(out, ['header-secret-zq']);
    // one `service` key per line (the CDS service called); the application is named by `app`
    const raw = out.text.split('\n').find((l) => l.includes('"hook call"'))!;
    expect(raw.match(/"service":/g)).toHaveLength(1);
    expect(line?.app).toBe('oncology-pa-cds');
  });

  it('refused calls (400, 404, 413) log no patient data either', async () => {
    const out = new LogCapture();
    const app = build(out);
    // an unusable envelope (hookInstance must be a string) that carries patient data
    const invalid = { ...scenario(), hookInstance: { family: SECRETS.family } };
    await request(app).post(SIGN).send(invalid).expect(400);
    await request(app).post('/cds-services/no-such-service').send(scenario()).expect(404);
    await request(app).post(SIGN).set('Content-Type', 'application/json')
      .send(JSON.stringify({ ...scenario(), pad: 'x'.repeat(6 * 1024 * 1024) })).expect(413);
    expect(out.lines().filter((l) => l.msg === 'hook call').map((l) => l.status)).toEqual([400, 404]);
    expectNoSecrets(out);
  });

  it('a refused call logs why (the field it names), and a body that is not JSON only that it is not', async () => {
    const out = new LogCapture();
    const app = build(out);
    const { hookInstance: _dropped, ...withoutInstance } = scenario();
    await request(app).post(SIGN).send(withoutInstance).expect(400);
    await request(app).post(SIGN).set('Content-Type', 'application/json').send(`{"family": "${SECRETS.family}",`).expect(400);
    const refused = out.lines().filter((l) => l.msg === 'request refused');
    expect(refused.map((l) => l.status)).toEqual([400, 400]);
    expect(String(refused[0]?.reason)).toMatch(/hookInstance/);
    expect(refused[1]?.reason).toBe('invalid JSON body');
    expectNoSecrets(out);
  });

  it('a 401 logs the reason, not the token or its claims', async () => {
    const out = new LogCapture();
    const logger = createLogger('trace', out);
    const auth = callerAuth({ trustedIssuers: [localIssuer(ISS, key)], publicBaseUrl: PUBLIC_BASE_URL }, logger);
    const app = build(out, { trustedIssuers: [localIssuer(ISS, key)], publicBaseUrl: PUBLIC_BASE_URL }, auth);
    const jwt = await token({ key, aud: 'https://elsewhere.example/x', claims: { sub: SECRETS.userId } });
    await request(app).post(SIGN).set('Host', HOST).set('Authorization', `Bearer ${jwt}`).send(scenario()).expect(401);
    expect(out.lines().find((l) => l.msg === 'authentication refused'))
      .toMatchObject({ status: 401, path: SIGN, reason: `JWT aud must be ${PUBLIC_BASE_URL}${SIGN}` });
    expectNoSecrets(out, jwt.split('.'));
  });

  it('each kind of refused authentication logs its reason, never the token', async () => {
    const out = new LogCapture();
    const logger = createLogger('trace', out);
    const config = { trustedIssuers: [localIssuer(ISS, key)], publicBaseUrl: PUBLIC_BASE_URL, rateLimitPerMinute: 2 };
    const app = build(out, config, callerAuth(config, logger));
    const untrusted = await token({ key, iss: 'https://rogue.example' });
    const good = await token({ key });
    await request(app).post(SIGN).set('Authorization', 'Basic dXNlcjpwdw==').send(scenario()).expect(401);
    await request(app).post(SIGN).set('Authorization', `Bearer ${untrusted}`).send(scenario()).expect(401);
    await request(app).post(SIGN).set('Authorization', `Bearer ${good}`).send(scenario()).expect(429);
    const lines = out.lines();
    expect(lines.filter((l) => l.msg === 'authentication refused').map((l) => l.reason)).toEqual([
      'the Authorization header must be "Bearer <JWT>"',
      'JWT issuer "https://rogue.example" is not trusted',
    ]);
    expect(lines.find((l) => l.msg === 'rate limited')).toMatchObject({ status: 429, limiter: 'failed-auth', reason: 'over 2 failed authentications a minute' });
    expectNoSecrets(out, [...untrusted.split('.'), ...good.split('.'), 'dXNlcjpwdw==']);
  });

  it('an internal failure whose message carries patient data is logged without that message', async () => {
    const out = new LogCapture();
    const app = build(out, {}, {
      pipeline: {
        evaluate: () => Promise.reject(new TypeError(`cannot read birthDate ${SECRETS.birthDate} of ${SECRETS.family}`)),
      },
    });
    const res = await request(app).post(SIGN).send(scenario()).expect(500);
    expect(res.body.issue[0].diagnostics).toBe('internal error; the request was not processed');
    const failure = out.lines().find((l) => l.msg === 'unexpected error');
    expect(failure).toMatchObject({ err: { name: 'TypeError' }, method: 'POST', path: SIGN });
    expect(String((failure?.err as { stack?: string }).stack)).toMatch(/log-redaction\.test\.ts/);
    expectNoSecrets(out);
  });
});
