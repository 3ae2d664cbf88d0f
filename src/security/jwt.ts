/**
 * CDS Hooks 2.0 client authentication: the EHR signs a JWT per call.
 * We accept only issuers configured out of band, only asymmetric algorithms,
 * only keys from that issuer's configured JWKS (never a URL the token names),
 * and each `jti` once.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { MemoryState, SharedStateUnavailable, type SharedState } from '../shared-state/index.js';

export type TrustedIssuer = { iss: string; jwks_url: string } | { iss: string; jwks: JSONWebKeySet };

/** Asymmetric only: `none` and HMAC would let anyone holding a shared secret (or nobody) sign. */
export const ALLOWED_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const;

export class AuthError extends Error {
  override readonly name = 'AuthError';
}

/** The replay record could not be consulted: the call is refused, but it is not the caller's fault (503). */
export class ReplayCheckUnavailable extends Error {
  override readonly name = 'ReplayCheckUnavailable';
  constructor() {
    super('the token replay check is unavailable right now; retry shortly');
  }
}

export interface VerifiedCaller {
  iss: string;
  sub?: string;
  jti: string;
}

export interface JwtVerifierOptions {
  /** seconds of clock skew tolerated on exp / iat / nbf */
  clockToleranceSec?: number;
  /** ms allowed for a JWKS download */
  jwksTimeoutMs?: number;
  /** ms after a JWKS download before an unknown kid may trigger another (guards against kid flooding) */
  jwksCooldownMs?: number;
  /** upper bound on remembered jti values (the in-process default store only) */
  replayCacheSize?: number;
  /**
   * where each jti is claimed: the service's shared state, so a token is accepted once across all workers and
   * instances; default: this process's memory
   */
  replayStore?: Pick<SharedState, 'setIfAbsent'>;
  now?: () => number;
  /** how JWKS URLs are fetched (default: global fetch); lets tests stand in for a remote issuer */
  fetchJwks?: FetchImplementation;
}

interface IssuerKeys {
  issuer: TrustedIssuer;
  keys: JWTVerifyGetKey;
}

export function createJwtVerifier(issuers: TrustedIssuer[], options: JwtVerifierOptions = {}) {
  const clockTolerance = options.clockToleranceSec ?? 60;
  const now = options.now ?? (() => Date.now());
  const replay = options.replayStore ?? new MemoryState({ capacity: options.replayCacheSize ?? 100_000 });
  const byIssuer = new Map<string, IssuerKeys>();
  for (const issuer of issuers) {
    const keys =
      'jwks_url' in issuer
        ? // jose caches the set and refetches on an unknown kid (with a cooldown against key-flooding).
          createRemoteJWKSet(new URL(issuer.jwks_url), {
            timeoutDuration: options.jwksTimeoutMs ?? 2000,
            cooldownDuration: options.jwksCooldownMs ?? 30_000,
            cacheMaxAge: 10 * 60_000,
            ...(options.fetchJwks && { [customFetch]: options.fetchJwks }),
          })
        : createLocalJWKSet(issuer.jwks);
    byIssuer.set(issuer.iss, { issuer, keys });
  }

  return async function verify(token: string, audience: string): Promise<VerifiedCaller> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw new AuthError('the bearer token is not a well-formed JWT');
    }
    if (typeof header.alg !== 'string' || !(ALLOWED_ALGORITHMS as readonly string[]).includes(header.alg)) {
      throw new AuthError(`JWT alg "${String(header.alg)}" is not allowed; use one of ${ALLOWED_ALGORITHMS.join(', ')}`);
    }
    if (typeof header.kid !== 'string' || header.kid.length === 0) throw new AuthError('JWT header has no kid');
    if (typeof claims.iss !== 'string') throw new AuthError('JWT has no iss');
    const trusted = byIssuer.get(claims.iss);
    if (!trusted) throw new AuthError(`JWT issuer "${claims.iss}" is not trusted`);
    if (header.jku !== undefined) {
      const configured = 'jwks_url' in trusted.issuer ? trusted.issuer.jwks_url : undefined;
      if (header.jku !== configured) throw new AuthError('JWT jku does not match the JWKS URL configured for its issuer');
    }
    if (typeof claims.jti !== 'string' || claims.jti.length === 0) throw new AuthError('JWT has no jti');
    if (typeof claims.iat !== 'number') throw new AuthError('JWT has no iat');
    if (typeof claims.exp !== 'number') throw new AuthError('JWT has no exp');

    try {
      await jwtVerify(token, trusted.keys, {
        issuer: claims.iss,
        audience,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'iat', 'jti'],
      });
    } catch (error) {
      throw new AuthError(describeJoseError(error, audience));
    }
    // Remembered until the token can no longer pass the exp check (exp + tolerance), then forgotten.
    const ttlSeconds = Math.max(1, claims.exp + clockTolerance - Math.floor(now() / 1000));
    let first: boolean;
    try {
      first = await replay.setIfAbsent(`jti:${claims.iss}\u0000${claims.jti}`, '1', ttlSeconds);
    } catch (err) {
      // Without the shared record a replay cannot be ruled out: refuse (fail closed), saying it is on our side.
      if (err instanceof SharedStateUnavailable) throw new ReplayCheckUnavailable();
      throw err;
    }
    if (!first) throw new AuthError('JWT jti was already used (replay)');
    return { iss: claims.iss, sub: claims.sub, jti: claims.jti };
  };
}

function describeJoseError(error: unknown, audience: string): string {
  if (error instanceof joseErrors.JWTExpired) return 'JWT has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return `JWT aud must be ${audience}`;
    return `JWT claim ${error.claim} is invalid: ${error.reason}`;
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key in the issuer JWKS matches the JWT kid';
  if (error instanceof joseErrors.JWKSTimeout) return "the issuer's JWKS could not be fetched in time";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'JWT signature is invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'JWT alg is not allowed';
  if (error instanceof joseErrors.JWKSInvalid) return "the issuer's JWKS is not a valid key set";
  // jose reports a non-200 JWKS answer as a generic JOSEError; fetch itself throws a TypeError when unreachable
  if (error instanceof joseErrors.JOSEError && /JSON Web Key Set/.test(error.message)) return "the issuer's JWKS could not be fetched";
  if (error instanceof joseErrors.JOSEError) return `JWT rejected: ${error.code}`;
  if (error instanceof TypeError && /fetch/i.test(error.message)) return "the issuer's JWKS could not be fetched";
  return 'JWT could not be verified';
}

export type JwtVerifier = ReturnType<typeof createJwtVerifier>;
