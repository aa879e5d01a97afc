import type { Clock, TimerHandle } from '../../util/clock.js';

/** The longest delay one Clock timer may have (Node's setTimeout limit, 2^31-1 ms); longer ones re-arm. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * The giveup timers of pending subscriptions (RFC 3857 §4.7.1: "set to a timeout value when entering
 * either the pending or waiting states"; when it fires the notifier ends the subscription with
 * reason=giveup, RFC 6665 §4.1.3). A subscription's timer runs from its creation, so refreshes of a
 * still-pending subscription do not prolong it; leaving the pending state cancels it.
 */
export class PendingTimers {
  private readonly timers = new Map<string, TimerHandle>();

  /**
   * @param timeoutMs how long a subscription may stay pending, ms; 0 means no timer.
   * @param onDue called once per subscription whose time is up (it may have been authorised meanwhile:
   *   the callee checks).
   */
  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly onDue: (id: string) => void,
  ) {}

  /**
   * Arms the timer of subscription `id` (created at `createdAt`, ms since the epoch) when `state` is
   * pending and it has none yet; cancels it for any other state.
   */
  track(id: string, createdAt: number, state: string): void {
    if (state !== 'pending') return this.cancel(id);
    if (this.timeoutMs <= 0 || this.timers.has(id)) return;
    this.arm(id, createdAt + this.timeoutMs);
  }

  /** Stops the timer of `id`, if any. */
  cancel(id: string): void {
    const t = this.timers.get(id);
    if (t === undefined) return;
    this.clock.clearTimeout(t);
    this.timers.delete(id);
  }

  /** Stops every timer. */
  clear(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private arm(id: string, dueAt: number): void {
    const delay = Math.min(Math.max(0, dueAt - this.clock.now()), MAX_TIMER_MS);
    this.timers.set(id, this.clock.setTimeout(() => {
      this.timers.delete(id);
      if (dueAt > this.clock.now()) this.arm(id, dueAt);
      else this.onDue(id);
    }, delay));
  }
}
