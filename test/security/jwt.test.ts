import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';
import { randomUUID, createSecretKey } from 'node:crypto';
import { createJwtVerifier, AuthError, type TrustedIssuer } from '../../src/security/jwt.js';

const ISS = 'https://ehr.example.org';
const AUD = 'https://cds.example.org/cds-services/oncology-pa-order-sign';

let privateKey: CryptoKey;
let publicJwk: JWK;
let jwksServer: Server;
let jwksUrl: string;
let jwksRequests = 0;

beforeAll(async () => {
  const pair = await generateKeyPair('ES384');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES384', use: 'sig' };
  jwksServer = createServer((_req, res) => {
    jwksRequests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});

afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

interface TokenOptions {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  omit?: string[];
}

async function token(options: TokenOptions = {}): Promise<string> {
  const nowSec = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: ISS,
    sub: 'client-1',
    aud: AUD,
    iat: nowSec,
    exp: nowSec + 300,
    jti: randomUUID(),
    ...options.claims,
  };
  for (const key of options.omit ?? []) delete claims[key];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES384', kid: 'k1', typ: 'JWT', ...options.header } as { alg: string })
    .sign(privateKey);
}

function localIssuer(): TrustedIssuer[] {
  return [{ iss: ISS, jwks: { keys: [publicJwk] } }];
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as Error).message;
  }
  throw new Error('expected the token to be rejected');
}

describe('JWT verification (CDS Hooks 2.0)', () => {
  it('accepts a well-formed token from a trusted issuer and returns the caller', async () => {
    const verify = createJwtVerifier(localIssuer());
    const caller = await verify(await token(), AUD);
    expect(caller.iss).toBe(ISS);
    expect(caller.sub).toBe('client-1');
  });

  it('rejects a replayed jti', async () => {
    const verify = createJwtVerifier(localIssuer());
    const once = await token();
    await verify(once, AUD);
    expect(await rejection(verify(once, AUD))).toMatch(/already used/);
  });

  it.each([
    ['exp', /no exp/],
    ['iat', /no iat/],
    ['jti', /no jti/],
    ['iss', /no iss/],
  ])('rejects a token without %s', async (claim, message) => {
    const verify = createJwtVerifier(localIssuer());
    expect(await rejection(verify(await token({ omit: [claim] }), AUD))).toMatch(message);
  });

  it('rejects an untrusted issuer', async () => {
    const verify = createJwtVerifier(localIssuer());
    expect(await rejection(verify(await token({ claims: { iss: 'https://evil.example' } }), AUD))).toMatch(/not trusted/);
  });

  it('rejects a wrong audience, naming the expected one', async () => {
    const verify = createJwtVerifier(localIssuer());
    const message = await rejection(verify(await token({ claims: { aud: 'https://other.example/cds-services/x' } }), AUD));
    expect(message).toContain(AUD);
  });

  it('rejects an expired token beyond the 60 s leeway but accepts one within it', async () => {
    const verify = createJwtVerifier(localIssuer());
    const nowSec = Math.floor(Date.now() / 1000);
    expect(await rejection(verify(await token({ claims: { exp: nowSec - 120, iat: nowSec - 400 } }), AUD))).toMatch(/expired/);
    await expect(verify(await token({ claims: { exp: nowSec - 30, iat: nowSec - 300 } }), AUD)).resolves.toBeTruthy();
  });

  it('rejects a token without kid', async () => {
    const verify = createJwtVerifier(localIssuer());
    const nowSec = Math.floor(Date.now() / 1000);
    const noKid = await new SignJWT({ iss: ISS, aud: AUD, iat: nowSec, exp: nowSec + 60, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES384' })
      .sign(privateKey);
    expect(await rejection(verify(noKid, AUD))).toMatch(/kid/);
  });

  it('rejects HMAC and none algorithms', async () => {
    const verify = createJwtVerifier(localIssuer());
    const nowSec = Math.floor(Date.now() / 1000);
    const hmac = await new SignJWT({ iss: ISS, aud: AUD, iat: nowSec, exp: nowSec + 60, jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(createSecretKey(Buffer.alloc(32, 7)));
    expect(await rejection(verify(hmac, AUD))).toMatch(/alg "HS256" is not allowed/);
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ iss: ISS, aud: AUD, iat: nowSec, exp: nowSec + 60, jti: 'x' })).toString('base64url');
    expect(await rejection(verify(`${header}.${body}.`, AUD))).toMatch(/alg "none" is not allowed/);
  });

  it('rejects a signature by another key with the same kid', async () => {
    const verify = createJwtVerifier(localIssuer());
    const other = await generateKeyPair('ES384');
    const nowSec = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ iss: ISS, aud: AUD, iat: nowSec, exp: nowSec + 60, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES384', kid: 'k1' })
      .sign(other.privateKey);
    expect(await rejection(verify(forged, AUD))).toMatch(/signature/);
  });

  it('rejects garbage', async () => {
    const verify = createJwtVerifier(localIssuer());
    expect(await rejection(verify('not-a-jwt', AUD))).toMatch(/well-formed/);
  });

  it('fetches keys from the configured jwks_url and accepts a matching jku', async () => {
    const verify = createJwtVerifier([{ iss: ISS, jwks_url: jwksUrl }]);
    const before = jwksRequests;
    await verify(await token({ header: { jku: jwksUrl } }), AUD);
    expect(jwksRequests).toBeGreaterThan(before);
  });

  it('refuses a jku other than the configured JWKS URL without fetching it', async () => {
    let attackerHits = 0;
    const attacker = createServer((_req, res) => {
      attackerHits += 1;
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks.json`;
    try {
      const verify = createJwtVerifier([{ iss: ISS, jwks_url: jwksUrl }]);
      expect(await rejection(verify(await token({ header: { jku: attackerUrl } }), AUD))).toMatch(/jku/);
      const local = createJwtVerifier(localIssuer());
      expect(await rejection(local(await token({ header: { jku: attackerUrl } }), AUD))).toMatch(/jku/);
      expect(attackerHits).toBe(0);
    } finally {
      await new Promise<void>((resolve) => attacker.close(() => resolve()));
    }
  });

  it('reports an unknown kid', async () => {
    const verify = createJwtVerifier([{ iss: ISS, jwks_url: jwksUrl }]);
    expect(await rejection(verify(await token({ header: { kid: 'unknown' } }), AUD))).toMatch(/no key/);
  });
});
