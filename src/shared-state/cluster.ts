/**
 * Shared state for the workers of one machine with no extra service: the cluster primary holds a MemoryState and
 * answers its workers over the IPC channel node:cluster already opened. The primary outlives its workers, so a
 * worker that dies and is replaced does not take the replay cache, counters or card index with it.
 */
import type { Cluster, Worker } from 'node:cluster';
import type { MemoryState } from './memory.js';
import { SharedStateUnavailable, type CounterHit, type SharedState } from './types.js';

type Operation =
  | { op: 'setIfAbsent'; key: string; value: string; ttlSeconds: number }
  | { op: 'set'; key: string; value: string; ttlSeconds: number }
  | { op: 'get'; key: string }
  | { op: 'increment'; key: string; windowMs: number }
  | { op: 'decrement'; key: string }
  | { op: 'delete'; key: string };

type Result = boolean | string | CounterHit | null;

interface RequestMessage {
  sharedState: 'request';
  id: number;
  operation: Operation;
}

interface ReplyMessage {
  sharedState: 'reply';
  id: number;
  result: Result;
}

function isRequest(message: unknown): message is RequestMessage {
  return typeof message === 'object' && message !== null && (message as { sharedState?: unknown }).sharedState === 'request';
}

function isReply(message: unknown): message is ReplyMessage {
  return typeof message === 'object' && message !== null && (message as { sharedState?: unknown }).sharedState === 'reply';
}

function perform(state: MemoryState, operation: Operation): Result {
  switch (operation.op) {
    case 'setIfAbsent': return state.claim(operation.key, operation.value, operation.ttlSeconds);
    case 'set': state.store(operation.key, operation.value, operation.ttlSeconds); return null;
    case 'get': return state.read(operation.key) ?? null;
    case 'increment': return state.hit(operation.key, operation.windowMs);
    case 'decrement': state.unhit(operation.key); return null;
    case 'delete': void state.delete(operation.key); return null;
  }
}

/** In the primary: answer every worker's requests from `state`. */
export function serveSharedState(clusterModule: Cluster, state: MemoryState): void {
  clusterModule.on('message', (worker: Worker, message: unknown) => {
    if (!isRequest(message)) return;
    const reply: ReplyMessage = { sharedState: 'reply', id: message.id, result: perform(state, message.operation) };
    // A worker that died meanwhile cannot be answered; it no longer waits.
    if (worker.isConnected()) worker.send(reply);
  });
}

export interface ClusterWorkerStateOptions {
  /** ms to wait for the primary before the operation fails */
  timeoutMs?: number;
  /** the IPC channel: `process` in a worker; tests may give another */
  channel?: Pick<NodeJS.Process, 'send' | 'on' | 'off' | 'connected'>;
}

/** In a worker: the primary's state, one IPC round trip per operation. */
export class ClusterWorkerState implements SharedState {
  readonly kind = 'cluster';
  private nextId = 1;
  private readonly waiting = new Map<number, { done: (result: Result) => void; fail: (err: Error) => void; timer: NodeJS.Timeout }>();
  private readonly timeoutMs: number;
  private readonly channel: NonNullable<ClusterWorkerStateOptions['channel']>;
  private readonly onMessage = (message: unknown): void => {
    if (!isReply(message)) return;
    const waiter = this.waiting.get(message.id);
    if (waiter === undefined) return;
    this.waiting.delete(message.id);
    clearTimeout(waiter.timer);
    waiter.done(message.result);
  };

  constructor(options: ClusterWorkerStateOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.channel = options.channel ?? process;
    if (typeof this.channel.send !== 'function') throw new Error('ClusterWorkerState needs an IPC channel (run as a cluster worker)');
    this.channel.on('message', this.onMessage);
  }

  private ask(operation: Operation): Promise<Result> {
    return new Promise<Result>((done, fail) => {
      if (!this.channel.connected || this.channel.send === undefined) {
        fail(new SharedStateUnavailable('the cluster primary is not reachable'));
        return;
      }
      const id = this.nextId;
      this.nextId += 1;
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        fail(new SharedStateUnavailable(`the cluster primary did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting.set(id, { done, fail, timer });
      const request: RequestMessage = { sharedState: 'request', id, operation };
      this.channel.send(request, undefined, {}, (err: Error | null) => {
        if (err === null) return;
        clearTimeout(timer);
        this.waiting.delete(id);
        fail(new SharedStateUnavailable(`cannot reach the cluster primary: ${err.message}`));
      });
    });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return (await this.ask({ op: 'setIfAbsent', key, value, ttlSeconds })) === true;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.ask({ op: 'set', key, value, ttlSeconds });
  }

  async get(key: string): Promise<string | undefined> {
    const result = await this.ask({ op: 'get', key });
    return typeof result === 'string' ? result : undefined;
  }

  async increment(key: string, windowMs: number): Promise<CounterHit> {
    const result = await this.ask({ op: 'increment', key, windowMs });
    if (typeof result !== 'object' || result === null) throw new SharedStateUnavailable('the cluster primary gave no counter');
    return result;
  }

  async decrement(key: string): Promise<void> {
    await this.ask({ op: 'decrement', key });
  }

  async delete(key: string): Promise<void> {
    await this.ask({ op: 'delete', key });
  }

  close(): Promise<void> {
    this.channel.off('message', this.onMessage);
    for (const waiter of this.waiting.values()) {
      clearTimeout(waiter.timer);
      waiter.fail(new SharedStateUnavailable('shared state closed'));
    }
    this.waiting.clear();
    return Promise.resolve();
  }
}
