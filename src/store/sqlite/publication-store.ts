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

/** A row with its id, as an update names it. */
type StoredRow = PublicationRow & { id: number };

const COLUMNS = 'etag, resource, event, expires_at, content_type, body, source, publisher, created_at, modified_at';

/**
 * A publication as the table keeps it: the body's bytes as a latin1 string, one char per byte on the V8
 * heap (about 50 bytes of overhead, against about 200 for a Buffer with its own memory block, or a share
 * of an 8 KiB pool slab that any live body keeps whole), and the id of its row, by which it is written.
 */
type Cached = Omit<PublicationRecord, 'body'> & { body: string; id: number };

function publicationOf(c: Cached): PublicationRecord {
  return copyPublication(c, Buffer.from(c.body, 'latin1'));
}

function byCreation(a: Cached, b: Cached): number {
  return a.createdAt - b.createdAt;
}

function rowOf(r: PublicationRecord): StoredRow {
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
    id: 0,
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
  private readonly insert: Statement<[PublicationRow]>;
  private readonly update: Statement<[StoredRow]>;
  private readonly deleteOne: Statement<[number]>;
  /**
   * The last write not yet settled of each entity tag it concerns. A write reads the row ids it needs
   * from the table when it runs, and the table changes only once a write committed, so a write of a tag
   * waits for the one before it (the publication manager never issues two at once: this is only a
   * guard).
   */
  private readonly unsettled = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    // Rows are written by id, never looked up by entity tag (no index): the table in memory knows the id
    // of every row, and the tags in it are unique.
    this.insert = db.prepare(
      `INSERT INTO publications (${COLUMNS}) VALUES (@etag, @resource, @event, @expires_at, @content_type, @body, @source,
         @publisher, @created_at, @modified_at)`,
    );
    this.update = db.prepare(
      `UPDATE publications SET etag = @etag, resource = @resource, event = @event, expires_at = @expires_at,
         content_type = @content_type, body = @body, source = @source, publisher = @publisher, created_at = @created_at,
         modified_at = @modified_at
       WHERE id = @id`,
    );
    this.deleteOne = db.prepare('DELETE FROM publications WHERE id = ?');
    const selectAll: Statement<[], StoredRow> = db.prepare(`SELECT id, ${COLUMNS} FROM publications ORDER BY id`);
    for (const row of selectAll.iterate()) this.store(this.cachedOf(recordOf(row), row.id));
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
    const stored = this.cachedOf(record, 0);
    const swap = replacing !== undefined && replacing !== record.etag;
    await this.serialised(record.etag, swap ? replacing : undefined, () =>
      this.writer.write(
        () => {
          const same = this.table.get(record.etag);
          const old = swap ? this.table.get(replacing) : undefined;
          // RFC 3903 §4.1: the new entity tag replaces the old one in the same transaction. A refresh or
          // modify rewrites the replaced row under its new tag (one row written, not a delete and an insert).
          const target = same ?? old;
          if (!target) return Number(this.insert.run(row).lastInsertRowid);
          row.id = target.id;
          this.update.run(row);
          if (same && old) this.deleteOne.run(old.id);
          return target.id;
        },
        (id) => {
          if (swap) this.table.delete(replacing);
          stored.id = id;
          this.store(stored);
        },
      ),
    );
  }

  async remove(etag: string): Promise<void> {
    this.check();
    return this.serialised(etag, undefined, () =>
      this.writer.write(
        () => {
          const found = this.table.get(etag);
          if (found) this.deleteOne.run(found.id);
        },
        () => this.table.delete(etag),
      ),
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

  /** Runs `write` once the writes not yet settled of `etag` and `other` have settled; records it as theirs. */
  private serialised<T>(etag: string, other: string | undefined, write: () => Promise<T>): Promise<T> {
    const before = this.unsettled.get(etag);
    const alsoBefore = other === undefined ? undefined : this.unsettled.get(other);
    const done = before || alsoBefore ? Promise.allSettled([before, alsoBefore]).then(write) : write();
    this.unsettled.set(etag, done);
    if (other !== undefined) this.unsettled.set(other, done);
    const forget = (): void => {
      if (this.unsettled.get(etag) === done) this.unsettled.delete(etag);
      if (other !== undefined && this.unsettled.get(other) === done) this.unsettled.delete(other);
    };
    done.then(forget, forget);
    return done;
  }

  private cachedOf(r: PublicationRecord, id: number): Cached {
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
      id,
    };
  }

  private store(r: Cached): void {
    this.table.set(r.etag, pairKey(r.resource, r.event), r);
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
