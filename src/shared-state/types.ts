/**
 * State that every process serving this service must see alike: `jti` claims (a token is accepted once, whichever
 * worker or instance it reaches), rate-limit counters (a caller's budget is one, not one per worker), and short-lived
 * values (the card index that feedback reads, decision pages). Values are strings (JSON when structured), every entry
 * has a time to live, so nothing grows without bound.
 *
 * Three implementations: MemoryState (one process), ClusterWorkerState (the workers of one machine, held by the
 * cluster primary over IPC, so it outlives a worker restart) and RedisState (several machines, REDIS_URL).
 */
import type { DecisionStore } from '../web/decision-store.js';
export interface CounterHit {
  /** hits in the current window, this one included */
  count: number;
  /** when the window ends (epoch ms) */
  resetAtMs: number;
}

export type SharedStateKind = 'memory' | 'cluster' | 'redis';

export interface SharedState {
  readonly kind: SharedStateKind;
  /** Stores `value` for `ttlSeconds` unless `key` is already live; true when this call stored it (a first claim). */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Stores `value` for `ttlSeconds`, replacing what was there. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** The live value, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** One more hit in a fixed window of `windowMs` that starts at the first hit. */
  increment(key: string, windowMs: number): Promise<CounterHit>;
  /** One hit fewer (a hit that should not have counted); nothing when the window is gone. */
  decrement(key: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}


/** A DecisionStore on shared state, its keys kept apart from the others'. */
export function decisionStore(state: SharedState, prefix = 'decision:'): DecisionStore {
  return {
    put: (id, value, ttlSeconds) => state.set(`${prefix}${id}`, value, ttlSeconds),
    get: (id) => state.get(`${prefix}${id}`),
  };
}

/** Raised when the shared state cannot be reached (Redis down, primary gone); callers decide to fail open or closed. */
export class SharedStateUnavailable extends Error {
  override name = 'SharedStateUnavailable';
}
