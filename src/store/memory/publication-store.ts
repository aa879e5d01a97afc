import type { PublicationRecord, PublicationStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { copyPublication } from './copy.js';
import { RecordTable, pairKey } from './record-table.js';

function byCreation(a: PublicationRecord, b: PublicationRecord): number {
  return a.createdAt - b.createdAt;
}

/**
 * Publications in process memory (volatile: "durable" means stored in this process). Indexed by entity
 * tag, by resource+event and by expiry. Lists are ordered as the SQLite adapter orders them: by createdAt,
 * then by when the entity tag was first stored; expired ones earliest first.
 */
export class MemoryPublicationStore implements PublicationStore {
  private readonly table = new RecordTable<PublicationRecord>((r) => r.expiresAt);
  private closed = false;

  async get(etag: string): Promise<PublicationRecord | undefined> {
    this.check();
    const r = this.table.get(etag);
    return r && copyPublication(r, r.body);
  }

  async listByResource(resource: string, event: string): Promise<PublicationRecord[]> {
    this.check();
    return this.table
      .list(pairKey(resource, event))
      .sort(byCreation)
      .map((r) => copyPublication(r, r.body));
  }

  async put(record: PublicationRecord, replacing?: string): Promise<void> {
    this.check();
    const stored = copyPublication(record, Buffer.from(record.body));
    // RFC 3903 §4.1: a refresh or modify replaces the old entity tag; both changes happen with no await between.
    if (replacing !== undefined && replacing !== record.etag) this.table.delete(replacing);
    this.table.set(record.etag, pairKey(record.resource, record.event), stored);
  }

  async remove(etag: string): Promise<void> {
    this.check();
    this.table.delete(etag);
  }

  async listExpired(now: number): Promise<PublicationRecord[]> {
    this.check();
    return this.table.expired(now).map((r) => copyPublication(r, r.body));
  }

  async listAll(): Promise<PublicationRecord[]> {
    this.check();
    return this.table.all().map((r) => copyPublication(r, r.body));
  }

  /** Drops every publication; later calls reject with `ERR_STORE_CLOSED`. */
  close(): void {
    this.closed = true;
    this.table.clear();
  }

  private check(): void {
    if (this.closed) throw storeClosed();
  }
}
