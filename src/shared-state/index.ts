/**
 * Which shared state this process uses: Redis when REDIS_URL is set (several instances); in a cluster worker, the
 * primary's (src/shared-state/cluster.ts); else this process's memory.
 */
import cluster from 'node:cluster';
import { ClusterWorkerState } from './cluster.js';
import { MemoryState } from './memory.js';
import { RedisState } from './redis.js';
import type { SharedState } from './types.js';

export { ClusterWorkerState, serveSharedState } from './cluster.js';
export { MemoryState } from './memory.js';
export { RedisState, REDIS_KEY_PREFIX } from './redis.js';
export { decisionStore, SharedStateUnavailable, type CounterHit, type SharedState, type SharedStateKind } from './types.js';

export async function openSharedState(options: { redisUrl?: string; onRedisError?: (err: Error) => void }): Promise<SharedState> {
  if (options.redisUrl !== undefined) {
    return RedisState.connect({ url: options.redisUrl, ...(options.onRedisError && { onError: options.onRedisError }) });
  }
  if (cluster.isWorker) return new ClusterWorkerState();
  return new MemoryState();
}

/** REDIS_URL as shown in logs and /health: without its password. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return 'redis (unparseable URL)';
  }
}
