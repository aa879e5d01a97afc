/** A timer held by a {@link TimerHeap}; it is also its handle. */
export interface HeapTimer {
  /** Unique within its heap; timers due at the same time run in id order (the order they were added). */
  readonly id: number;
  /** When it is due, in the heap's time unit (ms). */
  readonly at: number;
  readonly fn: () => void;
}

class Entry implements HeapTimer {
  constructor(
    readonly id: number,
    readonly at: number,
    readonly fn: () => void,
    /** Position in the heap array; -1 once removed. */
    public index: number,
  ) {}
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}

/**
 * Pending timers as one binary min-heap on (due time, id): adding and removing take O(log n), the
 * earliest is at hand. A timer costs one small object and one array slot, so a process holding a timer
 * per publication, per subscription and per transaction can run them all from one host timer
 * ({@link SystemClock}) instead of one Node Timeout object and closure each.
 */
export class TimerHeap {
  private readonly items: Entry[] = [];
  private nextId = 1;

  /** Timers pending. */
  get size(): number {
    return this.items.length;
  }

  /** Adds a timer due at `at` running `fn`. */
  add(at: number, fn: () => void): HeapTimer {
    const e = new Entry(this.nextId++, at, fn, this.items.length);
    this.items.push(e);
    this.up(e.index);
    return e;
  }

  /** The earliest pending timer, if any. */
  peek(): HeapTimer | undefined {
    return this.items[0];
  }

  /** Removes and returns the earliest timer if it is due at or before `now`. */
  takeDue(now: number): HeapTimer | undefined {
    const top = this.items[0];
    if (!top || top.at > now) return undefined;
    this.removeAt(0);
    return top;
  }

  /**
   * Removes `timer` if it is still pending in this heap; returns whether it was. A timer that already
   * ran, was removed, or belongs to another heap is left alone.
   */
  remove(timer: HeapTimer): boolean {
    if (!(timer instanceof Entry) || timer.index < 0 || this.items[timer.index] !== timer) return false;
    this.removeAt(timer.index);
    return true;
  }

  /** Removes every timer. */
  clear(): void {
    for (const e of this.items) e.index = -1;
    this.items.length = 0;
  }

  private removeAt(i: number): void {
    const items = this.items;
    const gone = items[i]!;
    gone.index = -1;
    const last = items.pop()!;
    if (last === gone) return;
    items[i] = last;
    last.index = i;
    this.down(i);
    this.up(last.index);
  }

  private up(i: number): void {
    const items = this.items;
    const e = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(e, parent)) break;
      items[i] = parent;
      parent.index = i;
      i = p;
    }
    items[i] = e;
    e.index = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const e = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!before(child, e)) break;
      items[i] = child;
      child.index = i;
      i = c;
    }
    items[i] = e;
    e.index = i;
  }
}
