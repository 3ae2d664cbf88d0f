import { Writable } from 'node:stream';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, SIGN, validRequest } from '../protocol/helpers.js';
import { HOST, ISS, jwtApp, localIssuer, signingKey, token, type SigningKey } from './support.js';

let key: SigningKey;
let otherKey: SigningKey;
const OTHER = 'https://ehr2.example.org';

beforeAll(async () => {
  key = await signingKey('ES384', 'k1');
  otherKey = await signingKey('ES256', 'k2');
});

function expectThrottled(res: { status: number; body: unknown; headers: Record<string, string> }, why: RegExp): void {
  expect(res.status).toBe(429);
  expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'throttled' }] });
  expect((res.body as { issue: Array<{ diagnostics: string }> }).issue[0]!.diagnostics).toMatch(why);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('rate limit per caller', () => {
  it('open mode: limits per IP, answers 429 with an OperationOutcome and RateLimit headers', async () => {
    const { app, pipeline } = buildApp({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) {
      const res = await request(app).post(SIGN).send(validRequest()).expect(200);
      expect(res.headers['ratelimit']).toBe(`"per-caller"; r=${2 - i}; t=60`);
      expect(res.headers['ratelimit-policy']).toMatch(/^"per-caller"; q=3; w=60; pk=:[^:]+:$/);
    }
    const res = await request(app).post(SIGN).send(validRequest());
    expectThrottled(res, /at most 3 calls a minute per caller/);
    expect(res.headers['ratelimit']).toBe('"per-caller"; r=0; t=60');
    expect(pipeline.calls).toHaveLength(3);
    // discovery counts against the same caller; health is never limited
    await request(app).get('/cds-services').expect(429);
    await request(app).get('/health').expect(200);
  });

  it('0 turns the limit off', async () => {
    const { app } = buildApp({ rateLimitPerMinute: 0 });
    for (let i = 0; i < 25; i += 1) {
      const res = await request(app).post(SIGN).send(validRequest()).expect(200);
      expect(res.headers['ratelimit']).toBeUndefined();
    }
  });

  it('JWT mode: each verified issuer has its own budget, even from the same IP', async () => {
    const { app } = jwtApp([localIssuer(ISS, key), localIssuer(OTHER, otherKey)], { rateLimitPerMinute: 2 });
    const call = async (k: SigningKey, iss: string) => request(app).post(SIGN).set('Host', HOST)
      .set('Authorization', `Bearer ${await token({ key: k, iss })}`).send(validRequest());
    expect((await call(key, ISS)).status).toBe(200);
    expect((await call(key, ISS)).status).toBe(200);
    expectThrottled(await call(key, ISS), /per caller/);
    expect((await call(otherKey, OTHER)).status).toBe(200);
  });

  it('JWT mode: failed authentications are limited per IP, before any verification', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)], { rateLimitPerMinute: 2 });
    const bad = () => request(app).post(SIGN).set('Host', HOST).set('Authorization', 'Bearer not-a-jwt').send(validRequest());
    expect((await bad()).status).toBe(401);
    expect((await bad()).status).toBe(401);
    expectThrottled(await bad(), /too many failed authentications/);
  });

  it('JWT mode: successful calls do not use up the failed-authentication budget', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)], { rateLimitPerMinute: 2 });
    const good = async () => request(app).post(SIGN).set('Host', HOST)
      .set('Authorization', `Bearer ${await token({ key })}`).send(validRequest());
    expect((await good()).status).toBe(200);
    expect((await good()).status).toBe(200);
    expect((await good()).status).toBe(429); // the per-issuer budget of 2, not the failed-auth one
    const bad = () => request(app).post(SIGN).set('Host', HOST).set('Authorization', 'Bearer nope').send(validRequest());
    expect((await bad()).status).toBe(401);
  });

  it('is configured without complaints from the library (e.g. an IPv6-unsafe key)', async () => {
    let text = '';
    const out = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
    const { app } = jwtApp([localIssuer(ISS, key)], { rateLimitPerMinute: 5, protectDiscovery: true }, { logStream: out });
    await request(app).post(SIGN).set('Host', HOST).set('Authorization', `Bearer ${await token({ key })}`).send(validRequest()).expect(200);
    await request(app).post(SIGN).set('Host', HOST).send(validRequest()).expect(401);
    const open = buildApp({ rateLimitPerMinute: 5 }, {}, out).app;
    await request(open).get('/cds-services').expect(200);
    expect(text).toContain('hook call');
    expect(text).not.toMatch(/rate limiter (error|warning)/);
  });
});

describe('rate limit key without a verified issuer: the client IP under TRUST_PROXY', () => {
  const from = (app: Parameters<typeof request>[0], forwardedFor: string) =>
    request(app).post(SIGN).set('X-Forwarded-For', forwardedFor).send(validRequest());

  it('by default X-Forwarded-For is ignored: a caller cannot buy a new budget by naming another address', async () => {
    const { app } = buildApp({ rateLimitPerMinute: 2 });
    expect((await from(app, '203.0.113.1')).status).toBe(200);
    expect((await from(app, '203.0.113.2')).status).toBe(200);
    expect((await from(app, '203.0.113.3')).status).toBe(429);
  });

  it('behind one trusted proxy hop, each client address named by the proxy has its own budget', async () => {
    const { app } = buildApp({ rateLimitPerMinute: 1, trustProxy: 1 });
    expect((await from(app, '203.0.113.1')).status).toBe(200);
    expect((await from(app, '203.0.113.2')).status).toBe(200);
    expect((await from(app, '203.0.113.1')).status).toBe(429);
    // a client prepending its own X-Forwarded-For entry does not escape: the proxy's (last) entry counts
    expect((await from(app, '198.51.100.7, 203.0.113.1')).status).toBe(429);
  });
});
