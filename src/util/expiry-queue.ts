import type { Clock, TimerHandle } from './clock.js';
import { ExpiryHeap } from './expiry-heap.js';
import type { HeapEntry } from './expiry-heap.js';

/** Longest delay one clock timer is set for (Node timers overflow above 2^31-1 ms); a later time re-arms. */
const MAX_TIMER_MS = 0x7fffffff;

interface Entry<V> extends HeapEntry {
  readonly key: string;
  readonly value: V;
}

/**
 * When each of many keys falls due, with one clock timer armed for the earliest: a binary min-heap by due
 * time (then by the order the keys were set), indexed by key, so that setting, replacing or deleting a
 * key is O(log n) and arms a timer only when the earliest due time changes. The alternative, one timer
 * per key, costs a Node Timeout, two closures and a handle for each (about 450 bytes kept per key) and a
 * timer set and cleared on every change.
 */
export class ExpiryQueue<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly heap = new ExpiryHeap<Entry<V>>();
  private timer: TimerHandle | undefined;
  /** The due time the timer is armed for (Infinity: none). */
  private timerAt = Number.POSITIVE_INFINITY;
  /** Order of {@link ExpiryQueue.set} calls: of two entries due at the same time, the earlier set runs first. */
  private seq = 0;

  /**
   * @param onDue called once for each key whose time has come, in due order, after it left the queue
   *   (so it may set the key again). It must not throw.
   */
  constructor(
    private readonly clock: Clock,
    private readonly onDue: (key: string, value: V) => void,
  ) {}

  /** Keys waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** Sets when `key` is due (`at`, ms since the epoch; a past time is due at once), replacing the time and value it had. */
  set(key: string, value: V, at: number): void {
    this.remove(key);
    const entry: Entry<V> = { key, value, expiresAt: at, seq: this.seq++, heapIndex: -1 };
    this.entries.set(key, entry);
    this.heap.insert(entry);
    this.arm();
  }

  /** Forgets `key`; returns whether it was waiting. */
  delete(key: string): boolean {
    const had = this.remove(key);
    if (had) this.arm();
    return had;
  }

  /** Forgets every key and stops the timer. */
  clear(): void {
    this.entries.clear();
    this.heap.clear();
    this.arm();
  }

  private remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.heap.remove(entry);
    return true;
  }

  /** Keeps the timer armed for the earliest due time, or stops it when nothing waits. */
  private arm(): void {
    const first = this.heap.peek();
    const at = first ? first.expiresAt : Number.POSITIVE_INFINITY;
    if (at === this.timerAt) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (!first) return;
    const ms = Math.min(Math.max(0, at - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.setTimeout(() => this.fire(), ms);
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    try {
      for (let first = this.heap.peek(); first && first.expiresAt <= this.clock.now(); first = this.heap.peek()) {
        this.remove(first.key);
        this.onDue(first.key, first.value);
      }
    } finally {
      this.arm();
    }
  }
}
