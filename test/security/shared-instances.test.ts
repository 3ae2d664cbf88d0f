/**
 * Two service instances behind a load balancer share one real redis-server (REDIS_URL): a token accepted by one is
 * refused by the other, a caller's rate budget is one across both, and feedback sent to the other instance finds its
 * card. Plus the audience: it comes from PUBLIC_BASE_URL only, never from the Host header.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisState } from '../../src/shared-state/index.js';
import { CARD_UUID, SIGN, validRequest } from '../protocol/helpers.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis-server.js';
import { HOST, ISS, jwtApp, localIssuer, PUBLIC_BASE_URL, signingKey, SIGN_URL, token, type SigningKey } from './support.js';

let key: SigningKey;
/** an issuer of its own for the rate test, so the other tests' calls do not count against it */
let busyKey: SigningKey;
const BUSY_ISS = 'https://busy-ehr.example.org';
beforeAll(async () => {
  key = await signingKey('ES384', 'k1');
  busyKey = await signingKey('ES256', 'k2');
});

interface Instance {
  url: string;
  feedbackFile: string;
  state: RedisState;
  server: Server;
}

/** One instance: its own app, verifier, Redis connection and HTTP server; only Redis is shared. */
async function instance(redisUrl: string, rateLimitPerMinute = 1000, keyPrefix?: string): Promise<Instance> {
  const state = await RedisState.connect({ url: redisUrl, ...(keyPrefix !== undefined && { keyPrefix }) });
  const { app, feedbackFile } = jwtApp([localIssuer(ISS, key), localIssuer(BUSY_ISS, busyKey)], { rateLimitPerMinute }, { state });
  const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, feedbackFile, state, server };
}

async function stop(i: Instance): Promise<void> {
  i.server.closeAllConnections();
  await new Promise((r) => i.server.close(r));
  await i.state.close();
}

/** A signing on a fresh connection, as a load balancer would hand it to either instance. */
async function sign(i: Instance, jwt: string): Promise<{ status: number; diagnostics?: string }> {
  const res = await fetch(`${i.url}${SIGN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}`, connection: 'close' },
    body: JSON.stringify(validRequest()),
  });
  const body = (await res.json()) as { issue?: Array<{ diagnostics: string }> };
  return { status: res.status, ...(body.issue?.[0] && { diagnostics: body.issue[0].diagnostics }) };
}

describe.runIf(redisAvailable('shared-instances'))('two instances sharing one Redis', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    redis = await startRedis();
    a = await instance(redis.url);
    b = await instance(redis.url);
  });
  afterAll(async () => {
    await stop(a);
    await stop(b);
    await redis.stop();
  });

  it('a token accepted by one instance is refused as a replay by the other, and by itself', async () => {
    const jwt = await token({ key });
    expect((await sign(a, jwt)).status).toBe(200);
    const replays = await Promise.all([sign(b, jwt), sign(b, jwt), sign(a, jwt), sign(b, jwt), sign(a, jwt), sign(b, jwt)]);
    expect(replays.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
    for (const r of replays) expect(r.diagnostics).toBe('JWT jti was already used (replay)');
    // a fresh token is fine on either
    expect((await sign(b, await token({ key }))).status).toBe(200);
  });

  it('feedback that reaches the other instance still finds the card it is about', async () => {
    expect((await sign(a, await token({ key }))).status).toBe(200);
    const feedbackPath = `${SIGN}/feedback`;
    const res = await fetch(`${b.url}${feedbackPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token({ key, aud: `${PUBLIC_BASE_URL}${feedbackPath}` })}` },
      body: JSON.stringify({ feedback: [{ card: CARD_UUID, outcome: 'overridden', outcomeTimestamp: '2026-01-01T10:00:00Z' }] }),
    });
    expect(res.status).toBe(200);
    const stored = readFileSync(b.feedbackFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stored).toEqual([expect.objectContaining({ card: CARD_UUID, cardKnown: true, policyId: '000', payerId: 'blue-shield-ca' })]);
  });

  it("one issuer has one rate budget across both instances", async () => {
    // their own key space: the replays above counted as failed authentications from this IP
    const small = await Promise.all([instance(redis.url, 3, 'rate-test:'), instance(redis.url, 3, 'rate-test:')]);
    try {
      const [x, y] = small as [Instance, Instance];
      const statuses = [];
      for (const target of [x, y, x, y]) statuses.push((await sign(target, await token({ key: busyKey, iss: BUSY_ISS }))).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      for (const i of small) await stop(i);
    }
  });

  it('while Redis is down, a signed call is refused with 503 (the replay check cannot run), never accepted unchecked', async () => {
    const own = await startRedis();
    const lonely = await instance(own.url);
    try {
      await own.stop();
      await new Promise((r) => setTimeout(r, 200));
      const res = await fetch(`${lonely.url}${SIGN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await token({ key })}` },
        body: JSON.stringify(validRequest()),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as { issue: Array<{ diagnostics: string }> }).issue[0]!.diagnostics).toMatch(/replay check is unavailable/);
    } finally {
      await stop(lonely);
    }
  });
});

describe('the audience comes from PUBLIC_BASE_URL, never from request headers', () => {
  it('a token minted for another service is refused even when the caller spoofs Host and X-Forwarded-Host to match it', async () => {
    const { app, pipeline } = jwtApp([localIssuer(ISS, key)], { trustProxy: 1 });
    const other = 'other-service.example.org';
    const jwt = await token({ key, aud: `http://${other}${SIGN}` });
    const res = await request(app).post(SIGN).set('Host', other).set('X-Forwarded-Host', other).set('X-Forwarded-Proto', 'http')
      .set('Authorization', `Bearer ${jwt}`).send(validRequest());
    expect(res.status).toBe(401);
    expect(res.body.issue[0].diagnostics).toBe(`JWT aud must be ${SIGN_URL}`);
    expect(pipeline.calls).toHaveLength(0);
    // the same issuer's token for this service passes, whatever Host the request names
    const ok = await request(app).post(SIGN).set('Host', other).set('Authorization', `Bearer ${await token({ key })}`).send(validRequest());
    expect(ok.status).toBe(200);
    expect(HOST).not.toBe(other);
  });
});
