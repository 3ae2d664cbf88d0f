import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecretKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXED_RESPONSE, SELECT, SIGN, validRequest } from '../protocol/helpers.js';
import {
  HOST, ISS, jwtApp, localIssuer, serveJwks, SIGN_URL, signingKey, token, type JwksServer, type SigningKey,
} from './support.js';
import { LogCapture } from '../support/log-capture.js';

const FEEDBACK_URL = `http://${HOST}${SIGN}/feedback`;
const FEEDBACK = {
  feedback: [{ card: '6b0e8f5a-8f3c-4f71-9a55-0d7b1c4e2a10', outcome: 'overridden', outcomeTimestamp: '2026-01-01T10:00:00Z' }],
};

let key: SigningKey;
let jwks: JwksServer;

beforeAll(async () => {
  key = await signingKey('ES384', 'k1');
  jwks = await serveJwks(() => [key.publicJwk]);
});
afterAll(() => jwks.close());

/** POSTs a valid order-sign call with the given Authorization header; returns the response. */
function sign(app: Parameters<typeof request>[0], authorization?: string, path = SIGN): request.Test {
  const call = request(app).post(path).set('Host', HOST);
  if (authorization !== undefined) call.set('Authorization', authorization);
  return call.send(validRequest());
}

interface Refusal {
  status: number;
  body: { resourceType: string; issue: Array<{ severity: string; code: string; diagnostics: string }> };
  headers: Record<string, string>;
}

function expectRefused(res: Refusal, why: RegExp): void {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue).toHaveLength(1);
  expect(res.body.issue[0]).toMatchObject({ severity: 'error', code: 'login' });
  expect(res.body.issue[0]!.diagnostics).toMatch(why);
}

describe('JWT on hook calls: accepted', () => {
  it('answers a call carrying a valid token from a trusted issuer', async () => {
    const { app, pipeline } = jwtApp([localIssuer(ISS, key)]);
    const res = await sign(app, `Bearer ${await token({ key })}`).expect(200);
    expect(res.body).toEqual(FIXED_RESPONSE);
    expect(pipeline.calls).toHaveLength(1);
  });

  it('accepts the scheme name in any case and ignores a query string when checking aud', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)]);
    await sign(app, `bearer ${await token({ key })}`).expect(200);
    await sign(app, `Bearer ${await token({ key })}`, `${SIGN}?debug=1`).expect(200);
  });

  it('accepts a sandbox-style token: ES384, typ JWT, kid and jku of the configured JWKS URL, no sub', async () => {
    // What https://sandbox.cds-hooks.org sends, with its JWKS URL served by a stand-in fetch.
    const sandboxJwks = 'https://sandbox.cds-hooks.org/.well-known/jwks.json';
    const sandboxKey = await signingKey('ES384', '44823f3d-0b01-4a6c-a80e-b9d3e8a7226f');
    const fetched: string[] = [];
    const { app } = jwtApp([{ iss: 'https://sandbox.cds-hooks.org', jwks_url: sandboxJwks }], {}, {
      verifier: {
        fetchJwks: (url) => {
          fetched.push(url);
          return Promise.resolve(Response.json({ keys: [sandboxKey.publicJwk] }));
        },
      },
    });
    const jwt = await token({ key: sandboxKey, iss: 'https://sandbox.cds-hooks.org', header: { jku: sandboxJwks } });
    await sign(app, `Bearer ${jwt}`).expect(200);
    expect(fetched).toEqual([sandboxJwks]);
  });

  it('accepts RS256 and PS512 keys too', async () => {
    const rsa = await signingKey('RS256');
    const pss = await signingKey('PS512');
    const { app } = jwtApp([localIssuer(ISS, rsa, pss)]);
    await sign(app, `Bearer ${await token({ key: rsa })}`).expect(200);
    await sign(app, `Bearer ${await token({ key: pss })}`).expect(200);
  });

  it('takes aud from PUBLIC_BASE_URL when set, not from the Host header', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)], { publicBaseUrl: 'https://cds.payer.example/' });
    const publicAud = 'https://cds.payer.example/cds-services/oncology-pa-order-sign';
    await sign(app, `Bearer ${await token({ key, aud: publicAud })}`).expect(200);
    const res = await sign(app, `Bearer ${await token({ key, aud: SIGN_URL })}`);
    expectRefused(res, new RegExp(`aud must be ${publicAud.replace(/[.]/g, '\\.')}$`));
  });

  it('guards feedback with a token whose aud is the feedback URL', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)]);
    const ok = await token({ key, aud: FEEDBACK_URL });
    await request(app).post(`${SIGN}/feedback`).set('Host', HOST).set('Authorization', `Bearer ${ok}`).send(FEEDBACK).expect(200);
    const missing = await request(app).post(`${SIGN}/feedback`).set('Host', HOST).send(FEEDBACK);
    expectRefused(missing, /Authorization header with a Bearer JWT is required/);
    const hookAud = await request(app).post(`${SIGN}/feedback`).set('Host', HOST)
      .set('Authorization', `Bearer ${await token({ key })}`).send(FEEDBACK);
    expectRefused(hookAud, /aud must be http:\/\/cds\.example\.org\/cds-services\/oncology-pa-order-sign\/feedback/);
  });
});

describe('JWT on hook calls: each reason for a 401', () => {
  const nowSec = (): number => Math.floor(Date.now() / 1000);

  const cases: Array<[string, () => Promise<string | undefined>, RegExp]> = [
    ['no Authorization header', () => Promise.resolve(undefined), /^an Authorization header with a Bearer JWT is required$/],
    ['another scheme', () => Promise.resolve('Basic dXNlcjpwYXNz'), /must be "Bearer <JWT>"/],
    ['a bearer value that is not a JWT', () => Promise.resolve('Bearer not-a-jwt'), /not a well-formed JWT/],
    ['alg HS256 (shared secret)', async () => {
      const hmac = await new SignJWT({ iss: ISS, aud: SIGN_URL, iat: nowSec(), exp: nowSec() + 60, jti: randomUUID() })
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(createSecretKey(Buffer.alloc(32, 7)));
      return `Bearer ${hmac}`;
    }, /alg "HS256" is not allowed/],
    ['alg none', () => {
      const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
      return Promise.resolve(`Bearer ${part({ alg: 'none', kid: 'k1' })}.${part({ iss: ISS, aud: SIGN_URL, iat: nowSec(), exp: nowSec() + 60, jti: 'x' })}.`);
    }, /alg "none" is not allowed/],
    ['no kid', async () => `Bearer ${await token({ key, omitHeader: ['kid'] })}`, /JWT header has no kid/],
    ['no iss', async () => `Bearer ${await token({ key, omitClaims: ['iss'] })}`, /JWT has no iss/],
    ['an issuer not trusted', async () => `Bearer ${await token({ key, iss: 'https://evil.example' })}`,
      /issuer "https:\/\/evil\.example" is not trusted/],
    ['no jti', async () => `Bearer ${await token({ key, omitClaims: ['jti'] })}`, /JWT has no jti/],
    ['no iat', async () => `Bearer ${await token({ key, omitClaims: ['iat'] })}`, /JWT has no iat/],
    ['no exp', async () => `Bearer ${await token({ key, omitClaims: ['exp'] })}`, /JWT has no exp/],
    ['expired beyond the 60 s leeway', async () =>
      `Bearer ${await token({ key, claims: { iat: nowSec() - 600, exp: nowSec() - 90 } })}`, /JWT has expired/],
    ['aud of another service', async () => `Bearer ${await token({ key, aud: `http://${HOST}${SELECT}` })}`,
      /aud must be http:\/\/cds\.example\.org\/cds-services\/oncology-pa-order-sign$/],
    ['aud of another host', async () => `Bearer ${await token({ key, aud: 'https://other.example/cds-services/oncology-pa-order-sign' })}`,
      /aud must be/],
    ['a signature by another key under the trusted kid', async () => {
      const impostor = await signingKey('ES384', 'k1');
      return `Bearer ${await token({ key: impostor })}`;
    }, /signature is invalid/],
    ['a kid the issuer does not have', async () => `Bearer ${await token({ key, header: { kid: 'k-unknown' } })}`,
      /no key in the issuer JWKS matches the JWT kid/],
    ['a jku with inline keys configured', async () => `Bearer ${await token({ key, header: { jku: 'https://attacker.example/jwks' } })}`,
      /jku does not match/],
  ];

  for (const [why, authorization, diagnostics] of cases) {
    it(`401 for ${why}`, async () => {
      const { app, pipeline } = jwtApp([localIssuer(ISS, key)]);
      const res = await sign(app, await authorization());
      expectRefused(res, diagnostics);
      expect(pipeline.calls).toHaveLength(0);
    });
  }

  it('401 for a token not valid yet (nbf in the future beyond leeway)', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)]);
    const res = await sign(app, `Bearer ${await token({ key, claims: { nbf: Math.floor(Date.now() / 1000) + 600 } })}`);
    expectRefused(res, /claim nbf is invalid/);
  });

  it('401 for a replayed jti, over HTTP, while the first call succeeded', async () => {
    const { app, pipeline } = jwtApp([localIssuer(ISS, key)]);
    const once = `Bearer ${await token({ key })}`;
    await sign(app, once).expect(200);
    expectRefused(await sign(app, once), /jti was already used \(replay\)/);
    // a fresh jti from the same issuer is fine
    await sign(app, `Bearer ${await token({ key })}`).expect(200);
    expect(pipeline.calls).toHaveLength(2);
  });

  it('the same jti from two different issuers is not a replay', async () => {
    const other = await signingKey('ES256', 'k2');
    const { app } = jwtApp([localIssuer(ISS, key), localIssuer('https://ehr2.example.org', other)]);
    const jti = randomUUID();
    await sign(app, `Bearer ${await token({ key, claims: { jti } })}`).expect(200);
    await sign(app, `Bearer ${await token({ key: other, iss: 'https://ehr2.example.org', claims: { jti } })}`).expect(200);
  });

  it('does not read the body of a refused call', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)]);
    // an unauthenticated oversized body gets 401 (not 413): authentication runs before parsing
    const res = await request(app).post(SIGN).set('Host', HOST).set('Content-Type', 'application/json')
      .send(`{"pad":"${'x'.repeat(6 * 1024 * 1024)}"}`);
    expectRefused(res, /Authorization header/);
  });
});

describe('JWKS by URL and the jku rule', () => {
  it('fetches the configured jwks_url once, accepts a jku equal to it, and caches the keys', async () => {
    const { app } = jwtApp([{ iss: ISS, jwks_url: jwks.url }]);
    const before = jwks.hits();
    await sign(app, `Bearer ${await token({ key, header: { jku: jwks.url } })}`).expect(200);
    await sign(app, `Bearer ${await token({ key })}`).expect(200);
    expect(jwks.hits() - before).toBe(1);
  });

  it('refuses a jku other than the configured URL without fetching it', async () => {
    let attackerHits = 0;
    const attacker = createServer((_req, res) => {
      attackerHits += 1;
      res.end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks.json`;
    try {
      const { app, pipeline } = jwtApp([{ iss: ISS, jwks_url: jwks.url }]);
      expectRefused(await sign(app, `Bearer ${await token({ key, header: { jku: attackerUrl } })}`),
        /jku does not match the JWKS URL configured for its issuer/);
      expect(attackerHits).toBe(0);
      expect(pipeline.calls).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => attacker.close(() => resolve()));
    }
  });

  it('picks up a rotated key: an unknown kid makes it fetch the JWKS again', async () => {
    let served = [key.publicJwk];
    const rotating = await serveJwks(() => served);
    try {
      const { app } = jwtApp([{ iss: ISS, jwks_url: rotating.url }], {}, { verifier: { jwksCooldownMs: 0 } });
      await sign(app, `Bearer ${await token({ key })}`).expect(200);
      const next = await signingKey('ES384', 'k-next');
      served = [key.publicJwk, next.publicJwk];
      await sign(app, `Bearer ${await token({ key: next })}`).expect(200);
      expect(rotating.hits()).toBe(2);
      // an unknown kid is still refused after the refetch
      expectRefused(await sign(app, `Bearer ${await token({ key: await signingKey('ES384', 'k-never') })}`), /no key/);
    } finally {
      await rotating.close();
    }
  });

  it('does not refetch the JWKS for every unknown kid (cooldown against kid flooding)', async () => {
    const counted = await serveJwks(() => [key.publicJwk]);
    try {
      const { app } = jwtApp([{ iss: ISS, jwks_url: counted.url }]);
      await sign(app, `Bearer ${await token({ key })}`).expect(200);
      for (let i = 0; i < 5; i += 1) {
        expectRefused(await sign(app, `Bearer ${await token({ key, header: { kid: `flood-${i}` } })}`), /no key/);
      }
      expect(counted.hits()).toBe(1);
    } finally {
      await counted.close();
    }
  });

  it('401 (never 5xx) when the JWKS URL cannot be reached', async () => {
    const down = await serveJwks(() => []);
    await down.close();
    const { app } = jwtApp([{ iss: ISS, jwks_url: down.url }]);
    expectRefused(await sign(app, `Bearer ${await token({ key })}`), /^the issuer's JWKS could not be fetched$/);
  });

  it('401 (never 5xx) when the JWKS URL answers an error or something that is not a key set', async () => {
    for (const [status, body, why] of [
      [500, 'oops', /^the issuer's JWKS could not be fetched$/],
      [200, '{"keys": "none"}', /^the issuer's JWKS is not a valid key set$/],
    ] as const) {
      const broken = createServer((_req, res) => { res.statusCode = status; res.end(body); });
      await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(broken.address() as AddressInfo).port}/jwks.json`;
        const { app } = jwtApp([{ iss: ISS, jwks_url: url }]);
        expectRefused(await sign(app, `Bearer ${await token({ key })}`), why);
      } finally {
        await new Promise<void>((resolve) => broken.close(() => resolve()));
      }
    }
  });

  it('401 (never 5xx) when the JWKS server hangs past the timeout', async () => {
    const hanging = createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/jwks.json`;
    try {
      const { app } = jwtApp([{ iss: ISS, jwks_url: url }], {}, { verifier: { jwksTimeoutMs: 200 } });
      expectRefused(await sign(app, `Bearer ${await token({ key })}`), /JWKS could not be fetched in time/);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});

describe('discovery', () => {
  it('stays public by default while hooks need a JWT', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)]);
    const res = await request(app).get('/cds-services').expect(200);
    expect(res.body.services.length).toBeGreaterThan(0);
  });

  it('needs a JWT whose aud is the discovery URL when protectDiscovery is set', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)], { protectDiscovery: true });
    expectRefused(await request(app).get('/cds-services').set('Host', HOST), /Authorization header/);
    const jwt = await token({ key, aud: `http://${HOST}/cds-services` });
    await request(app).get('/cds-services').set('Host', HOST).set('Authorization', `Bearer ${jwt}`).expect(200);
  });

  it('health reports auth "jwt" and stays public', async () => {
    const { app } = jwtApp([localIssuer(ISS, key)]);
    const res = await request(app).get('/health').expect(200);
    expect(res.body.auth).toBe('jwt');
  });
});

describe('logging of refused calls', () => {
  it('logs the reason and path, never the token', async () => {
    const out = new LogCapture();
    const { app } = jwtApp([localIssuer(ISS, key)], {}, { logStream: out });
    const jwt = await token({ key, aud: 'https://other.example/x' });
    await sign(app, `Bearer ${jwt}`).expect(401);
    const lines = out.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'authentication refused')).toMatchObject({
      status: 401, path: SIGN, reason: expect.stringMatching(/aud must be/),
    });
    for (const part of jwt.split('.')) expect(out.text).not.toContain(part);
  });
});
