/**
 * Rate limiting per caller with express-rate-limit: a verified JWT issuer is one caller wherever it calls from;
 * without one (open mode, discovery) the client IP is. A second limiter counts failed authentications per IP,
 * so a client cannot make the service verify signatures without bound. Over the limit: 429 with an
 * OperationOutcome, `Retry-After` and the IETF `RateLimit` / `RateLimit-Policy` headers.
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { operationOutcome } from '../protocol/errors.js';
import { verifiedIssuer } from './authenticate.js';

export interface RateLimiters {
  /** after authentication: keyed by verified issuer, else IP */
  perCaller: RequestHandler;
  /** before authentication: counts only 401 answers, per IP */
  failedAuth: RequestHandler;
}

const pass: RequestHandler = (_req, _res, next) => next();

export function createRateLimiters(perMinute: number, logger?: Logger): RateLimiters {
  if (perMinute <= 0) return { perCaller: pass, failedAuth: pass };
  // The library's own complaints (misconfiguration, store errors) carry a code such as ERR_ERL_KEY_GEN_IPV6.
  const describe = (error: unknown): { name: string; code?: string } => ({
    name: error instanceof Error ? error.name : typeof error,
    ...(typeof (error as { code?: unknown }).code === 'string' && { code: (error as { code: string }).code }),
  });
  const erlLogger = logger && {
    error: (error: unknown, message?: string) => logger.error({ err: describe(error) }, message ?? 'rate limiter error'),
    warn: (error: unknown, message?: string) => logger.warn({ err: describe(error) }, message ?? 'rate limiter warning'),
  };
  const common = {
    windowMs: 60_000,
    limit: perMinute,
    legacyHeaders: false,
    ...(erlLogger && { logger: erlLogger }),
  };
  const perCaller = rateLimit({
    ...common,
    standardHeaders: 'draft-8',
    identifier: 'per-caller',
    keyGenerator: (req, res) => {
      const issuer = verifiedIssuer(res);
      // ipKeyGenerator groups an IPv6 client's /56, so one client cannot dodge the limit by rotating addresses
      return issuer !== undefined ? `iss:${issuer}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (_req, res) => {
      res.status(429).json(operationOutcome('error', 'throttled',
        `rate limit exceeded: at most ${perMinute} calls a minute per caller; retry after the time in Retry-After`));
    },
  });
  const failedAuth = rateLimit({
    ...common,
    standardHeaders: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (req, res) => {
      // Without standard headers (they would count successes in flight) the library leaves Retry-After to us.
      const resetTime = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
      res.set('Retry-After', String(seconds));
      res.status(429).json(operationOutcome('error', 'throttled',
        `too many failed authentications: at most ${perMinute} a minute per client; retry after the time in Retry-After`));
    },
  });
  return { perCaller, failedAuth };
}
