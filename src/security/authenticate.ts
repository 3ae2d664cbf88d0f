/**
 * Express middleware that admits a hook or feedback call only with a verified CDS Hooks 2.0 JWT:
 * `Authorization: Bearer <jwt>`, `aud` equal to the exact URL invoked — the configured public base URL plus the
 * path, never built from request headers (a caller could choose the audience with a spoofed Host or
 * X-Forwarded-Host, and present a token minted for another service). Any failure answers 401 with
 * `WWW-Authenticate: Bearer error="invalid_token"` and an OperationOutcome saying why. The token itself is
 * never logged or echoed. On success the verified issuer is left in `res.locals.issuer` (rate limiting keys on
 * it) and the caller in `res.locals.caller`.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { operationOutcome } from '../protocol/errors.js';
import { AuthError, ReplayCheckUnavailable, type VerifiedCaller } from './jwt.js';

/** `verify(token, audience)` from createJwtVerifier, or a stand-in with the same contract. */
export type VerifyToken = (token: string, audience: string) => Promise<VerifiedCaller>;

export interface AuthenticateOptions {
  verify: VerifyToken;
  /** the URL clients use to reach the service (PUBLIC_BASE_URL); `aud` is built from it alone */
  publicBaseUrl: string;
  logger?: Logger;
}

export const WWW_AUTHENTICATE = 'Bearer error="invalid_token"';

/** What the caller must have put in `aud`: the public base URL plus the path it invoked (no query string). */
export function audienceOf(req: Request, publicBaseUrl: string): string {
  const path = req.originalUrl.split('?', 1)[0] ?? '';
  return `${publicBaseUrl}${path}`;
}

/** The verified issuer of this call, when authentication ran and succeeded. */
export function verifiedIssuer(res: Response): string | undefined {
  const issuer: unknown = res.locals.issuer;
  return typeof issuer === 'string' ? issuer : undefined;
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i;

function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new AuthError('an Authorization header with a Bearer JWT is required');
  }
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new AuthError('the Authorization header must be "Bearer <JWT>"');
  return match[1];
}

export function createAuthenticate(options: AuthenticateOptions): RequestHandler {
  if (!/^https?:\/\/[^/]/.test(options.publicBaseUrl)) {
    throw new Error('JWT authentication needs the public base URL (PUBLIC_BASE_URL): the audience is built from it');
  }
  return async (req, res, next) => {
    const audience = audienceOf(req, options.publicBaseUrl);
    let reason: string;
    try {
      const caller = await options.verify(bearerToken(req.get('authorization')), audience);
      res.locals.caller = caller;
      res.locals.issuer = caller.iss;
      next();
      return;
    } catch (err) {
      // Verification failures are AuthErrors with a reason fit for the caller; anything else is described
      // generically so no internal detail (or token fragment) leaks, and still refused: never a 500.
      if (err instanceof ReplayCheckUnavailable) {
        options.logger?.error({ status: 503, method: req.method, path: req.path, reason: err.message }, 'authentication unavailable');
        res.status(503).set('Retry-After', '1').json(operationOutcome('error', 'transient', err.message));
        return;
      }
      reason = err instanceof AuthError ? err.message : 'the bearer token could not be verified';
      if (!(err instanceof AuthError)) {
        options.logger?.error({ err: { name: err instanceof Error ? err.name : typeof err } }, 'JWT verification failed unexpectedly');
      }
    }
    // The reason (never the token): bounded, since parts of it (an untrusted iss, an alg) come from the caller.
    options.logger?.warn({ status: 401, method: req.method, path: req.path, reason: reason.slice(0, 300) }, 'authentication refused');
    res.status(401).set('WWW-Authenticate', WWW_AUTHENTICATE).json(operationOutcome('error', 'login', reason));
  };
}
