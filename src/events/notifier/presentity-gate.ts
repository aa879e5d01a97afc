import type { Clock, TimerHandle } from '../../util/clock.js';

interface Gate {
  /** The round waiting for the interval to end (the newest one asked for). */
  waiting: (() => Promise<void>) | undefined;
  timer: TimerHandle;
}

/**
 * The local policy's minimum interval between rounds of NOTIFYs about one presentity (TS 23.141 §5.1:
 * the Presence Server may rate-limit notifications by local policy; RFC 3856 §6.10: a PA SHOULD NOT
 * notify for one presentity more than once every five seconds). A round (rendering the presentity's
 * state for each of its watchers) runs at once when the interval since the last one has passed;
 * otherwise one round runs when it ends, whatever number of changes came meanwhile: it renders the
 * state of that moment, so the newest state is never lost. Keys are event package and resource.
 */
export class PresentityGate {
  private readonly gates = new Map<string, Gate>();

  /**
   * @param intervalMs the least time between two rounds of one key, ms; 0 runs every round at once.
   * @param onError told of a round that failed (it is not retried: the next change runs another).
   */
  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown, key: string) => void,
  ) {}

  /**
   * Runs `round` for `key` now, or once the interval since the last round has ended, replacing a round
   * already waiting. Resolves when it ran, or at once when it waits.
   */
  async run(key: string, round: () => Promise<void>): Promise<void> {
    if (this.intervalMs <= 0) return round();
    const gate = this.gates.get(key);
    if (gate) {
      gate.waiting = round;
      return;
    }
    this.open(key);
    await round();
  }

  /** Keys with a round waiting or run within the interval (for tests and metrics). */
  get size(): number {
    return this.gates.size;
  }

  /** Drops every waiting round and timer. */
  close(): void {
    for (const g of this.gates.values()) this.clock.clearTimeout(g.timer);
    this.gates.clear();
  }

  /** Starts the interval of `key` now; when it ends, the round waiting (if any) runs and a new one starts. */
  private open(key: string): void {
    const gate: Gate = {
      waiting: undefined,
      timer: this.clock.setTimeout(() => {
        this.gates.delete(key);
        const next = gate.waiting;
        if (!next) return;
        this.open(key);
        next().catch((err: unknown) => this.onError(err, key));
      }, this.intervalMs),
    };
    this.gates.set(key, gate);
  }
}
