/**
 * Cluster mode for `npm start` (src/main.ts): one server per core. With WEB_CONCURRENCY=1 the server runs in this process; otherwise this process
 * is the cluster primary: it forks WEB_CONCURRENCY workers (default: os.availableParallelism()) that share the
 * listening port, restarts a worker that dies (with exponential backoff, so a worker that crashes at start-up does
 * not spin), and on SIGTERM / SIGINT passes SIGTERM to every worker, waits for them to finish their in-flight calls,
 * and exits 0. A worker that exits with code 2 (bad configuration) stops the whole service with code 2.
 * Without REDIS_URL the primary also holds the shared state (jti claims, rate counters, card index) its workers
 * reach over IPC (src/shared-state/cluster.ts): one budget and one replay record per machine, kept across
 * worker restarts. With REDIS_URL every worker talks to Redis itself.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { ConfigError, type LogLevel } from './config.js';
import { createLogger } from './log.js';
import { MemoryState, serveSharedState } from './shared-state/index.js';

/** Restart backoff: 100 ms, 200 ms, 400 ms … up to 10 s; a worker that lived 10 s resets it. */
export const RESTART_BACKOFF = { firstMs: 100, maxMs: 10_000, stableAfterMs: 10_000 } as const;
/** server.ts gives in-flight calls 10 s; the primary waits a little longer before it kills what is left. */
const WORKER_STOP_TIMEOUT_MS = 15_000;
export const EXIT_CONFIG_ERROR = 2;

/** WEB_CONCURRENCY: a whole number of workers from 1 to 256; unset or empty = the number of cores. */
export function webConcurrency(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()): number {
  const raw = env.WEB_CONCURRENCY;
  if (raw === undefined || raw.trim() === '') return Math.max(1, cores);
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) {
    throw new ConfigError(`WEB_CONCURRENCY must be an integer from 1 to 256, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** Delay before the next restart, given how many times in a row a worker died young. */
export function restartDelayMs(consecutiveCrashes: number): number {
  const exponent = Math.max(0, consecutiveCrashes - 1);
  return Math.min(RESTART_BACKOFF.maxMs, RESTART_BACKOFF.firstMs * 2 ** Math.min(exponent, 20));
}

export interface PrimarySettings {
  logLevel: LogLevel;
  /** set: the workers share state through Redis, and the primary holds none */
  redisUrl?: string;
}

/** The primary's loop: fork, watch, restart, stop. Returns at once; the process lives on its workers. */
export function runPrimary(workers: number, settings: PrimarySettings): void {
  const logger = createLogger(settings.logLevel).child({ role: 'primary' });
  if (settings.redisUrl === undefined) serveSharedState(cluster, new MemoryState());
  const startedAt = new Map<number, number>();
  const restarts = new Set<NodeJS.Timeout>();
  let consecutiveCrashes = 0;
  let stopping = false;
  let exitCode = 0;

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started');
    return worker;
  };

  const living = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());

  const stop = (signal: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    for (const timer of restarts) clearTimeout(timer);
    restarts.clear();
    const alive = living();
    logger.info({ signal, workers: alive.length }, 'shutting down: workers finish their in-flight calls');
    if (alive.length === 0) process.exit(exitCode);
    for (const worker of alive) worker.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('workers did not stop in time; killing them');
      for (const worker of living()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, WORKER_STOP_TIMEOUT_MS).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? Date.now());
    startedAt.delete(worker.id);
    if (stopping) {
      // A worker still starting up has no handler yet and dies of the SIGTERM itself: nothing was in flight.
      const clean = code === 0 || (code === null && signal === 'SIGTERM');
      if (!clean) exitCode = exitCode || 1;
      if (living().length === 0) process.exit(exitCode);
      return;
    }
    if (code === EXIT_CONFIG_ERROR) {
      logger.fatal({ worker: worker.id }, 'worker refused to start (configuration); stopping');
      stop('configuration', EXIT_CONFIG_ERROR);
      return;
    }
    consecutiveCrashes = lived >= RESTART_BACKOFF.stableAfterMs ? 1 : consecutiveCrashes + 1;
    const delayMs = restartDelayMs(consecutiveCrashes);
    logger.error({ worker: worker.id, code, signal, livedMs: lived, restartInMs: delayMs }, 'worker died; restarting');
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopping) fork();
    }, delayMs);
    restarts.add(timer);
  });

  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
  logger.info({ workers, sharedState: settings.redisUrl === undefined ? 'primary' : 'redis' }, 'cluster primary forking workers');
  for (let i = 0; i < workers; i += 1) fork();
}
