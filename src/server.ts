/**
 * Start-up: load and check the configuration, assemble the pipeline, listen, and shut down gracefully
 * (stop accepting, let in-flight calls finish, exit) on SIGTERM / SIGINT.
 * `startServer()` is what `src/main.ts` runs in each worker (or in-process with WEB_CONCURRENCY=1);
 * `tsx src/server.ts` still runs one server on its own.
 */
import { createApp } from './app.js';
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { isEntryPoint } from './entry-point.js';
import { listen, type RunningServer } from './listen.js';
import { createLogger } from './log.js';
import { createPipeline, type AssembledPipeline } from './pipeline.js';
import { JsonlAuditLog } from './protocol/audit.js';
import { CardIndex } from './protocol/card-index.js';
import { JsonlFeedbackStore } from './protocol/feedback.js';
import { exposureWarnings } from './security/exposure.js';
import { callerAuth } from './security/index.js';
import { decisionStore as sharedDecisionStore, openSharedState, redactedRedisUrl, type SharedState } from './shared-state/index.js';

const SHUTDOWN_GRACE_MS = 10_000;

function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

export interface StartedServer {
  port: number;
  /** what SIGTERM / SIGINT do: stop accepting, finish in-flight calls, exit the process */
  shutdown(signal: string): void;
}

export async function startServer(): Promise<StartedServer> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);

  let sharedState: SharedState;
  try {
    sharedState = await openSharedState({
      ...(config.redisUrl !== undefined && { redisUrl: config.redisUrl }),
      onRedisError: (err) => logger.error({ err: { name: err.name, message: err.message } }, 'Redis connection error'),
    });
  } catch (err) {
    logger.fatal({ err: { name: (err as Error).name, message: (err as Error).message } }, 'cannot open the shared state');
    process.stderr.write(`start-up error: ${(err as Error).message}\n`);
    process.exit(1);
  }
  logger.info({ sharedState: sharedState.kind, ...(config.redisUrl !== undefined && { redis: redactedRedisUrl(config.redisUrl) }) },
    'replay cache, rate limits and card index in shared state');

  const auth = callerAuth(config, logger, {}, sharedState);
  if (auth.authMode === 'jwt') {
    logger.info({ issuers: config.trustedIssuers.map((i) => i.iss), protectDiscovery: config.protectDiscovery, audienceBase: config.publicBaseUrl },
      'JWT required on hook and feedback calls from the trusted issuers');
  }
  for (const warning of exposureWarnings(config)) logger.warn(warning);

  let assembled: AssembledPipeline;
  try {
    // decision pages resolve on any worker or instance: they live in the shared state
    assembled = createPipeline(config, { decisions: sharedDecisionStore(sharedState) });
  } catch (err) {
    // A broken policy or catalog file stops start-up, naming the file and the JSON path.
    logger.fatal({ err: { name: (err as Error).name, message: (err as Error).message } }, 'cannot load policies or catalog');
    process.stderr.write(`start-up error: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const { pipeline, policiesSummary, policies, explain, prefetchTemplates, decisionStore } = assembled;
  // Records are acknowledged once written; a later failure to sync them to the disk is logged loudly.
  const syncFailed = (store: string) => (err: unknown): void => {
    logger.error({ store, err: { name: (err as Error).name, code: (err as NodeJS.ErrnoException).code } }, `${store} file could not be synced to disk`);
  };
  let ready = true;
  const app = createApp({
    config,
    pipeline,
    logger,
    policiesSummary,
    policies,
    explain,
    prefetchTemplates,
    decisionStore,
    ...auth,
    sharedState,
    cardIndex: new CardIndex(undefined, { state: sharedState }),
    feedbackStore: new JsonlFeedbackStore(config.feedbackFile, syncFailed('feedback'), { rotateBytes: config.storeRotateBytes }),
    auditLog: new JsonlAuditLog(config.auditFile, syncFailed('audit'), { rotateBytes: config.storeRotateBytes }),
    isReady: () => ready,
  });

  let running: RunningServer;
  try {
    running = await listen(app, config.port, config.host, SHUTDOWN_GRACE_MS);
  } catch (err) {
    logger.fatal({ err: { name: (err as Error).name, message: (err as Error).message } }, 'cannot listen');
    process.exit(1);
  }
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info({ url: `http://${shownHost}:${running.port}/cds-services` }, 'CDS Hooks service listening');

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    ready = false;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight calls');
    running.shutdown().then(
      async () => {
        await sharedState.close().catch(() => undefined);
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return { port: running.port, shutdown };
}

if (isEntryPoint(import.meta.url)) await startServer();
