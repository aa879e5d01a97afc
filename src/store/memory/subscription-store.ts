import type { SubscriptionRecord, SubscriptionStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { copySubscription } from './copy.js';
import { RecordTable, pairKey } from './record-table.js';

function byCreation(a: SubscriptionRecord, b: SubscriptionRecord): number {
  return a.createdAt - b.createdAt;
}

/**
 * Subscriptions in process memory (volatile). Indexed by id, by resource+event and by expiry. Lists are
 * ordered as the SQLite adapter orders them: by createdAt, then by when the id was first stored; expired
 * ones earliest first.
 */
export class MemorySubscriptionStore implements SubscriptionStore {
  private readonly table = new RecordTable<SubscriptionRecord>((r) => r.expiresAt);
  private closed = false;

  async get(id: string): Promise<SubscriptionRecord | undefined> {
    this.check();
    const r = this.table.get(id);
    return r && copySubscription(r, false);
  }

  async listByResource(resource: string, event: string): Promise<SubscriptionRecord[]> {
    this.check();
    return this.table
      .list(pairKey(resource, event))
      .sort(byCreation)
      .map((r) => copySubscription(r, false));
  }

  async put(record: SubscriptionRecord): Promise<void> {
    this.check();
    const stored = copySubscription(record, true);
    const old = this.table.get(record.id);
    // RFC 3261 §12.2.1.1: the local CSeq never goes down, even when a stale record is put back.
    if (old && old.localCSeq > stored.localCSeq) stored.localCSeq = old.localCSeq;
    this.table.set(record.id, pairKey(record.resource, record.event), stored);
  }

  async nextLocalCSeq(id: string): Promise<number | undefined> {
    this.check();
    const r = this.table.get(id);
    if (!r) return undefined;
    r.localCSeq += 1;
    return r.localCSeq;
  }

  async remove(id: string): Promise<void> {
    this.check();
    this.table.delete(id);
  }

  async listExpired(now: number): Promise<SubscriptionRecord[]> {
    this.check();
    return this.table.expired(now).map((r) => copySubscription(r, false));
  }

  async listAll(): Promise<SubscriptionRecord[]> {
    this.check();
    return this.table.all().map((r) => copySubscription(r, false));
  }

  /** Drops every subscription; later calls reject with `ERR_STORE_CLOSED`. */
  close(): void {
    this.closed = true;
    this.table.clear();
  }

  private check(): void {
    if (this.closed) throw storeClosed();
  }
}
