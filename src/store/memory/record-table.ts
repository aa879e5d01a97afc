import { detach } from '../../util/detach.js';
import { ExpiryHeap } from '../../util/expiry-heap.js';
import type { HeapEntry } from '../../util/expiry-heap.js';

/** An unambiguous single-string key for a pair of strings (the length prefix tells where `a` ends). */
export function pairKey(a: string, b: string): string {
  return `${a.length}:${a}${b}`;
}

interface Entry<R> extends HeapEntry {
  readonly key: string;
  group: string;
  record: R;
}

/** The members of a group by key; a group of one is its entry alone (a Map costs about 200 bytes). */
type Group<R> = Entry<R> | Map<string, Entry<R>>;

/**
 * The in-memory table behind each memory store and the SQLite stores' caches: records by primary key, a
 * secondary index by group (resource+event, or aor) and an expiry heap, so that every lookup costs
 * O(result), not O(table).
 *
 * Each key gets a sequence number when first stored and keeps it when replaced: it orders a group and
 * breaks expiry ties, as the rowid does in the SQLite adapter. The table holds the records it is given;
 * copying in and out is the stores' job.
 */
export class RecordTable<R> {
  private readonly byKey = new Map<string, Entry<R>>();
  private readonly groups = new Map<string, Group<R>>();
  private readonly expiry = new ExpiryHeap<Entry<R>>();
  private nextSeq = 0;

  /** @param expiresAtOf a record's expiry time (ms). */
  constructor(private readonly expiresAtOf: (record: R) => number) {}

  /** The record stored under `key`. */
  get(key: string): R | undefined {
    return this.byKey.get(key)?.record;
  }

  /** Stores `record` under `key` in `group`, replacing the record of that key if any (it keeps its seq). */
  set(key: string, group: string, record: R): void {
    const found = this.byKey.get(key);
    if (!found) {
      const entry: Entry<R> = { key, group, record, expiresAt: this.expiresAtOf(record), seq: this.nextSeq++, heapIndex: -1 };
      this.byKey.set(key, entry);
      this.joinGroup(entry);
      this.expiry.insert(entry);
      return;
    }
    if (found.group !== group) {
      this.leaveGroup(found);
      found.group = group;
      this.joinGroup(found);
    }
    found.record = record;
    found.expiresAt = this.expiresAtOf(record);
    this.expiry.update(found);
  }

  /** Removes the record of `key`; an unknown key does nothing. */
  delete(key: string): void {
    const found = this.byKey.get(key);
    if (!found) return;
    this.byKey.delete(key);
    this.leaveGroup(found);
    this.expiry.remove(found);
  }

  /** Removes every record of `group`. */
  deleteGroup(group: string): void {
    for (const entry of this.members(group)) {
      this.byKey.delete(entry.key);
      this.expiry.remove(entry);
    }
    this.groups.delete(group);
  }

  /** The records of `group`, in the order their keys were first stored. */
  list(group: string): R[] {
    return this.members(group)
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.record);
  }

  /** The records with expiresAt <= now, earliest first (ties in first-stored order). */
  expired(now: number): R[] {
    return this.expiry.dueAt(now).map((e) => e.record);
  }

  /** Every record, in the order their keys were first stored (a Map keeps first-insertion order). */
  all(): R[] {
    return Array.from(this.byKey.values(), (e) => e.record);
  }

  /** Drops everything. */
  clear(): void {
    this.byKey.clear();
    this.groups.clear();
    this.expiry.clear();
  }

  private members(group: string): Array<Entry<R>> {
    const g = this.groups.get(group);
    if (g === undefined) return [];
    return g instanceof Map ? [...g.values()] : [g];
  }

  private joinGroup(entry: Entry<R>): void {
    const g = this.groups.get(entry.group);
    if (g === undefined) {
      // A key built by concatenation is a tree of its pieces (about 90 bytes for a resource+event key,
      // and more once a lookup has flattened it): the group keeps a flat copy.
      entry.group = detach(entry.group);
      this.groups.set(entry.group, entry);
      return;
    }
    const members = g instanceof Map ? g : new Map([[g.key, g]]);
    if (members !== g) this.groups.set(entry.group, members);
    // Members share one string for their group's key.
    entry.group = members.values().next().value!.group;
    members.set(entry.key, entry);
  }

  private leaveGroup(entry: Entry<R>): void {
    const g = this.groups.get(entry.group);
    if (g === entry) {
      this.groups.delete(entry.group);
    } else if (g instanceof Map) {
      g.delete(entry.key);
      if (g.size === 1) this.groups.set(entry.group, g.values().next().value!);
    }
  }
}
