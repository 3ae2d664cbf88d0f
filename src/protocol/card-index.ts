/**
 * Remembers, for cards recently returned, what they were about (topic, policy, payer), so that feedback,
 * which names only the card's uuid, can be stored with that context. Bounded: the oldest entries go first.
 * In memory only; feedback on a card issued before a restart is stored without this metadata.
 */
import type { CardMetadata } from '../cards/types.js';

export type { CardMetadata } from '../cards/types.js';

export class CardIndex {
  private readonly entries = new Map<string, CardMetadata>();

  constructor(readonly capacity = 10_000) {}

  remember(uuid: string, metadata: CardMetadata): void {
    // Re-insert so the Map's insertion order doubles as recency order.
    this.entries.delete(uuid);
    this.entries.set(uuid, metadata);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  lookup(uuid: string): CardMetadata | undefined {
    const found = this.entries.get(uuid);
    if (found) this.remember(uuid, found);
    return found;
  }

  get size(): number {
    return this.entries.size;
  }
}
