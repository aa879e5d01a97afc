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
  readonly key: string;
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
  /** The line it waits in for a free place in the window, if any. */
  line: WaitingLine<J> | undefined;
  /** Which of its entries in that line is the current one (older entries are skipped). */
  ticket: number;
}

/**
 * A first-in first-out line of keys waiting for the window. An entry stays in the array when its key
 * leaves the line (it is skipped once its ticket no longer matches), so joining and leaving cost O(1).
 */
class WaitingLine<J> {
  private slots: Array<Slot<J> | undefined> = [];
  private tickets: number[] = [];
  private head = 0;
  /** Keys waiting in this line now. */
  size = 0;

  add(s: Slot<J>): void {
    s.line?.leave(s);
    s.line = this;
    s.ticket++;
    this.size++;
    this.slots.push(s);
    this.tickets.push(s.ticket);
  }

  /** `s`, waiting here, leaves the line (its entry is skipped later). */
  leave(s: Slot<J>): void {
    s.line = undefined;
    this.size--;
  }

  /** The first key still waiting here, taken out of the line; undefined when none waits. */
  take(): Slot<J> | undefined {
    while (this.head < this.slots.length) {
      const s = this.slots[this.head]!;
      const ticket = this.tickets[this.head]!;
      this.slots[this.head] = undefined;
      this.head++;
      if (s.line === this && s.ticket === ticket) {
        this.leave(s);
        this.compact();
        return s;
      }
    }
    this.clear();
    return undefined;
  }

  /** Drops the entries already taken once they are most of the arrays (memory stays bounded by the line). */
  private compact(): void {
    if (this.head < 1024 || this.head * 2 < this.slots.length) return;
    this.slots = this.slots.slice(this.head);
    this.tickets = this.tickets.slice(this.head);
    this.head = 0;
  }

  clear(): void {
    this.slots = [];
    this.tickets = [];
    this.head = 0;
    this.size = 0;
  }
}

/** Default most NOTIFY transactions in progress at once, over all keys. */
export const DEFAULT_MAX_IN_FLIGHT = 256;

/**
 * The NOTIFYs of each subscription, in order and one at a time (RFC 6665 §4.2.2): the next one is handed
 * to `deliver` only once the transaction of the previous one has ended (`deliver`'s promise settled).
 * While one is in progress, queued states coalesce: only the newest waits, since each NOTIFY carries the
 * whole current state (RFC 6665 §5.3.1); a {@link NotifyPacer} may hold the next one back (rate control),
 * and what waits meanwhile coalesces the same way. Keys are subscription ids.
 *
 * Over all keys, at most `maxInFlight` deliveries are in progress (a window): a fan-out to many watchers
 * flows at the pace their answers come back instead of leaving in one burst that overflows the receiving
 * socket and then retransmits (RFC 3261 §17.1.2.2: Timer E fires for every NOTIFY not answered within
 * T1). Once the window is full, it is filled again when half of it has ended, so NOTIFYs leave in
 * batches of half a window rather than one per answer (each wake-up of sender and receiver then carries
 * many datagrams). Keys waiting for the window are served in the order they started waiting, those with
 * an urgent or final NOTIFY first, and while any waits, newly queued NOTIFYs line up behind them; what
 * waits coalesces like any other waiting NOTIFY, so the newest state goes.
 */
export class NotifyQueue<J extends QueuedNotify> {
  private readonly slots = new Map<string, Slot<J>>();
  /** Keys waiting for the window with an urgent or final NOTIFY, in the order they started waiting. */
  private readonly urgentLine = new WaitingLine<J>();
  /** Other keys waiting for the window, in the order they started waiting. */
  private readonly line = new WaitingLine<J>();
  private inFlight = 0;
  /** The window is filled again once no more than this many deliveries are in progress. */
  private readonly refillAt: number;
  private closed = false;

  /**
   * @param deliver sends one NOTIFY; its promise settles when the transaction has ended.
   * @param pacer rate control: holds a NOTIFY back until it may go (none: each goes at once).
   * @param maxInFlight most deliveries in progress at once over all keys (a positive integer, or
   *   Infinity for no window); default {@link DEFAULT_MAX_IN_FLIGHT}.
   * @throws RangeError when maxInFlight is neither a positive integer nor Infinity.
   */
  constructor(
    private readonly deliver: (key: string, job: J) => Promise<void>,
    private readonly pacer?: NotifyPacer<J>,
    private readonly maxInFlight = DEFAULT_MAX_IN_FLIGHT,
  ) {
    if (maxInFlight !== Infinity && (!Number.isInteger(maxInFlight) || maxInFlight < 1)) {
      throw new RangeError('maxInFlight must be a positive integer or Infinity');
    }
    this.refillAt = Math.floor(maxInFlight / 2);
  }

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
    this.leaveLine(s);
    this.pacer?.forget(key);
    if (!s.busy) this.slots.delete(key);
  }

  /** Keys with a NOTIFY in progress or waiting (for tests and metrics). */
  get size(): number {
    return this.slots.size;
  }

  /** Deliveries in progress now (at most `maxInFlight`; for tests and metrics). */
  get active(): number {
    return this.inFlight;
  }

  /** Discards everything waiting; NOTIFYs in progress are not awaited. Later pushes are refused. */
  close(): void {
    this.closed = true;
    this.slots.clear();
    this.urgentLine.clear();
    this.line.clear();
    this.pacer?.close();
  }

  private slot(key: string): Slot<J> {
    let s = this.slots.get(key);
    if (!s) {
      s = { key, busy: false, held: false, next: undefined, urgent: false, sealed: false, line: undefined, ticket: 0 };
      this.slots.set(key, s);
    }
    return s;
  }

  /** Hands the NOTIFY waiting for `key` over, when nothing holds it back. `inTurn`: its turn in line came. */
  private pump(key: string, s: Slot<J>, inTurn = false): void {
    if (this.closed || s.busy || s.held) return;
    const job = s.next;
    if (!job) {
      this.leaveLine(s);
      if (this.slots.get(key) === s) this.slots.delete(key);
      return;
    }
    if (!inTurn && (this.inFlight >= this.maxInFlight || this.urgentLine.size + this.line.size > 0)) return this.wait(s, job);
    if (this.pacer && !this.pacer.admit(key, job, s.urgent, () => this.pump(key, s))) return;
    s.next = undefined;
    s.urgent = false;
    s.busy = true;
    this.inFlight++;
    const done = (): void => {
      s.busy = false;
      this.inFlight--;
      if (this.inFlight <= this.refillAt) this.fill();
      // This key's next NOTIFY lines up behind the keys waiting, if any.
      this.pump(key, s);
    };
    this.deliver(key, job).then(done, done);
  }

  /** Puts `s` in line for the window (the urgent line when its NOTIFY is urgent or final). */
  private wait(s: Slot<J>, job: J): void {
    const line = s.urgent || job.final ? this.urgentLine : this.line;
    if (s.line !== line && s.line !== this.urgentLine) line.add(s);
  }

  private leaveLine(s: Slot<J>): void {
    s.line?.leave(s);
  }

  /** Starts the NOTIFYs of keys waiting in line, in turn, while the window has room. */
  private fill(): void {
    while (this.inFlight < this.maxInFlight && !this.closed) {
      const s = this.urgentLine.take() ?? this.line.take();
      if (!s) return;
      this.pump(s.key, s, true);
    }
  }
}
