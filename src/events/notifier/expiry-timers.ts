import type { Clock, TimerHandle } from '../../util/clock.js';

/** The longest delay one Clock timer may have (Node's setTimeout limit, 2^31-1 ms); longer ones re-arm. */
const MAX_TIMER_MS = 0x7fffffff;

/** Stale entries the heap may hold beyond twice the live ones before it is rebuilt. */
const STALE_SLACK = 1024;

/**
 * A binary min-heap of (time, id) entries in parallel arrays (no object per entry), ordered by time, then
 * by insertion (entries due at the same instant come out in the order they went in).
 */
class TimeHeap {
  private times: number[] = [];
  private seqs: number[] = [];
  private ids: string[] = [];
  private seq = 0;

  get size(): number {
    return this.times.length;
  }

  /** The earliest time, or undefined when empty. */
  peek(): number | undefined {
    return this.times[0];
  }

  push(time: number, id: string): void {
    this.times.push(time);
    this.seqs.push(this.seq++);
    this.ids.push(id);
    this.up(this.times.length - 1);
  }

  /** Takes the earliest entry out; the heap must not be empty. */
  pop(): { time: number; id: string } {
    const time = this.times[0]!;
    const id = this.ids[0]!;
    const last = this.times.length - 1;
    this.move(last, 0);
    this.times.length = last;
    this.seqs.length = last;
    this.ids.length = last;
    if (last > 0) this.down(0);
    return { time, id };
  }

  /** Replaces the entries with `entries`, in their order. */
  rebuild(entries: Iterable<[string, number]>): void {
    this.clear();
    for (const [id, time] of entries) {
      this.times.push(time);
      this.seqs.push(this.seq++);
      this.ids.push(id);
    }
    for (let i = (this.times.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  clear(): void {
    this.times = [];
    this.seqs = [];
    this.ids = [];
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.seqs[a]! < this.seqs[b]!);
  }

  private swap(a: number, b: number): void {
    const t = this.times[a]!;
    const s = this.seqs[a]!;
    const i = this.ids[a]!;
    this.move(b, a);
    this.times[b] = t;
    this.seqs[b] = s;
    this.ids[b] = i;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.ids[to] = this.ids[from]!;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.times.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < n && this.before(left, least)) least = left;
      if (right < n && this.before(right, least)) least = right;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }
}

/**
 * The expiry times of running subscriptions (RFC 6665 §4.2.1.4: a subscription not refreshed in time is
 * ended), set again on every refresh. One Clock timer serves them all, armed for the earliest: a
 * subscription costs a map entry and a heap entry instead of a timer of its own. Subscriptions due at the
 * same instant are told in the order their times were set; far-off times are reached in steps of at most
 * 2^31-1 ms.
 */
export class ExpiryTimers {
  /** The time each subscription is due, ms since the epoch. */
  private readonly due = new Map<string, number>();
  /** Times set, oldest ones included: an entry whose time is no longer the one in {@link due} is skipped. */
  private readonly heap = new TimeHeap();
  private timer: TimerHandle | undefined;
  /** When {@link timer} fires, ms since the epoch (Infinity without a timer). */
  private armedAt = Infinity;

  /** @param onDue called once when subscription `id` reaches the time last {@link set} for it. */
  constructor(
    private readonly clock: Clock,
    private readonly onDue: (id: string) => void,
  ) {}

  /** (Re)sets the time of `id` to `expiresAt` (ms since the epoch; a past time fires at once). */
  set(id: string, expiresAt: number): void {
    this.due.set(id, expiresAt);
    if (this.heap.size >= 2 * this.due.size + STALE_SLACK) this.heap.rebuild(this.due);
    else this.heap.push(expiresAt, id);
    this.arm();
  }

  /** Forgets the time of `id`, if any. */
  cancel(id: string): void {
    this.due.delete(id);
  }

  /** Forgets every time and stops the timer. */
  clear(): void {
    this.due.clear();
    this.heap.clear();
    this.disarm();
  }

  /** Arms the timer for the earliest time, unless it already fires by then. */
  private arm(): void {
    const next = this.heap.peek();
    if (next === undefined) return this.disarm();
    if (this.timer !== undefined && this.armedAt <= next) return;
    this.disarm();
    const delay = Math.min(Math.max(0, next - this.clock.now()), MAX_TIMER_MS);
    this.armedAt = this.clock.now() + delay;
    this.timer = this.clock.setTimeout(() => this.fire(), delay);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  /** Tells every subscription whose time has come, then arms the timer for the next. */
  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.clock.now();
    for (let next = this.heap.peek(); next !== undefined && next <= now; next = this.heap.peek()) {
      const { time, id } = this.heap.pop();
      if (this.due.get(id) !== time) continue;
      this.due.delete(id);
      this.onDue(id);
    }
    this.arm();
  }
}
