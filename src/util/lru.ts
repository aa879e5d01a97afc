/**
 * A least-recently-used map with a fixed capacity: reading or writing an entry makes it the newest; adding
 * one beyond `capacity` drops the oldest. Used for caches whose working set must stay bounded.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  /** @param capacity most entries kept, a positive integer. */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  /** Whether `key` is cached, without making it the most recently used. */
  has(key: K): boolean {
    return this.map.has(key);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }
}
