/**
 * The HTTP application: security headers, CORS for browser clients (the CDS Hooks sandbox), a bounded JSON
 * parser, the CDS Hooks routes, health, and the error middleware. Everything it needs is injected, so tests
 * build it with fakes and the server builds it with the real pipeline.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { AuditLog } from './protocol/audit.js';
import type { CardIndex } from './protocol/card-index.js';
import type { PrefetchKey } from './gather/prefetch-templates.js';
import { discoveryHandler } from './protocol/discovery.js';
import { errorHandler, operationOutcome } from './protocol/errors.js';
import { feedbackHandler, type FeedbackStore } from './protocol/feedback.js';
import { healthHandler, readyHandler, type AuthMode, type PolicySummary } from './protocol/health.js';
import { hookHandler } from './protocol/hook-handler.js';
import { jsonGuard } from './protocol/json-guard.js';
import type { HookPipeline } from './protocol/pipeline.js';
import { createRateLimiters } from './security/rate-limit.js';
import { exposureWarnings } from './security/exposure.js';
import type { SharedState } from './shared-state/index.js';
import type { Policy } from './policy/types.js';
import { pageCsp, setPageCsp } from './web/csp.js';
import { decisionHandler } from './web/decision-page.js';
import type { DecisionStore } from './web/decision-store.js';
import { policyHandler, policyNotFound } from './web/policy-pages.js';
import { scenarioRoutes } from './web/scenarios.js';
import { traceHandler, type Explain } from './web/trace.js';

/** The service's own static files (the try-it page), wherever the process is started from. */
const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

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
  /** rate-limit counters shared by all workers and instances; default: this process's memory */
  sharedState?: SharedState;
  /** false while shutting down, so /ready tells load balancers to stop sending */
  isReady?: () => boolean;
  /** the evaluation behind a hook call, for `POST /analyst/trace`; omitted = 501 */
  explain?: Explain;
  /** the prefetch templates discovery advertises (createPipeline's, narrowed by the catalog); omitted = the unnarrowed ones */
  prefetchTemplates?: Readonly<Record<PrefetchKey, string>>;
  /** the policies served at `/policies/{id}`; omitted = none */
  policies?: () => Policy[];
  /** the payers' documents, by `document.file` (default `<policiesDir>/documents`) */
  documentsDir?: string;
  /** the CDS Hooks request fixtures offered by the try-it page (default `fhir-resources/scenarios`) */
  scenariosDir?: string;
  /** the decisions behind `GET /decisions/{id}` (the cards' clinician page); omitted = no such pages */
  decisionStore?: DecisionStore;
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
  // Hook answers are POST responses, never revalidated: hashing every body for an ETag is wasted work.
  app.set('etag', false);
  // req.ip (the rate-limit key without a verified issuer) is the TCP peer unless proxies are configured as trusted.
  app.set('trust proxy', deps.config.trustProxy);

  // The service answers JSON only; CSP is left off so a later HTML page (docs, demo) is not blocked, and
  // resources may be read cross-origin because browser clients (the sandbox) live on other origins.
  app.use(helmet({ contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'cross-origin' } }));
  // Chrome's private/local network access preflight: a public page (the CDS Hooks sandbox) calling a service on
  // the user's own machine or network asks first; say yes, as CORS already does for every origin.
  app.use((req, res, next) => {
    if (req.method === 'OPTIONS' && req.get('access-control-request-private-network') === 'true') {
      res.setHeader('Access-Control-Allow-Private-Network', 'true');
    }
    next();
  });
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
  const limits = createRateLimiters(deps.config.rateLimitPerMinute, deps.logger, deps.sharedState);
  const guard: RequestHandler[] = deps.authenticate
    ? [limits.failedAuth, deps.authenticate, limits.perCaller]
    : [limits.perCaller];

  app.get('/health', healthHandler(deps.policiesSummary, deps.authMode, {
    fhirServers: deps.config.fhirServerAllowlist.length > 0 ? 'allowlist' : 'any',
    sharedState: deps.sharedState?.kind ?? 'memory',
    warnings: exposureWarnings(deps.config),
  }));
  app.get('/ready', readyHandler(deps.isReady ?? (() => true)));
  app.get('/cds-services', ...(deps.config.protectDiscovery ? guard : [limits.perCaller]), discoveryHandler(deps.prefetchTemplates));
  // Authentication comes before parsing, so an unauthenticated caller cannot make us read a large body.
  app.post('/cds-services/:id/feedback', ...guard, ...parseJson, feedbackHandler(deps));
  app.post('/cds-services/:id', ...guard, ...parseJson, hookHandler(deps));

  // The try-it page and what it reads, and the policies the cards link to. Pages get a strict CSP.
  const scenarios = scenarioRoutes(deps.scenariosDir ?? 'fhir-resources/scenarios');
  app.get('/demo/scenarios', scenarios.list);
  app.get('/demo/scenarios/:group/:name', scenarios.get);
  app.post('/analyst/trace', ...guard, ...parseJson, traceHandler({
    ...(deps.explain !== undefined && { explain: deps.explain }),
    ...(deps.config.publicBaseUrl !== undefined && { publicBaseUrl: deps.config.publicBaseUrl }),
  }));
  if (deps.decisionStore) app.get('/decisions/:id', limits.perCaller, pageCsp, decisionHandler({ store: deps.decisionStore }));
  app.get('/policies/:id', pageCsp, policyHandler({
    policies: deps.policies ?? (() => []),
    documentsDir: deps.documentsDir ?? join(deps.config.policiesDir, 'documents'),
    ...(deps.config.publicBaseUrl !== undefined && { publicBaseUrl: deps.config.publicBaseUrl }),
  }), policyNotFound);
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', setHeaders: setPageCsp }));

  app.use((req, res) => {
    res.status(404).json(operationOutcome('error', 'not-found', `no route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
