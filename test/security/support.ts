/** Keys, tokens and a JWT-protected app for the security tests: everything local, nothing fetched from outside. */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { ConfigInput, TrustedIssuer } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { CardIndex } from '../../src/protocol/card-index.js';
import { callerAuth } from '../../src/security/index.js';
import type { SharedState } from '../../src/shared-state/index.js';
import type { JwtVerifierOptions } from '../../src/security/jwt.js';
import { buildApp, type TestApp } from '../protocol/helpers.js';

export const ISS = 'https://ehr.example.org';
export const HOST = 'cds.example.org';
export const PUBLIC_BASE_URL = `http://${HOST}`;
export const SIGN_URL = `${PUBLIC_BASE_URL}/cds-services/oncology-pa-order-sign`;

export interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
  alg: string;
}

export async function signingKey(alg = 'ES384', kid: string = randomUUID()): Promise<SigningKey> {
  const pair = await generateKeyPair(alg);
  return { privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' }, kid, alg };
}

export interface TokenOptions {
  key: SigningKey;
  aud?: string;
  iss?: string;
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  omitClaims?: string[];
  omitHeader?: string[];
}

export async function token(options: TokenOptions): Promise<string> {
  const nowSec = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: options.iss ?? ISS, aud: options.aud ?? SIGN_URL, iat: nowSec, exp: nowSec + 300, jti: randomUUID(),
    ...options.claims,
  };
  for (const claim of options.omitClaims ?? []) delete claims[claim];
  const header: Record<string, unknown> = { alg: options.key.alg, typ: 'JWT', kid: options.key.kid, ...options.header };
  for (const field of options.omitHeader ?? []) delete header[field];
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(options.key.privateKey);
}

export function localIssuer(iss: string, ...keys: SigningKey[]): TrustedIssuer {
  return { iss, jwks: { keys: keys.map((k) => k.publicJwk as JsonWebKey) } };
}

/**
 * An app whose hook and feedback calls need a JWT from `issuers`, built as the server builds it; its public base URL
 * is PUBLIC_BASE_URL unless `overrides` says otherwise. `state`: the shared state (replay claims, rate counters).
 */
export function jwtApp(
  issuers: TrustedIssuer[],
  overrides: ConfigInput = {},
  options: { verifier?: JwtVerifierOptions; logStream?: Writable; state?: SharedState } = {},
): TestApp {
  const logger = createLogger(options.logStream ? 'info' : 'silent', options.logStream);
  const publicBaseUrl = typeof overrides.publicBaseUrl === 'string' ? overrides.publicBaseUrl.replace(/\/+$/, '') : PUBLIC_BASE_URL;
  const auth = callerAuth({ trustedIssuers: issuers, publicBaseUrl }, logger, options.verifier, options.state);
  return buildApp({ trustedIssuers: issuers, publicBaseUrl, ...overrides }, {
    ...auth, ...(options.state && { sharedState: options.state, cardIndex: new CardIndex(undefined, { state: options.state }) }),
  }, options.logStream);
}

export interface JwksServer {
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}

/** Serves `{keys}` on loopback and counts requests. */
export async function serveJwks(keys: () => JWK[]): Promise<JwksServer> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: keys() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
