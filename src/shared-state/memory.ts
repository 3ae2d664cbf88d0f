/**
 * Shared state in one process's memory: the store of a single-process service and, in cluster mode, the store the
 * primary holds for its workers (src/shared-state/cluster.ts). Bounded: expired entries are swept every minute and
 * when a map is full. A full claim map refuses new claims rather than forget a live one (a forgotten `jti` could be
 * replayed); full value and counter maps drop their oldest entry (a lost card's feedback is stored without its
 * metadata; a lost counter starts again).
 */
import type { CounterHit, SharedState } from './types.js';

interface Entry {
  value: string;
  expiresAtMs: number;
}

interface Window {
  count: number;
  resetAtMs: number;
}

export interface MemoryStateOptions {
  /** entries per map (claims, values, counters) */
  capacity?: number;
  now?: () => number;
  /** ms between sweeps of expired entries; 0 = no timer */
  sweepEveryMs?: number;
}

export class MemoryState implements SharedState {
  readonly kind = 'memory';
  private readonly claims = new Map<string, Entry>();
  private readonly values = new Map<string, Entry>();
  private readonly counters = new Map<string, Window>();
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStateOptions = {}) {
    this.capacity = options.capacity ?? 200_000;
    this.now = options.now ?? Date.now;
    const every = options.sweepEveryMs ?? 60_000;
    this.timer = every > 0 ? setInterval(() => this.sweep(), every).unref() : undefined;
  }

  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return Promise.resolve(this.claim(key, value, ttlSeconds));
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.store(key, value, ttlSeconds);
    return Promise.resolve();
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.read(key));
  }

  increment(key: string, windowMs: number): Promise<CounterHit> {
    return Promise.resolve(this.hit(key, windowMs));
  }

  decrement(key: string): Promise<void> {
    this.unhit(key);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.claims.delete(key);
    this.values.delete(key);
    this.counters.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    return Promise.resolve();
  }

  /** The synchronous operations, for the cluster primary serving its workers. */
  claim(key: string, value: string, ttlSeconds: number): boolean {
    const now = this.now();
    const known = this.claims.get(key);
    if (known !== undefined && known.expiresAtMs > now) return false;
    if (this.claims.size >= this.capacity) sweepEntries(this.claims, now);
    if (this.claims.size >= this.capacity) return false;
    this.claims.set(key, { value, expiresAtMs: now + ttlSeconds * 1000 });
    return true;
  }

  store(key: string, value: string, ttlSeconds: number): void {
    // Re-inserted so the Map's insertion order is the order entries were last written.
    this.values.delete(key);
    this.values.set(key, { value, expiresAtMs: this.now() + ttlSeconds * 1000 });
    dropOldest(this.values, this.capacity);
  }

  read(key: string): string | undefined {
    const entry = this.values.get(key) ?? this.claims.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry.value;
  }

  hit(key: string, windowMs: number): CounterHit {
    const now = this.now();
    let window = this.counters.get(key);
    if (window === undefined || window.resetAtMs <= now) {
      window = { count: 0, resetAtMs: now + windowMs };
      this.counters.delete(key);
      this.counters.set(key, window);
      if (this.counters.size > this.capacity) sweepWindows(this.counters, now);
      dropOldest(this.counters, this.capacity);
    }
    window.count += 1;
    return { count: window.count, resetAtMs: window.resetAtMs };
  }

  unhit(key: string): void {
    const window = this.counters.get(key);
    if (window !== undefined && window.resetAtMs > this.now() && window.count > 0) window.count -= 1;
  }

  sweep(): void {
    const now = this.now();
    sweepEntries(this.claims, now);
    sweepEntries(this.values, now);
    sweepWindows(this.counters, now);
  }

  get size(): { claims: number; values: number; counters: number } {
    return { claims: this.claims.size, values: this.values.size, counters: this.counters.size };
  }
}

function sweepEntries(map: Map<string, Entry>, now: number): void {
  for (const [key, entry] of map) if (entry.expiresAtMs <= now) map.delete(key);
}

function sweepWindows(map: Map<string, Window>, now: number): void {
  for (const [key, window] of map) if (window.resetAtMs <= now) map.delete(key);
}

function dropOldest<V>(map: Map<string, V>, capacity: number): void {
  while (map.size > capacity) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}
