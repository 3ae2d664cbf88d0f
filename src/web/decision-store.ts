/**
 * Where a decision's clinician page is kept between the hook call and the click. EHRs open card links without
 * credentials, so the link carries an unguessable id (144 random bits) that expires; any worker or instance must
 * resolve it, so production backs this interface with the shared key-value store. The in-memory default serves
 * one process (and the tests).
 */
import { randomBytes } from 'node:crypto';

export interface DecisionStore { put(id: string, value: string, ttlSeconds: number): Promise<void>; get(id: string): Promise<string | undefined>; }

/** How long a decision page stays reachable after the signing. */
export const DECISION_TTL_SECONDS = 7 * 24 * 3600;

/** 24 base64url characters: unguessable, and safe in a URL path. */
export function newDecisionId(): string {
  return randomBytes(18).toString('base64url');
}

export const DECISION_ID = /^[A-Za-z0-9_-]{24}$/;

/** One process's decisions, oldest dropped first beyond `capacity`, each gone after its time to live. */
export class InMemoryDecisionStore implements DecisionStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  put(id: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(id);
    this.entries.set(id, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return Promise.resolve();
  }

  get(id: string): Promise<string | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(entry.value);
  }
}
