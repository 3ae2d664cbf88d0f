/**
 * Rate limiting per caller with express-rate-limit: a verified JWT issuer is one caller wherever it calls from;
 * without one (open mode, discovery) the client IP is (behind proxies: see TRUST_PROXY). The counters live in the
 * service's shared state, so a caller has one budget across all workers and instances, not one per process.
 * Should the shared state be unreachable, calls go through (logged): a clinician's signing is not refused for it. A second limiter counts failed authentications per IP,
 * so a client cannot make the service verify signatures without bound. Over the limit: 429 with an
 * OperationOutcome, `Retry-After` and the IETF `RateLimit` / `RateLimit-Policy` headers.
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { operationOutcome } from '../protocol/errors.js';
import { MemoryState, type SharedState } from '../shared-state/index.js';
import { verifiedIssuer } from './authenticate.js';

/** express-rate-limit's store on the shared counters (fixed one-minute windows, keys under `rate:<limiter>:`). */
export class SharedRateStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  constructor(private readonly state: SharedState, readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const hit = await this.state.increment(`${this.prefix}${key}`, this.windowMs);
    return { totalHits: hit.count, resetTime: new Date(hit.resetAtMs) };
  }

  decrement(key: string): Promise<void> {
    return this.state.decrement(`${this.prefix}${key}`);
  }

  resetKey(key: string): Promise<void> {
    return this.state.delete(`${this.prefix}${key}`);
  }
}

export interface RateLimiters {
  /** after authentication: keyed by verified issuer, else IP */
  perCaller: RequestHandler;
  /** before authentication: counts only 401 answers, per IP */
  failedAuth: RequestHandler;
}

const pass: RequestHandler = (_req, _res, next) => next();

/** `state`: where the counters live (default: this process only). */
export function createRateLimiters(perMinute: number, logger?: Logger, state: SharedState = new MemoryState()): RateLimiters {
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
    passOnStoreError: true,
    ...(erlLogger && { logger: erlLogger }),
  };
  const perCaller = rateLimit({
    ...common,
    standardHeaders: 'draft-8',
    identifier: 'per-caller',
    store: new SharedRateStore(state, 'rate:caller:'),
    keyGenerator: (req, res) => {
      const issuer = verifiedIssuer(res);
      // ipKeyGenerator groups an IPv6 client's /56, so one client cannot dodge the limit by rotating addresses
      return issuer !== undefined ? `iss:${issuer}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (req, res) => {
      logger?.warn({ status: 429, method: req.method, path: req.path, limiter: 'per-caller', reason: `over ${perMinute} calls a minute` }, 'rate limited');
      res.status(429).json(operationOutcome('error', 'throttled',
        `rate limit exceeded: at most ${perMinute} calls a minute per caller; retry after the time in Retry-After`));
    },
  });
  const failedAuth = rateLimit({
    ...common,
    standardHeaders: false,
    store: new SharedRateStore(state, 'rate:failed-auth:'),
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (req, res) => {
      // Without standard headers (they would count successes in flight) the library leaves Retry-After to us.
      const resetTime = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
      res.set('Retry-After', String(seconds));
      logger?.warn({ status: 429, method: req.method, path: req.path, limiter: 'failed-auth', reason: `over ${perMinute} failed authentications a minute` }, 'rate limited');
      res.status(429).json(operationOutcome('error', 'throttled',
        `too many failed authentications: at most ${perMinute} a minute per client; retry after the time in Retry-After`));
    },
  });
  return { perCaller, failedAuth };
}
