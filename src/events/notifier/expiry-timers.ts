import type { Clock, TimerHandle } from '../../util/clock.js';

/** The longest delay one Clock timer may have (Node's setTimeout limit, 2^31-1 ms); longer ones re-arm. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * The expiry timers of running subscriptions (RFC 6665 §4.2.1.4: a subscription not refreshed in time
 * is ended): one timer per subscription, set again on every refresh. Far-off times are reached in
 * steps of at most 2^31-1 ms.
 */
export class ExpiryTimers {
  private readonly timers = new Map<string, TimerHandle>();

  /** @param onDue called once when subscription `id` reaches the time last {@link set} for it. */
  constructor(
    private readonly clock: Clock,
    private readonly onDue: (id: string) => void,
  ) {}

  /** (Re)sets the timer of `id` to fire at `expiresAt` (ms since the epoch; a past time fires at once). */
  set(id: string, expiresAt: number): void {
    this.cancel(id);
    const delay = Math.min(Math.max(0, expiresAt - this.clock.now()), MAX_TIMER_MS);
    this.timers.set(id, this.clock.setTimeout(() => {
      this.timers.delete(id);
      if (expiresAt > this.clock.now()) this.set(id, expiresAt);
      else this.onDue(id);
    }, delay));
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
}
