import type { SubscriberRecord, SubscriberStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { identitiesOf, subscriberConflict } from '../subscriber-identities.js';
import { compareCodePoints } from './code-point-order.js';
import { copySubscriber } from './copy.js';
import { pairKey } from './record-table.js';

/** Steps that restore the indexes to where they were before a failed write, run last first. */
type UndoLog = Array<() => void>;

/** `map.set(key, value)`, remembering in `undo` how to take it back. */
function setLogged<V>(map: Map<string, V>, key: string, value: V, undo: UndoLog): void {
  const had = map.has(key);
  const old = map.get(key);
  undo.push(() => (had ? map.set(key, old as V) : map.delete(key)));
  map.set(key, value);
}

/** `map.delete(key)`, remembering in `undo` how to take it back. */
function deleteLogged<V>(map: Map<string, V>, key: string, undo: UndoLog): void {
  if (!map.has(key)) return;
  const old = map.get(key) as V;
  undo.push(() => map.set(key, old));
  map.delete(key);
}

/**
 * Subscribers in process memory (volatile), indexed by AOR, by every identity and by (username, realm).
 * A write applies its records one by one and, if one is refused, undoes what it did before rejecting, with
 * no await in between: all or nothing, as the SQLite adapter's transaction.
 */
export class MemorySubscriberStore implements SubscriberStore {
  private readonly byAor = new Map<string, SubscriberRecord>();
  /** identity (AOR or alias) -> the AOR of its subscriber. */
  private readonly owners = new Map<string, string>();
  /** pairKey(username, realm) -> AOR. */
  private readonly usernames = new Map<string, string>();
  /** Every AOR in code point order; rebuilt on the first list after a change. */
  private sorted: string[] | undefined;
  private closed = false;

  async get(aor: string): Promise<SubscriberRecord | undefined> {
    this.check();
    const r = this.byAor.get(aor);
    return r && copySubscriber(r);
  }

  async findByUsername(username: string, realm: string): Promise<SubscriberRecord | undefined> {
    this.check();
    const aor = this.usernames.get(pairKey(username, realm));
    return aor === undefined ? undefined : copySubscriber(this.byAor.get(aor)!);
  }

  async findByIdentity(identity: string): Promise<SubscriberRecord | undefined> {
    this.check();
    const aor = this.owners.get(identity);
    return aor === undefined ? undefined : copySubscriber(this.byAor.get(aor)!);
  }

  async put(record: SubscriberRecord): Promise<void> {
    return this.putMany([record]);
  }

  async putMany(records: readonly SubscriberRecord[]): Promise<void> {
    this.check();
    const stored = records.map(copySubscriber);
    const undo: UndoLog = [];
    try {
      for (const r of stored) this.apply(r, undo);
    } catch (err) {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      throw err;
    }
    this.sorted = undefined;
  }

  async remove(aor: string): Promise<boolean> {
    this.check();
    const old = this.byAor.get(aor);
    if (!old) return false;
    this.unindex(old, []);
    this.byAor.delete(aor);
    this.sorted = undefined;
    return true;
  }

  async list(opts: { after?: string; limit: number }): Promise<SubscriberRecord[]> {
    this.check();
    const sorted = (this.sorted ??= [...this.byAor.keys()].sort(compareCodePoints));
    const { after } = opts;
    let lo = 0;
    if (after !== undefined) {
      // The first AOR ordered after `after` (binary search).
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareCodePoints(sorted[mid]!, after) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    return sorted.slice(lo, lo + Math.max(0, opts.limit)).map((aor) => copySubscriber(this.byAor.get(aor)!));
  }

  async count(): Promise<number> {
    this.check();
    return this.byAor.size;
  }

  /** Drops every subscriber; later calls reject with `ERR_STORE_CLOSED`. */
  close(): void {
    this.closed = true;
    this.byAor.clear();
    this.owners.clear();
    this.usernames.clear();
    this.sorted = undefined;
  }

  /** Stores one record, replacing the one with its AOR; throws, with `undo` holding what it changed, on a conflict. */
  private apply(r: SubscriberRecord, undo: UndoLog): void {
    const identities = identitiesOf(r);
    const userKey = pairKey(r.username, r.realm);
    const userOwner = this.usernames.get(userKey);
    if (userOwner !== undefined && userOwner !== r.aor) {
      throw subscriberConflict(`the username ${r.username} of realm ${r.realm} belongs to ${userOwner}`);
    }
    for (const identity of identities) {
      const owner = this.owners.get(identity);
      if (owner !== undefined && owner !== r.aor) throw subscriberConflict(`the identity ${identity} belongs to ${owner}`);
    }
    const old = this.byAor.get(r.aor);
    if (old) this.unindex(old, undo);
    setLogged(this.byAor, r.aor, r, undo);
    setLogged(this.usernames, userKey, r.aor, undo);
    for (const identity of identities) setLogged(this.owners, identity, r.aor, undo);
  }

  /** Removes a stored record's username and identities from the indexes. */
  private unindex(r: SubscriberRecord, undo: UndoLog): void {
    deleteLogged(this.usernames, pairKey(r.username, r.realm), undo);
    for (const identity of [r.aor, ...r.aliases]) deleteLogged(this.owners, identity, undo);
  }

  private check(): void {
    if (this.closed) throw storeClosed();
  }
}
