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

/**
 * A FIFO of timers added under one lane key, due times non-decreasing from head to tail, linked through
 * the timers. The heap holds the lane as one entry keyed by its head.
 */
class Lane implements HeapEntry {
  heapIndex = -1;
  expiresAt = 0;
  seq = 0;
  head: Entry | undefined;
  tail: Entry | undefined;

  constructor(readonly key: number) {}
}

class Entry implements HeapTimer, HeapEntry {
  /** Position in the heap array when the timer is in the heap by itself; -1 otherwise. */
  heapIndex = -1;
  /** The lane holding the timer, while it is pending in one. */
  lane: Lane | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;

  constructor(
    readonly seq: number,
    readonly expiresAt: number,
    readonly fn: () => void,
    readonly owner: TimerHeap,
  ) {}

  get id(): number {
    return this.seq;
  }

  get at(): number {
    return this.expiresAt;
  }
}

/**
 * Pending timers, earliest first by (due time, id). Timers added with a lane key (e.g. their delay: the
 * same delay from a monotonic now gives non-decreasing due times) go to the tail of that key's FIFO lane,
 * which the heap orders by its head: adding and removing them take O(1) besides an O(log lanes) re-key
 * when a lane's head changes. Other timers, and a laned one due before its lane's tail, sit in the binary
 * min-heap ({@link ExpiryHeap}) by themselves, O(log n). A process holding a timer per transaction (a
 * handful of distinct delays: RFC 3261 Timers E, F, K …), per publication and per subscription runs them
 * all from one host timer ({@link SystemClock}), for one small object each.
 */
export class TimerHeap {
  private readonly heap = new ExpiryHeap<Entry | Lane>();
  private readonly lanes = new Map<number, Lane>();
  private nextId = 1;
  private count = 0;

  /** Timers pending. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds a timer due at `at` running `fn`. `lane`: timers sharing it are expected to come due in the
   * order they are added (any key works; one that does not is only slower).
   */
  add(at: number, fn: () => void, lane?: number): HeapTimer {
    const e = new Entry(this.nextId++, at, fn, this);
    this.count++;
    if (lane === undefined) {
      this.heap.insert(e);
      return e;
    }
    let l = this.lanes.get(lane);
    if (!l) {
      l = new Lane(lane);
      this.lanes.set(lane, l);
    }
    const tail = l.tail;
    if (!tail) {
      l.head = l.tail = e;
      l.expiresAt = at;
      l.seq = e.seq;
      this.heap.insert(l);
    } else if (at >= tail.expiresAt) {
      tail.next = e;
      e.prev = tail;
      l.tail = e;
    } else {
      this.heap.insert(e);
      return e;
    }
    e.lane = l;
    return e;
  }

  /** The earliest pending timer, if any. */
  peek(): HeapTimer | undefined {
    const top = this.heap.peek();
    return top instanceof Lane ? top.head : top;
  }

  /** Removes and returns the earliest timer if it is due at or before `now`. */
  takeDue(now: number): HeapTimer | undefined {
    const top = this.heap.peek();
    if (!top || top.expiresAt > now) return undefined;
    const e = top instanceof Lane ? top.head! : top;
    this.remove(e);
    return e;
  }

  /**
   * Removes `timer` if it is still pending in this heap; returns whether it was. A timer that already
   * ran, was removed, or belongs to another heap is left alone.
   */
  remove(timer: HeapTimer): boolean {
    if (!(timer instanceof Entry) || timer.owner !== this) return false;
    const l = timer.lane;
    if (l) this.unlink(l, timer);
    else if (!this.heap.remove(timer)) return false;
    this.count--;
    return true;
  }

  /** Removes every timer. */
  clear(): void {
    for (const l of this.lanes.values()) {
      for (let e = l.head; e; e = e.next) e.lane = undefined;
    }
    this.lanes.clear();
    this.heap.clear();
    this.count = 0;
  }

  private unlink(l: Lane, e: Entry): void {
    const { prev, next } = e;
    e.lane = e.prev = e.next = undefined;
    if (next) next.prev = prev;
    else l.tail = prev;
    if (prev) {
      prev.next = next;
      return;
    }
    // The head changed: the lane moves in the heap, or leaves it (and the map) once empty.
    l.head = next;
    if (!next) {
      this.heap.remove(l);
      this.lanes.delete(l.key);
      return;
    }
    l.expiresAt = next.expiresAt;
    l.seq = next.seq;
    this.heap.update(l);
  }
}
