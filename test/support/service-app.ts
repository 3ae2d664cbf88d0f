/** The service as `npm start` assembles it (real pipeline, shipped policies), open mode, silent, in-memory stores. */
import type express from 'express';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { defaultConfig, type AppConfig } from '../../src/config.js';
import { createPipeline } from '../../src/pipeline.js';
import { CardIndex } from '../../src/protocol/card-index.js';
import type { AuditRecord } from '../../src/protocol/pipeline.js';
import type { FetchLike } from '../../src/security/guarded-fetch.js';

/** `audit` receives every decision record the service writes; `fhirFetch` replaces the FHIR fallback's HTTP. */
export function serviceApp(overrides: Partial<AppConfig> = {}, audit: AuditRecord[] = [], fhirFetch?: FetchLike): express.Application {
  const config: AppConfig = { ...defaultConfig({}), ...overrides };
  const assembled = createPipeline(config, fhirFetch !== undefined ? { fhirFetch } : {});
  return createApp({
    config,
    pipeline: assembled.pipeline,
    logger: pino({ level: 'silent' }),
    policiesSummary: assembled.policiesSummary,
    policies: assembled.policies,
    prefetchTemplates: assembled.prefetchTemplates,
    decisionStore: assembled.decisionStore,
    authMode: 'open',
    cardIndex: new CardIndex(),
    feedbackStore: { append: () => Promise.resolve() },
    auditLog: { append: (records) => { audit.push(...records); return Promise.resolve(); } },
  });
}
