/**
 * Remembers, for cards recently returned, what they were about (topic, policy, payer), so that feedback, which
 * names only the card's uuid, can be stored with that context. Kept in the service's shared state with a time to
 * live, so feedback that reaches another worker or instance than the signing did still finds its card; feedback on
 * a card older than the TTL (or lost to a full in-memory store) is stored without this metadata.
 */
import { MemoryState, type SharedState } from '../shared-state/index.js';
import type { CardMetadata } from '../cards/types.js';

export type { CardMetadata } from '../cards/types.js';

/** A day: feedback follows the card within minutes (accepted or overridden while the clinician signs). */
export const CARD_TTL_SECONDS = 24 * 60 * 60;

export interface CardIndexOptions {
  /** shared state the entries live in; default: this process's memory, holding `capacity` entries */
  state?: SharedState;
  ttlSeconds?: number;
}

export class CardIndex {
  private readonly state: SharedState;
  private readonly ttlSeconds: number;

  constructor(capacity = 10_000, options: CardIndexOptions = {}) {
    this.state = options.state ?? new MemoryState({ capacity });
    this.ttlSeconds = options.ttlSeconds ?? CARD_TTL_SECONDS;
  }

  remember(uuid: string, metadata: CardMetadata): Promise<void> {
    return this.state.set(`card:${uuid}`, JSON.stringify(metadata), this.ttlSeconds);
  }

  async lookup(uuid: string): Promise<CardMetadata | undefined> {
    const text = await this.state.get(`card:${uuid}`);
    if (text === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      return isCardMetadata(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
}

function isCardMetadata(value: unknown): value is CardMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['service', 'cardType', 'topic', 'policyId', 'policyVersion', 'payerId'].every(
    (k) => record[k] === undefined || typeof record[k] === 'string',
  );
}
