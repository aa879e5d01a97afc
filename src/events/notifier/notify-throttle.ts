import type { SubscriptionRecord } from '../../store/ports.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { NotifyPacer, QueuedNotify } from './notify-queue.js';
import { ratesOf } from './rate-control.js';
import type { RateControlPolicy } from './rate-control.js';

/** The longest delay one Clock timer may have (Node's setTimeout limit, 2^31-1 ms). */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * The rolling period of the adaptive minimum rate, in multiples of 1 / adaptive-min-rate (RFC 6446 §7.4:
 * it MUST be greater than 1 / adaptive-min-rate, RECOMMENDED several times larger).
 */
export const ADAPTIVE_PERIOD_FACTOR = 10;

/** Most send times kept per subscription for the adaptive count (a longer history only lengthens the timeout). */
const HISTORY_LIMIT = 256;

/** What the throttle needs of a queued NOTIFY: the subscription it belongs to (its agreed rates). */
export interface ThrottledNotify extends QueuedNotify {
  readonly record: Readonly<SubscriptionRecord>;
}

interface Pace {
  /** When the last NOTIFY was handed over, ms since the epoch. */
  lastSent: number | undefined;
  /** Wakes the queue when the held-back NOTIFY may go. */
  wake: TimerHandle | undefined;
  /** Fires the periodic NOTIFY of min-rate / adaptive-min-rate. */
  idle: TimerHandle | undefined;
  /** Send times within the adaptive period (RFC 6446 §7.2 step 1: starts with a virtual history). */
  history: number[];
  /** The adaptive-min-rate the history was started for. */
  historyRate: number | undefined;
}

function newPace(lastSent: number | undefined): Pace {
  return { lastSent, wake: undefined, idle: undefined, history: [], historyRate: undefined };
}

/**
 * RFC 6446 rate control of each subscription's NOTIFYs, the {@link NotifyPacer} of the notifier's queue:
 * - no NOTIFY less than 1 / max-rate, nor the local minimum interval per watcher, after the previous one
 *   (§5.2 MUST NOT), except the NOTIFY answering a SUBSCRIBE, the change from pending to active and the
 *   final NOTIFY (§5.2), which go at once. What is held back coalesces in the queue, so the newest state
 *   goes out when the interval ends (§5.5.2: a pending notification is replaced by the new one);
 * - a NOTIFY of the current state when none went out for 1 / min-rate (§6.2 MUST) or for the adaptive
 *   timeout of §7.4 (§7.2 MUST), requested from `onIdle`.
 * All times come from the injected Clock.
 */
export class NotifyThrottle<J extends ThrottledNotify> implements NotifyPacer<J> {
  private readonly paces = new Map<string, Pace>();

  /**
   * @param onIdle asks for a NOTIFY of the current state of subscription `key` (min-rate or
   *   adaptive-min-rate: nothing went out for too long); it goes through the queue like any other.
   */
  constructor(
    private readonly clock: Clock,
    readonly policy: RateControlPolicy,
    private readonly onIdle: (key: string) => void,
  ) {}

  admit(key: string, job: J, urgent: boolean, wake: () => void): boolean {
    const rates = ratesOf(job.record);
    // RFC 6446 §5.2: the notifier MUST NOT notify within 1/max-rate of the last NOTIFY, except upon a
    // SUBSCRIBE, from pending to active, or for the last notification; a local policy limits alike.
    const interval = Math.max(rates.maxRate ? 1000 / rates.maxRate : 0, this.policy.minIntervalPerWatcherMs);
    let pace = this.paces.get(key);
    if (!pace) {
      // A subscription with no interval and no periodic NOTIFY needs no state (most of them: it would
      // cost about 200 bytes each). Rates agreed later come with a SUBSCRIBE, whose NOTIFY is urgent and
      // starts the state.
      if (interval === 0 && !rates.minRate && !rates.adaptiveMinRate) return true;
      pace = newPace(undefined);
      this.paces.set(key, pace);
    }
    const now = this.clock.now();
    const dueAt = pace.lastSent === undefined ? now : pace.lastSent + interval;
    if (!job.final && !urgent && dueAt > now) {
      pace.wake ??= this.clock.setTimeout(() => {
        pace.wake = undefined;
        wake();
      }, Math.min(dueAt - now, MAX_TIMER_MS));
      return false;
    }
    this.sent(key, pace, job, now);
    return true;
  }

  /**
   * A NOTIFY of `key` was handed over at `at` (ms) without rate state, and rates were agreed after it (in
   * its 2xx, RFC 6446 §4.1): the next one is paced from it (§5.2). Does nothing when the state exists.
   */
  noteSent(key: string, at: number): void {
    if (!this.paces.has(key)) this.paces.set(key, newPace(at));
  }

  forget(key: string): void {
    const pace = this.paces.get(key);
    if (!pace) return;
    if (pace.wake) this.clock.clearTimeout(pace.wake);
    if (pace.idle) this.clock.clearTimeout(pace.idle);
    this.paces.delete(key);
  }

  close(): void {
    for (const key of [...this.paces.keys()]) this.forget(key);
  }

  /** Subscriptions with rate state (for tests and metrics). */
  get size(): number {
    return this.paces.size;
  }

  private sent(key: string, pace: Pace, job: J, now: number): void {
    if (job.final) return this.forget(key);
    pace.lastSent = now;
    if (pace.wake) this.clock.clearTimeout(pace.wake);
    pace.wake = undefined;
    if (pace.idle) this.clock.clearTimeout(pace.idle);
    pace.idle = undefined;
    const timeout = this.idleTimeout(pace, job.record, now);
    if (timeout !== undefined) pace.idle = this.clock.setTimeout(() => {
      pace.idle = undefined;
      if (this.paces.get(key) === pace) this.onIdle(key);
    }, Math.min(timeout, MAX_TIMER_MS));
  }

  /**
   * Counts the NOTIFY sent at `now` in the adaptive history (§7.2 step 4) and returns how long after
   * it the next one is due without a change, ms: 1 / min-rate
   * (§6.2), or the adaptive timeout of §7.4 equation (2), whichever comes first; undefined for neither.
   */
  private idleTimeout(pace: Pace, record: Readonly<SubscriptionRecord>, now: number): number | undefined {
    const rates = ratesOf(record);
    let timeout = rates.minRate ? 1000 / rates.minRate : Infinity;
    const amr = rates.adaptiveMinRate;
    if (amr) {
      const period = (ADAPTIVE_PERIOD_FACTOR / amr) * 1000;
      if (pace.historyRate !== amr) {
        // RFC 6446 §7.2 step 1: "count" starts as a history of period * adaptive-min-rate notifications
        // in the period (spread evenly over it, so they age out as real ones come).
        pace.historyRate = amr;
        pace.history = [];
        for (let k = ADAPTIVE_PERIOD_FACTOR; k >= 1; k--) pace.history.push(now - (k * 1000) / amr);
      }
      pace.history.push(now);
      while (pace.history.length && (pace.history[0]! <= now - period || pace.history.length > HISTORY_LIMIT)) pace.history.shift();
      // RFC 6446 §7.4 (1): timeout = count / (adaptive-min-rate^2 * period), seconds; (2): not below 1/max-rate.
      let adaptive = (pace.history.length / (amr * amr * (period / 1000))) * 1000;
      if (rates.maxRate) adaptive = Math.max(adaptive, 1000 / rates.maxRate);
      timeout = Math.min(timeout, Math.max(adaptive, this.policy.minIntervalPerWatcherMs));
    }
    return Number.isFinite(timeout) ? timeout : undefined;
  }
}
