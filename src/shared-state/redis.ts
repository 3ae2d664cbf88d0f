/**
 * Shared state in Redis (or Valkey), for several instances behind a load balancer (REDIS_URL). Each operation is
 * one atomic command: a `jti` is claimed with `SET key value NX EX ttl` (the token's remaining life), values are
 * `SET … EX`, and a rate-limit window is a small Lua script (INCR, expiry on the first hit, PTTL) so a counter never
 * lives without its expiry. Commands fail fast while Redis is unreachable (no offline queue, 1 s timeout): the
 * caller decides whether to refuse (replay check) or let the call through (rate limit, card index).
 */
import { createClient } from 'redis';
import { SharedStateUnavailable, type CounterHit, type SharedState } from './types.js';

/** All keys of this service start with this, so one Redis may serve other things too. */
export const REDIS_KEY_PREFIX = 'oncology-pa-cds:';

const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

const DECREMENT = `
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
  redis.call('DECR', KEYS[1])
end
return 0`;

export interface RedisStateOptions {
  url: string;
  /** ms a command may take before it fails */
  commandTimeoutMs?: number;
  /** told when the connection fails or recovers (to be logged; never with the URL's password) */
  onError?: (err: Error) => void;
  keyPrefix?: string;
}

function makeClient(options: RedisStateOptions & { connectTimeoutMs?: number }, connected: () => boolean) {
  return createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // Once connected, reconnect forever, at most every 2 s (commands fail fast meanwhile); a first connection
      // that fails three times stops start-up instead.
      reconnectStrategy: (retries: number, cause: Error) => (!connected() && retries >= 2
        ? cause
        : Math.min(2000, 50 * 2 ** Math.min(retries, 6))),
    },
  });
}

type Client = ReturnType<typeof makeClient>;

export class RedisState implements SharedState {
  readonly kind = 'redis';
  private readonly prefix: string;
  private readonly timeoutMs: number;

  private constructor(private readonly client: Client, options: RedisStateOptions) {
    this.prefix = options.keyPrefix ?? REDIS_KEY_PREFIX;
    this.timeoutMs = options.commandTimeoutMs ?? 1000;
  }

  /** Connects (waiting at most `connectTimeoutMs`) and checks the server answers. */
  static async connect(options: RedisStateOptions & { connectTimeoutMs?: number }): Promise<RedisState> {
    let connected = false;
    const client = makeClient(options, () => connected);
    // node-redis emits 'error' on every failed (re)connection; without a listener the process would crash.
    client.on('error', (err: Error) => options.onError?.(err));
    try {
      await client.connect();
      await client.ping();
      connected = true;
    } catch (err) {
      client.destroy();
      throw new SharedStateUnavailable(`cannot connect to Redis (REDIS_URL): ${(err as Error).message}`);
    }
    return new RedisState(client, options);
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }

  private async run<T>(work: (client: Client) => Promise<T>): Promise<T> {
    try {
      return await work(this.client.withCommandOptions({ timeout: this.timeoutMs }));
    } catch (err) {
      throw new SharedStateUnavailable(`Redis: ${(err as Error).message}`);
    }
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const reply = await this.run((c) => c.set(this.key(key), value, {
      condition: 'NX', expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) },
    }));
    return reply === 'OK';
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.run((c) => c.set(this.key(key), value, { expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) } }));
  }

  async get(key: string): Promise<string | undefined> {
    const reply = await this.run((c) => c.get(this.key(key)));
    return typeof reply === 'string' ? reply : undefined;
  }

  async increment(key: string, windowMs: number): Promise<CounterHit> {
    const reply = await this.run((c) => c.eval(INCREMENT, { keys: [this.key(key)], arguments: [String(Math.max(1, Math.round(windowMs)))] }));
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
      throw new SharedStateUnavailable('Redis: unexpected answer to the counter script');
    }
    return { count: reply[0], resetAtMs: Date.now() + reply[1] };
  }

  async decrement(key: string): Promise<void> {
    await this.run((c) => c.eval(DECREMENT, { keys: [this.key(key)] }));
  }

  async delete(key: string): Promise<void> {
    await this.run((c) => c.del(this.key(key)));
  }

  async close(): Promise<void> {
    try {
      await this.client.close();
    } catch {
      this.client.destroy();
    }
  }
}
