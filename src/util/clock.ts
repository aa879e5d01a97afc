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

/** The real clock: `Date.now()` and Node's timers, unref'd so they never keep the process alive. */
export class SystemClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    t.unref();
    this.timers.set(id, t);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) {
      clearTimeout(t);
      this.timers.delete(handle.id);
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
