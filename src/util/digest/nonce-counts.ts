/**
 * Nonce-count replay protection (RFC 7616 §3.4 "nc": "if the same nc value is seen twice, then the
 * request is a replay"): the highest nc accepted per nonce (and user), in bounded memory.
 *
 * Entries sit in time buckets by their nonce's expiry, and a whole bucket is dropped once every nonce
 * in it has expired, so memory follows the live nonces. When the table is full of live entries, one
 * entry of the earliest-expiring bucket is evicted and every nonce issued no later than it is refused
 * from then on: its last count is lost, so a replay could no longer be told apart. A refused client is
 * sent a stale challenge and carries on with a new nonce. Independent of SIP message types.
 */

interface Entry {
  nc: number;
  issuedAt: number;
}

/** Bounds of a {@link NonceCounts} table. */
export interface NonceCountsOptions {
  /** Most entries kept at once (each some 150 bytes with its key). */
  maxEntries: number;
  /** Width of a time bucket in milliseconds; entries outlive their nonce by at most this much. */
  bucketMs: number;
}

/**
 * The highest nonce-count accepted per nonce key (RFC 7616 §3.4), in bounded memory: `advance` accepts
 * a count only when it is above the last one seen for that nonce.
 */
export class NonceCounts {
  private readonly maxEntries: number;
  private readonly bucketMs: number;
  /** Bucket index (expiry / bucketMs, floored) to the entries whose nonce expires in it. */
  private readonly buckets = new Map<number, Map<string, Entry>>();
  /** Bucket indexes in ascending order. */
  private readonly order: number[] = [];
  private count = 0;
  /** Issue time of the newest nonce whose entry was evicted while still live (ms); -1 before any. */
  private evictedUpTo = -1;

  /** @throws Error when maxEntries < 1 or bucketMs is not positive. */
  constructor(opts: NonceCountsOptions) {
    if (!(opts.maxEntries >= 1)) throw new Error('maxEntries must be at least 1');
    if (!(opts.bucketMs > 0)) throw new Error('bucketMs must be positive');
    this.maxEntries = opts.maxEntries;
    this.bucketMs = opts.bucketMs;
  }

  /** Entries currently held. */
  get size(): number {
    return this.count;
  }

  /**
   * Accepts `nc` for `key` (a nonce, with whatever else scopes it) when it is greater than every count
   * accepted before for that key, and remembers it. Returns false for a replay: a count not greater
   * than the last, a count below 1, or a first count for a nonce issued no later than an evicted entry.
   * @param issuedAt issue time of the nonce, ms since the epoch
   * @param expiresAt when the nonce expires, ms since the epoch; its entry is dropped within bucketMs after
   * @param now current time, ms since the epoch
   */
  advance(key: string, nc: number, issuedAt: number, expiresAt: number, now: number): boolean {
    this.dropExpired(now);
    const idx = Math.floor(expiresAt / this.bucketMs);
    const e = this.buckets.get(idx)?.get(key);
    if (e) {
      if (nc <= e.nc) return false;
      e.nc = nc;
      return true;
    }
    if (nc < 1 || issuedAt <= this.evictedUpTo) return false;
    if (this.count >= this.maxEntries) this.evictOne();
    let bucket = this.buckets.get(idx);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(idx, bucket);
      let at = this.order.length;
      while (at > 0 && this.order[at - 1]! > idx) at--;
      this.order.splice(at, 0, idx);
    }
    bucket.set(key, { nc, issuedAt });
    this.count++;
    return true;
  }

  /** Drops every bucket whose whole time span has passed. */
  private dropExpired(now: number): void {
    while (this.order.length && (this.order[0]! + 1) * this.bucketMs <= now) {
      const idx = this.order.shift()!;
      this.count -= this.buckets.get(idx)!.size;
      this.buckets.delete(idx);
    }
  }

  /** Evicts the oldest entry of the earliest-expiring bucket and raises the watermark. */
  private evictOne(): void {
    const idx = this.order[0]!;
    const bucket = this.buckets.get(idx)!;
    const [key, e] = bucket.entries().next().value!;
    bucket.delete(key);
    this.count--;
    this.evictedUpTo = Math.max(this.evictedUpTo, e.issuedAt);
    if (!bucket.size) {
      this.buckets.delete(idx);
      this.order.shift();
    }
  }
}
