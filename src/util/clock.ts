import { TimerHeap } from './timer-heap.js';
import type { HeapTimer } from './timer-heap.js';

/**
 * Injectable time source and timers. Every protocol timer in presenced (RFC 3261 Timers E, F, J, K,
 * subscription and publication expiry) is scheduled through a {@link Clock}, so tests can drive time
 * with {@link FakeClock} instead of waiting.
 */

/** Handle of a scheduled timer; pass it to {@link Clock.clearTimeout}. */
export interface TimerHandle {
  readonly id: number;
}

/** A source of time and one-shot timers. All durations are in milliseconds. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; cancelling a timer that already ran or was cancelled does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

/** Longest delay one Node timer takes (2^31-1 ms); a later deadline is reached in steps. */
const MAX_HOST_DELAY_MS = 0x7fffffff;

/**
 * The real clock: `Date.now()`, and timers on the monotonic clock (`performance.now()`, so a change of
 * the wall clock moves no deadline). Every timer lives in one {@link TimerHeap} behind a single unref'd
 * Node timer armed for the earliest deadline, so timers never keep the process alive, and a pending
 * timer costs about 60 bytes instead of a Node Timeout object, a closure and a map entry (some 350).
 *
 * As with Node's timers, a delay under 1 ms waits 1 ms, timers run in the order of their deadlines
 * (then in the order they were set), and an exception thrown by one reaches `uncaughtException`; the
 * timers due after it still run, 1 ms later.
 */
export class SystemClock implements Clock {
  private readonly heap = new TimerHeap();
  private host: NodeJS.Timeout | undefined;
  /** The deadline the host timer is armed for (monotonic ms); Infinity when it is not armed. */
  private hostAt = Infinity;

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // A negative or NaN delay is no delay.
    const delay = ms > 0 ? ms : 0;
    // The delay is the lane: the same delay from a monotonic now comes due in the order of adding.
    const t = this.heap.add(performance.now() + delay, fn, delay);
    if (t.at < this.hostAt) this.arm(t.at);
    return t;
  }

  clearTimeout(handle: TimerHandle): void {
    // The host timer stays armed for a deadline that may now be gone: it then fires and re-arms for the
    // earliest timer left, which costs less than re-arming on every removal.
    this.heap.remove(handle as HeapTimer);
  }

  private arm(at: number): void {
    if (this.host) clearTimeout(this.host);
    this.hostAt = at;
    const delay = Math.min(Math.max(1, Math.ceil(at - performance.now())), MAX_HOST_DELAY_MS);
    this.host = setTimeout(() => this.fire(), delay);
    this.host.unref();
  }

  private fire(): void {
    this.host = undefined;
    this.hostAt = Infinity;
    const now = performance.now();
    try {
      for (let t = this.heap.takeDue(now); t; t = this.heap.takeDue(now)) t.fn();
    } finally {
      const next = this.heap.peek();
      if (next && next.at < this.hostAt) this.arm(next.at);
    }
  }
}

/** The process-wide real clock. */
export const systemClock: Clock = new SystemClock();

interface FakeTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A manual clock for tests: time moves only through {@link FakeClock.advance} / {@link FakeClock.runAll}.
 * Timers due at the same instant run in the order they were scheduled.
 */
export class FakeClock implements Clock {
  private current: number;
  private readonly timers = new Map<number, FakeTimer>();
  private nextId = 1;
  private seq = 0;

  /** @param start initial time in milliseconds since the epoch (default 1,700,000,000,000). */
  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Number of timers still scheduled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running every timer that falls due, in due order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > end) break;
      this.timers.delete(next.id);
      this.current = next.at;
      next.fn();
    }
    this.current = end;
  }

  /** Runs timers until none is left, or `limit` have run (guards against timers that re-arm forever). */
  runAll(limit = 10_000): void {
    for (let i = 0; i < limit; i++) {
      const next = this.earliest();
      if (!next) return;
      this.advance(next.at - this.current);
    }
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
