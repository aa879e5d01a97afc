import { ExpiryHeap } from './expiry-heap.js';
import type { HeapEntry } from './expiry-heap.js';

/** A timer held by a {@link TimerHeap}; it is also its handle. */
export interface HeapTimer {
  /** Unique within its heap; timers due at the same time run in id order (the order they were added). */
  readonly id: number;
  /** When it is due, in the heap's time unit (ms). */
  readonly at: number;
  readonly fn: () => void;
}

class Entry implements HeapTimer, HeapEntry {
  /** Position in the heap array, kept by {@link ExpiryHeap}; -1 once removed. */
  heapIndex = -1;

  constructor(
    readonly seq: number,
    public expiresAt: number,
    readonly fn: () => void,
  ) {}

  get id(): number {
    return this.seq;
  }

  get at(): number {
    return this.expiresAt;
  }
}

/**
 * Pending timers as one binary min-heap on (due time, id) ({@link ExpiryHeap}): adding and removing take
 * O(log n), the earliest is at hand. A timer costs one small object and one array slot, so a process
 * holding a timer per publication, per subscription and per transaction can run them all from one host
 * timer ({@link SystemClock}) instead of one Node Timeout object and closure each.
 */
export class TimerHeap {
  private readonly heap = new ExpiryHeap<Entry>();
  private nextId = 1;

  /** Timers pending. */
  get size(): number {
    return this.heap.size;
  }

  /** Adds a timer due at `at` running `fn`. */
  add(at: number, fn: () => void): HeapTimer {
    const e = new Entry(this.nextId++, at, fn);
    this.heap.insert(e);
    return e;
  }

  /** The earliest pending timer, if any. */
  peek(): HeapTimer | undefined {
    return this.heap.peek();
  }

  /** Removes and returns the earliest timer if it is due at or before `now`. */
  takeDue(now: number): HeapTimer | undefined {
    const top = this.heap.peek();
    if (!top || top.expiresAt > now) return undefined;
    this.heap.remove(top);
    return top;
  }

  /**
   * Removes `timer` if it is still pending in this heap; returns whether it was. A timer that already
   * ran, was removed, or belongs to another heap is left alone.
   */
  remove(timer: HeapTimer): boolean {
    return timer instanceof Entry && this.heap.remove(timer);
  }

  /** Removes every timer. */
  clear(): void {
    this.heap.clear();
  }
}
