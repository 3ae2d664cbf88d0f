/**
 * A memo for values derived from strings that arrive in requests (system URLs, displays, phrases): the same few
 * recur on every chart, so each is worked out once, but the set is unbounded, so the memo starts over when full.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Stores and returns `value`; a full cache is emptied first (its values are cheap to work out again). */
  set(key: string, value: V): V {
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
