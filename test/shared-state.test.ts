/**
 * The shared state's contract, the same for every implementation: the process's memory and a real redis-server.
 * (The cluster primary's state is the memory one behind IPC; test/cluster.test.ts drives it through real workers.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryState, RedisState, SharedStateUnavailable, decisionStore, type SharedState } from '../src/shared-state/index.js';
import { redisAvailable, startRedis, type RedisServer } from './support/redis-server.js';

const withRedis = redisAvailable('shared-state');
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function contract(name: string, open: () => Promise<SharedState>): void {
  describe(`${name}: the shared-state contract`, () => {
    let state: SharedState;
    beforeAll(async () => { state = await open(); });
    afterAll(async () => { await state.close(); });

    it('setIfAbsent claims a key once, until its time to live is over', async () => {
      const key = `claim-${Math.random()}`;
      expect(await state.setIfAbsent(key, '1', 1)).toBe(true);
      expect(await state.setIfAbsent(key, '1', 1)).toBe(false);
      expect(await state.setIfAbsent(key, '1', 1)).toBe(false);
      await pause(1100);
      expect(await state.setIfAbsent(key, '1', 1)).toBe(true);
    });

    it('set / get keep a value for its time to live; set replaces; delete removes', async () => {
      const key = `value-${Math.random()}`;
      expect(await state.get(key)).toBeUndefined();
      await state.set(key, '{"a":1}', 1);
      expect(await state.get(key)).toBe('{"a":1}');
      await state.set(key, '{"a":2}', 60);
      expect(await state.get(key)).toBe('{"a":2}');
      await state.delete(key);
      expect(await state.get(key)).toBeUndefined();
      await state.set(key, 'short', 1);
      await pause(1100);
      expect(await state.get(key)).toBeUndefined();
    });

    it('counts hits in a fixed window that starts at the first hit; decrement takes one back', async () => {
      const key = `rate-${Math.random()}`;
      const before = Date.now();
      const first = await state.increment(key, 60_000);
      expect(first.count).toBe(1);
      expect(first.resetAtMs).toBeGreaterThanOrEqual(before + 59_000);
      expect(first.resetAtMs).toBeLessThanOrEqual(Date.now() + 60_000 + 50);
      expect((await state.increment(key, 60_000)).count).toBe(2);
      await state.decrement(key);
      expect((await state.increment(key, 60_000)).count).toBe(2);
      const short = `rate-${Math.random()}`;
      await state.increment(short, 300);
      await state.increment(short, 300);
      await pause(400);
      expect((await state.increment(short, 300)).count).toBe(1);
      await state.decrement(`never-hit-${Math.random()}`); // no window: nothing happens, nothing is created
    });

    it('backs a decision store (values by id, with a time to live)', async () => {
      const store = decisionStore(state);
      await store.put('d-1', '{"decision":"covered"}', 60);
      expect(await store.get('d-1')).toBe('{"decision":"covered"}');
      expect(await store.get('d-2')).toBeUndefined();
    });
  });
}

contract('memory', () => Promise.resolve(new MemoryState({ sweepEveryMs: 0 })));

describe('memory: bounded', () => {
  it('refuses new claims when full of live ones (never forgets a live jti), and takes them again once some expire', async () => {
    let now = 0;
    const state = new MemoryState({ capacity: 2, now: () => now, sweepEveryMs: 0 });
    expect(await state.setIfAbsent('a', '1', 10)).toBe(true);
    expect(await state.setIfAbsent('b', '1', 20)).toBe(true);
    expect(await state.setIfAbsent('c', '1', 10)).toBe(false);
    expect(await state.setIfAbsent('a', '1', 10)).toBe(false);
    now = 11_000;
    expect(await state.setIfAbsent('c', '1', 10)).toBe(true);
    expect(await state.setIfAbsent('b', '1', 10)).toBe(false);
  });
});

describe.runIf(withRedis)('redis', () => {
  let server: RedisServer;
  beforeAll(async () => { server = await startRedis(); });
  afterAll(async () => { await server.stop(); });

  contract('redis', () => RedisState.connect({ url: server.url }));

  it('claims a jti with SET NX EX: the key carries the time to live in Redis itself', async () => {
    const state = await RedisState.connect({ url: server.url, keyPrefix: 'ttl-check:' });
    try {
      expect(await state.setIfAbsent('jti:x', '1', 120)).toBe(true);
      const raw = await RedisState.connect({ url: server.url, keyPrefix: '' });
      // read back through a client without prefix: the key is there with an expiry of about 120 s
      expect(await raw.get('ttl-check:jti:x')).toBe('1');
      await raw.close();
    } finally {
      await state.close();
    }
  });

  it('a start-up against an unreachable Redis fails, naming REDIS_URL', async () => {
    await expect(RedisState.connect({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toThrow(/REDIS_URL/);
  });

  it('fails fast with SharedStateUnavailable while Redis is down (no queued command hangs)', async () => {
    const own = await startRedis();
    const errors: string[] = [];
    const state = await RedisState.connect({ url: own.url, onError: (e) => errors.push(e.message) });
    try {
      await own.stop();
      await pause(200);
      const started = Date.now();
      await expect(state.setIfAbsent('k', '1', 10)).rejects.toBeInstanceOf(SharedStateUnavailable);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await state.close();
    }
  });
});

describe('cluster worker state when the primary does not answer', () => {
  it('fails with SharedStateUnavailable after its timeout instead of hanging, and a signed call then gets 503', async () => {
    const { EventEmitter } = await import('node:events');
    const { ClusterWorkerState } = await import('../src/shared-state/index.js');
    // an IPC channel whose other end never replies (a primary stuck or gone)
    const silent = Object.assign(new EventEmitter(), {
      connected: true,
      send: (_message: unknown, _handle: unknown, _options: unknown, callback?: (err: Error | null) => void) => { callback?.(null); return true; },
    });
    const state = new ClusterWorkerState({ timeoutMs: 100, channel: silent as unknown as NodeJS.Process });
    const started = Date.now();
    await expect(state.setIfAbsent('jti:x', '1', 60)).rejects.toBeInstanceOf(SharedStateUnavailable);
    expect(Date.now() - started).toBeLessThan(1000);

    const { jwtApp, localIssuer, signingKey, token, ISS } = await import('./security/support.js');
    const { SIGN, validRequest } = await import('./protocol/helpers.js');
    const { default: request } = await import('supertest');
    const key = await signingKey();
    const { app, pipeline } = jwtApp([localIssuer(ISS, key)], {}, { state });
    const res = await request(app).post(SIGN).set('Authorization', `Bearer ${await token({ key })}`).send(validRequest());
    expect(res.status).toBe(503);
    expect(pipeline.calls).toHaveLength(0);
    await state.close();
  });
});
