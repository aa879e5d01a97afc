import type { Clock, TimerHandle } from '../../util/clock.js';

/**
 * RFC 3261 §17 timer base values (Appendix A, Table 4), in milliseconds. Every transaction timer is
 * derived from these: E and G start at T1 and double up to T2; F, H and J are 64*T1; I and K are T4.
 */
export interface TimerValues {
  /** RTT estimate, default 500 ms. */
  readonly t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4000 ms. */
  readonly t2: number;
  /** Maximum time a message remains in the network, default 5000 ms. */
  readonly t4: number;
}

/** The RFC 3261 Appendix A defaults: T1 = 500 ms, T2 = 4 s, T4 = 5 s. */
export const DEFAULT_TIMER_VALUES: TimerValues = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/**
 * Names of the transaction timers: RFC 3261 letters, plus `timerTrying`, the 200 ms wait after which an
 * INVITE server transaction sends 100 Trying itself (§17.2.1).
 */
export type TimerName = 'timerE' | 'timerF' | 'timerG' | 'timerH' | 'timerI' | 'timerJ' | 'timerK' | 'timerTrying';

/**
 * The running timers of one transaction, by name, all scheduled on one {@link Clock}. Starting a timer
 * that is already running restarts it. The handles sit in one small object rather than a Map: a
 * completed transaction waiting for Timer J or K is held by the thousand under load.
 */
export class TimerSet {
  /** Handle of each timer that is running; undefined once it ran or was stopped. */
  private readonly running: { [N in TimerName]?: TimerHandle } = {};

  constructor(private readonly clock: Clock) {}

  /**
   * Runs `fn` after `ms` milliseconds under `name`, replacing a timer of that name. Make `fn` where it
   * captures nothing but its transaction: its context lives as long as the timer.
   */
  start(name: TimerName, ms: number, fn: () => void): void {
    this.stop(name);
    this.running[name] = this.clock.setTimeout(() => {
      this.running[name] = undefined;
      fn();
    }, ms);
  }

  /** Cancels the timer `name` if it is running. */
  stop(name: TimerName): void {
    const handle = this.running[name];
    if (handle) {
      this.clock.clearTimeout(handle);
      this.running[name] = undefined;
    }
  }

  /** Cancels every running timer. */
  stopAll(): void {
    for (const name of Object.keys(this.running) as TimerName[]) this.stop(name);
  }

  /** Names of the timers currently running, in the order each name was first started. */
  names(): TimerName[] {
    return (Object.keys(this.running) as TimerName[]).filter((name) => this.running[name] !== undefined);
  }
}
