import type { Database, Statement } from 'better-sqlite3';
import type { PublicationRecord, PublicationSource, PublicationStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { copyPublication } from '../memory/copy.js';
import { RecordTable, pairKey } from '../memory/record-table.js';
import { SharedStrings, sameAs } from './shared-strings.js';
import type { WriteExecutor } from './write-executor.js';

interface PublicationRow {
  etag: string;
  resource: string;
  event: string;
  expires_at: number;
  content_type: string;
  body: Buffer;
  source: PublicationSource;
  publisher: string;
  created_at: number;
  modified_at: number;
}

const COLUMNS = 'etag, resource, event, expires_at, content_type, body, source, publisher, created_at, modified_at';

/**
 * A publication as the table keeps it: the body's bytes as a latin1 string, one char per byte on the V8
 * heap (about 50 bytes of overhead, against about 200 for a Buffer with its own memory block, or a share
 * of an 8 KiB pool slab that any live body keeps whole).
 */
type Cached = Omit<PublicationRecord, 'body'> & { body: string };

/** A fresh record of a cached one. */
function publicationOf(c: Cached): PublicationRecord {
  return copyPublication(c, Buffer.from(c.body, 'latin1'));
}

function byCreation(a: Cached, b: Cached): number {
  return a.createdAt - b.createdAt;
}

function rowOf(r: PublicationRecord): PublicationRow {
  return {
    etag: r.etag,
    resource: r.resource,
    event: r.event,
    expires_at: r.expiresAt,
    content_type: r.contentType,
    body: r.body,
    source: r.source,
    publisher: r.publisher,
    created_at: r.createdAt,
    modified_at: r.modifiedAt,
  };
}

function recordOf(row: PublicationRow): PublicationRecord {
  return {
    etag: row.etag,
    resource: row.resource,
    event: row.event,
    expiresAt: row.expires_at,
    contentType: row.content_type,
    body: row.body,
    source: row.source,
    publisher: row.publisher,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
}

/**
 * Publications in the `publications` table, read from a write-through in-memory table: loaded when the
 * store is built, changed only once a write committed (the executor's `committed` step), so reads never
 * touch SQLite and never show a change that did not commit. The stores assume they are the only writer of
 * the table while open. Lists come in created_at then first-insertion order for a resource, earliest expiry
 * first for listExpired.
 *
 * The table keeps one copy of each body, never a caller's Buffer; reads return fresh records and Buffers.
 */
export class SqlitePublicationStore implements PublicationStore {
  private readonly table = new RecordTable<Cached>((r) => r.expiresAt);
  private readonly strings = new SharedStrings();
  private readonly upsert: Statement<[PublicationRow]>;
  private readonly rekey: Statement<[PublicationRow & { replacing: string }]>;
  private readonly deleteOne: Statement<[string]>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    // An upsert keeps the rowid of a known etag, as the table keeps its place in every list.
    this.upsert = db.prepare(
      `INSERT INTO publications (${COLUMNS}) VALUES (@etag, @resource, @event, @expires_at, @content_type, @body, @source,
         @publisher, @created_at, @modified_at)
       ON CONFLICT (etag) DO UPDATE SET resource = excluded.resource, event = excluded.event,
         expires_at = excluded.expires_at, content_type = excluded.content_type, body = excluded.body,
         source = excluded.source, publisher = excluded.publisher, created_at = excluded.created_at,
         modified_at = excluded.modified_at`,
    );
    // A refresh or modify (RFC 3903 §4.1) rewrites the replaced row under its new entity tag: one row
    // and two entries of the etag index written, where a DELETE and an INSERT wrote two rows and two
    // entries (a third less CPU per commit). OR REPLACE first deletes a row already holding the new tag,
    // so the statement does what the DELETE and the upsert did. The row keeps its rowid, the position
    // of its first insertion, which is still its creation order when the table is loaded again.
    this.rekey = db.prepare(
      `UPDATE OR REPLACE publications SET etag = @etag, resource = @resource, event = @event, expires_at = @expires_at,
         content_type = @content_type, body = @body, source = @source, publisher = @publisher, created_at = @created_at,
         modified_at = @modified_at
       WHERE etag = @replacing`,
    );
    this.deleteOne = db.prepare('DELETE FROM publications WHERE etag = ?');
    const selectAll: Statement<[], PublicationRow> = db.prepare(`SELECT ${COLUMNS} FROM publications ORDER BY rowid`);
    for (const row of selectAll.iterate()) this.store(this.cachedOf(recordOf(row)));
  }

  async get(etag: string): Promise<PublicationRecord | undefined> {
    this.check();
    const r = this.table.get(etag);
    return r && publicationOf(r);
  }

  async listByResource(resource: string, event: string): Promise<PublicationRecord[]> {
    this.check();
    return this.table
      .list(pairKey(resource, event))
      .sort(byCreation)
      .map(publicationOf);
  }

  async put(record: PublicationRecord, replacing?: string): Promise<void> {
    this.check();
    // Both copies are taken now: the unit runs later, at the end of the turn.
    const row = rowOf(record);
    row.body = Buffer.from(record.body);
    const stored = this.cachedOf(record);
    const swap = replacing !== undefined && replacing !== record.etag;
    return this.writer.write(
      () => {
        // RFC 3903 §4.1: the new entity tag replaces the old one in the same transaction.
        if (swap && this.rekey.run({ ...row, replacing }).changes > 0) return;
        this.upsert.run(row);
      },
      () => {
        if (swap) this.table.delete(replacing);
        this.store(stored);
      },
    );
  }

  async remove(etag: string): Promise<void> {
    this.check();
    return this.writer.write(
      () => {
        this.deleteOne.run(etag);
      },
      () => this.table.delete(etag),
    );
  }

  async listExpired(now: number): Promise<PublicationRecord[]> {
    this.check();
    return this.table.expired(now).map(publicationOf);
  }

  async listAll(): Promise<PublicationRecord[]> {
    this.check();
    return this.table.all().map(publicationOf);
  }

  private cachedOf(r: PublicationRecord): Cached {
    const { strings } = this;
    return {
      etag: r.etag,
      resource: r.resource,
      event: strings.of(r.event),
      expiresAt: r.expiresAt,
      contentType: strings.of(r.contentType),
      body: r.body.toString('latin1'),
      source: strings.of(r.source) as PublicationSource,
      publisher: sameAs(r.publisher, r.resource),
      createdAt: r.createdAt,
      modifiedAt: r.modifiedAt,
    };
  }

  private store(r: Cached): void {
    this.table.set(r.etag, pairKey(r.resource, r.event), r);
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
