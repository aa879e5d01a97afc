/** What {@link ExpiryHeap} orders. The heap keeps `heapIndex` up to date so it can move or drop an entry. */
export interface HeapEntry {
  /** Expiry time (ms); after changing it, call {@link ExpiryHeap.update}. */
  expiresAt: number;
  /** Tie-break between equal expiry times: lower first. */
  readonly seq: number;
  /** Position in the heap, maintained by the heap; -1 when the entry is not in it. */
  heapIndex: number;
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.seq < b.seq);
}

/**
 * An indexed binary min-heap by (expiresAt, seq): insert, remove and re-key in O(log n), and the entries
 * due at a time in O(k log k) for k results, however many are not due.
 */
export class ExpiryHeap<E extends HeapEntry> {
  private readonly items: E[] = [];

  /** Number of entries. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an entry that is not in the heap. */
  insert(entry: E): void {
    entry.heapIndex = this.items.length;
    this.items.push(entry);
    this.up(entry.heapIndex);
  }

  /** The entry due first (smallest expiresAt, then seq), or undefined when empty. */
  peek(): E | undefined {
    return this.items[0];
  }

  /** Takes an entry out of the heap; returns whether it was in it (an entry not in it is ignored). */
  remove(entry: E): boolean {
    const i = entry.heapIndex;
    if (i < 0 || this.items[i] !== entry) return false;
    const last = this.items.pop()!;
    entry.heapIndex = -1;
    if (last !== entry) {
      this.items[i] = last;
      last.heapIndex = i;
      this.update(last);
    }
    return true;
  }

  /** Restores the order after an entry's expiresAt changed. */
  update(entry: E): void {
    this.up(entry.heapIndex);
    this.down(entry.heapIndex);
  }

  /**
   * Every entry with expiresAt <= now, earliest first. Walks only the due part of the heap: a visited
   * entry is either due or the child of a due one.
   */
  dueAt(now: number): E[] {
    const due: E[] = [];
    const stack: number[] = this.items.length ? [0] : [];
    while (stack.length) {
      const i = stack.pop()!;
      const e = this.items[i]!;
      if (e.expiresAt > now) continue;
      due.push(e);
      if (2 * i + 1 < this.items.length) stack.push(2 * i + 1);
      if (2 * i + 2 < this.items.length) stack.push(2 * i + 2);
    }
    return due.sort((a, b) => (before(a, b) ? -1 : 1));
  }

  /** Drops every entry. */
  clear(): void {
    for (const e of this.items) e.heapIndex = -1;
    this.items.length = 0;
  }

  private up(i: number): void {
    const e = this.items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = this.items[p]!;
      if (!before(e, parent)) break;
      this.items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    this.items[i] = e;
    e.heapIndex = i;
  }

  private down(i: number): void {
    const n = this.items.length;
    const e = this.items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(this.items[r]!, this.items[l]!) ? r : l;
      const child = this.items[c]!;
      if (!before(child, e)) break;
      this.items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    this.items[i] = e;
    e.heapIndex = i;
  }
}
