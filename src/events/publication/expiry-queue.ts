import type { Clock, TimerHandle } from '../../util/clock.js';

/** Longest delay one clock timer is set for (Node timers overflow above 2^31-1 ms); a later time re-arms. */
const MAX_TIMER_MS = 0x7fffffff;

interface Entry<V> {
  readonly key: string;
  readonly value: V;
  /** When it is due, ms since the epoch. */
  readonly at: number;
  /** Order of {@link ExpiryQueue.set} calls: of two entries due at the same time, the earlier set runs first. */
  readonly seq: number;
  /** Its position in the heap. */
  index: number;
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
  private readonly heap: Array<Entry<V>> = [];
  private timer: TimerHandle | undefined;
  /** The due time the timer is armed for (Infinity: none). */
  private timerAt = Number.POSITIVE_INFINITY;
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

  /** Sets when `key` is due (`at`, ms since the epoch), replacing the time and value it had. */
  set(key: string, value: V, at: number): void {
    this.remove(key);
    const entry: Entry<V> = { key, value, at, seq: this.seq++, index: this.heap.length };
    this.entries.set(key, entry);
    this.heap.push(entry);
    this.up(entry.index);
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
    this.heap.length = 0;
    this.arm();
  }

  private remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    const last = this.heap.pop()!;
    if (last !== entry) {
      this.heap[entry.index] = last;
      last.index = entry.index;
      this.down(last.index);
      this.up(last.index);
    }
    return true;
  }

  /** Keeps the timer armed for the earliest due time, or stops it when nothing waits. */
  private arm(): void {
    const first = this.heap[0];
    const at = first ? first.at : Number.POSITIVE_INFINITY;
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
      for (let first = this.heap[0]; first && first.at <= this.clock.now(); first = this.heap[0]) {
        this.remove(first.key);
        this.onDue(first.key, first.value);
      }
    } finally {
      this.arm();
    }
  }

  private before(a: Entry<V>, b: Entry<V>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const { heap } = this;
    const entry = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      heap[i]!.index = i;
      i = parent;
    }
    heap[i] = entry;
    entry.index = i;
  }

  private down(i: number): void {
    const { heap } = this;
    const entry = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && this.before(heap[child + 1]!, heap[child]!)) child++;
      if (!this.before(heap[child]!, entry)) break;
      heap[i] = heap[child]!;
      heap[i]!.index = i;
      i = child;
    }
    heap[i] = entry;
    entry.index = i;
  }
}
