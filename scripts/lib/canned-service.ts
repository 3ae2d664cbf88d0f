/**
 * The service's own HTTP stack without its decision, for the benchmark: the real app (`createApp`: helmet, CORS,
 * rate limits, the bounded JSON parser, the JSON guard, the envelope check, the hook handler and one log line per
 * call), configured like the service, with a pipeline that only reads the request's resources through gather's
 * normaliser (skipping exactly what the real pipeline skips) and answers every call with the service's real answer
 * to the same request. The difference from the service is the rest of gather → facts → policy → cards (and the
 * audit write); the difference from the express floor is the middleware and the input checks.
 *
 *   tsx scripts/lib/canned-service.ts <answer.json>      (PORT, HOST and the service's other variables honoured)
 */
import { readFileSync } from 'node:fs';
import type express from 'express';
import type { Logger } from 'pino';
import { createApp } from '../../src/app.js';
import { isEntryPoint } from '../../src/entry-point.js';
import { closeOnSigterm } from './local-server.js';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createPipeline } from '../../src/pipeline.js';
import { CardIndex } from '../../src/protocol/card-index.js';
import { readDraftOrders, readPrefetch } from '../../src/gather/prefetch.js';
import type { HookPipeline, PipelineResult } from '../../src/protocol/pipeline.js';
import type { HookResponse } from '../../src/protocol/types.js';

export function cannedServiceApp(config: AppConfig, answer: HookResponse, logger: Logger = createLogger(config.logLevel)): express.Application {
  const real = createPipeline(config);
  const reads = real.pipeline.readsResource?.bind(real.pipeline);
  const canned: HookPipeline = {
    evaluate: (request): Promise<PipelineResult> => {
      // the input checks of the real service: every resource through the one normaliser
      readDraftOrders(request, reads);
      readPrefetch(request, reads);
      return Promise.resolve({ response: answer, audit: [] });
    },
    ...(reads !== undefined && { readsResource: reads }),
  };
  return createApp({
    config,
    pipeline: canned,
    logger,
    policiesSummary: real.policiesSummary,
    prefetchTemplates: real.prefetchTemplates,
    authMode: 'open',
    cardIndex: new CardIndex(),
    feedbackStore: { append: () => Promise.resolve() },
  });
}

if (isEntryPoint(import.meta.url)) {
  const [answerFile] = process.argv.slice(2);
  if (answerFile === undefined) {
    process.stderr.write('usage: canned-service.ts <answer.json>\n');
    process.exit(2);
  }
  const config = loadConfig();
  const server = cannedServiceApp(config, JSON.parse(readFileSync(answerFile, 'utf8')) as HookResponse).listen(config.port, config.host);
  closeOnSigterm(server);
}
