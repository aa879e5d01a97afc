/** A NOTIFY waiting to be sent; `final` ones (Subscription-State terminated) close the queue of their key. */
export interface QueuedNotify {
  readonly final: boolean;
  /**
   * Exempt from rate control (RFC 6446 §5.2: the NOTIFY answering a SUBSCRIBE, or the change from
   * pending to active). It stays exempt when a newer state replaces it before it goes out.
   */
  readonly urgent?: boolean;
}

/**
 * Decides when the next NOTIFY of a key may go (rate control, e.g. {@link NotifyThrottle}).
 * Final NOTIFYs must always be admitted.
 */
export interface NotifyPacer<J extends QueuedNotify> {
  /**
   * Whether `job` may be handed over now (it then counts as sent). If not, the pacer calls `wake` once
   * (when it may), and the queue asks again with the newest job waiting by then.
   * @param urgent `job`, or a job it replaced, is exempt from rate control
   */
  admit(key: string, job: J, urgent: boolean, wake: () => void): boolean;
  /** `key` sends nothing more (dropped): forget it and its timers. */
  forget(key: string): void;
  /** Stops every timer. */
  close(): void;
}

interface Slot<J> {
  /** A NOTIFY transaction of this key is in progress. */
  busy: boolean;
  /** Sending waits (the 2xx to the SUBSCRIBE has not been handed to the transaction yet). */
  held: boolean;
  /** The one NOTIFY waiting: newer states replace older ones. */
  next: J | undefined;
  /** A job pushed since the last delivery was urgent ({@link QueuedNotify.urgent}). */
  urgent: boolean;
  /** A final NOTIFY was queued (or the queue dropped): nothing more is accepted. */
  sealed: boolean;
}

/**
 * The NOTIFYs of each subscription, in order and one at a time (RFC 6665 §4.2.2): the next one is handed
 * to `deliver` only once the transaction of the previous one has ended (`deliver`'s promise settled).
 * While one is in progress, queued states coalesce: only the newest waits, since each NOTIFY carries the
 * whole current state (RFC 6665 §5.3.1); a {@link NotifyPacer} may hold the next one back (rate control),
 * and what waits meanwhile coalesces the same way. Keys are subscription ids.
 */
export class NotifyQueue<J extends QueuedNotify> {
  private readonly slots = new Map<string, Slot<J>>();
  private closed = false;

  /**
   * @param deliver sends one NOTIFY; its promise settles when the transaction has ended.
   * @param pacer rate control: holds a NOTIFY back until it may go (none: each goes at once).
   */
  constructor(
    private readonly deliver: (key: string, job: J) => Promise<void>,
    private readonly pacer?: NotifyPacer<J>,
  ) {}

  /** Holds the NOTIFYs of `key` until {@link release} (queued ones wait, coalescing). */
  hold(key: string): void {
    this.slot(key).held = true;
  }

  /** Lets the NOTIFYs of `key` go. */
  release(key: string): void {
    const s = this.slots.get(key);
    if (!s) return;
    s.held = false;
    this.pump(key, s);
  }

  /**
   * Queues `job` for `key`, replacing a NOTIFY still waiting there. Returns false, queuing nothing, after
   * a final NOTIFY was queued or the key was dropped, or once closed.
   */
  push(key: string, job: J): boolean {
    if (this.closed) return false;
    const s = this.slot(key);
    if (s.sealed) return false;
    s.next = job;
    if (job.urgent) s.urgent = true;
    if (job.final) s.sealed = true;
    this.pump(key, s);
    return true;
  }

  /** Replaces the NOTIFY waiting for `key`, if any, by `fn(job)` (e.g. with rates changed meanwhile). */
  update(key: string, fn: (job: J) => J): void {
    const s = this.slots.get(key);
    if (s?.next) s.next = fn(s.next);
  }

  /** Discards what waits for `key` and refuses more (the subscription ended without a final NOTIFY). */
  drop(key: string): void {
    const s = this.slots.get(key);
    if (!s) return;
    s.next = undefined;
    s.sealed = true;
    this.pacer?.forget(key);
    if (!s.busy) this.slots.delete(key);
  }

  /** Keys with a NOTIFY in progress or waiting (for tests and metrics). */
  get size(): number {
    return this.slots.size;
  }

  /** Discards everything waiting; NOTIFYs in progress are not awaited. Later pushes are refused. */
  close(): void {
    this.closed = true;
    this.slots.clear();
    this.pacer?.close();
  }

  private slot(key: string): Slot<J> {
    let s = this.slots.get(key);
    if (!s) {
      s = { busy: false, held: false, next: undefined, urgent: false, sealed: false };
      this.slots.set(key, s);
    }
    return s;
  }

  private pump(key: string, s: Slot<J>): void {
    if (this.closed || s.busy || s.held) return;
    const job = s.next;
    if (!job) {
      if (this.slots.get(key) === s) this.slots.delete(key);
      return;
    }
    if (this.pacer && !this.pacer.admit(key, job, s.urgent, () => this.pump(key, s))) return;
    s.next = undefined;
    s.urgent = false;
    s.busy = true;
    const done = (): void => {
      s.busy = false;
      this.pump(key, s);
    };
    this.deliver(key, job).then(done, done);
  }
}
