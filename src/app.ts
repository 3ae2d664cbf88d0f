/**
 * The HTTP application: security headers, CORS for browser clients (the CDS Hooks sandbox), a bounded JSON
 * parser, the CDS Hooks routes, health, and the error middleware. Everything it needs is injected, so tests
 * build it with fakes and the server builds it with the real pipeline.
 */
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { AuditLog } from './protocol/audit.js';
import type { CardIndex } from './protocol/card-index.js';
import { discoveryHandler } from './protocol/discovery.js';
import { errorHandler, operationOutcome } from './protocol/errors.js';
import { feedbackHandler, type FeedbackStore } from './protocol/feedback.js';
import { healthHandler, readyHandler, type AuthMode, type PolicySummary } from './protocol/health.js';
import { hookHandler } from './protocol/hook-handler.js';
import { jsonGuard } from './protocol/json-guard.js';
import type { HookPipeline } from './protocol/pipeline.js';
import { createRateLimiters } from './security/rate-limit.js';

export interface AppDeps {
  config: AppConfig;
  pipeline: HookPipeline;
  logger: Logger;
  policiesSummary: () => PolicySummary[];
  authMode: AuthMode;
  cardIndex: CardIndex;
  feedbackStore: FeedbackStore;
  /** audit trail of decisions; omitted = not recorded */
  auditLog?: AuditLog;
  /** guards hook and feedback calls (JWT verification), and discovery when config.protectDiscovery; required when
   * authMode is 'jwt' */
  authenticate?: RequestHandler;
  /** false while shutting down, so /ready tells load balancers to stop sending */
  isReady?: () => boolean;
}

export function createApp(deps: AppDeps): express.Application {
  if (deps.authMode === 'jwt' && !deps.authenticate) {
    // Refuse to claim JWT protection that is not there.
    throw new Error('authMode "jwt" needs an authenticate middleware');
  }
  if (deps.config.protectDiscovery && !deps.authenticate) {
    throw new Error('protectDiscovery needs an authenticate middleware');
  }
  const app = express();
  app.disable('x-powered-by');

  // The service answers JSON only; CSP is left off so a later HTML page (docs, demo) is not blocked, and
  // resources may be read cross-origin because browser clients (the sandbox) live on other origins.
  app.use(helmet({ contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'cross-origin' } }));
  app.use(cors({
    origin: '*',
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    optionsSuccessStatus: 204,
    maxAge: 600,
  }));

  const parseJson = [
    express.json({ limit: deps.config.bodyLimit, type: ['application/json', 'application/*+json'] }),
    jsonGuard(),
  ];
  // Failed authentications are limited per IP before verification; calls are limited per verified issuer (else
  // per IP) after it. Health and readiness stay unlimited for load balancers.
  const limits = createRateLimiters(deps.config.rateLimitPerMinute, deps.logger);
  const guard: RequestHandler[] = deps.authenticate
    ? [limits.failedAuth, deps.authenticate, limits.perCaller]
    : [limits.perCaller];

  app.get('/health', healthHandler(deps.policiesSummary, deps.authMode));
  app.get('/ready', readyHandler(deps.isReady ?? (() => true)));
  app.get('/cds-services', ...(deps.config.protectDiscovery ? guard : [limits.perCaller]), discoveryHandler);
  // Authentication comes before parsing, so an unauthenticated caller cannot make us read a large body.
  app.post('/cds-services/:id/feedback', ...guard, ...parseJson, feedbackHandler(deps));
  app.post('/cds-services/:id', ...guard, ...parseJson, hookHandler(deps));

  app.use((req, res) => {
    res.status(404).json(operationOutcome('error', 'not-found', `no route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
