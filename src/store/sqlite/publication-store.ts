import type { Database, Statement } from 'better-sqlite3';
import type { PublicationRecord, PublicationSource, PublicationStore } from '../ports.js';
import { storeClosed } from '../errors.js';
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
 * Publications in the `publications` table. Lists come in rowid order within equal keys: by created_at
 * then first insertion for a resource, earliest expiry first for listExpired. Every read returns fresh
 * objects (SQLite copies), so callers may change them freely.
 */
export class SqlitePublicationStore implements PublicationStore {
  private readonly selectOne: Statement<[string], PublicationRow>;
  private readonly selectByResource: Statement<[string, string], PublicationRow>;
  private readonly selectExpired: Statement<[number], PublicationRow>;
  private readonly selectAll: Statement<[], PublicationRow>;
  private readonly upsert: Statement<[PublicationRow]>;
  private readonly deleteOne: Statement<[string]>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM publications WHERE etag = ?`);
    this.selectByResource = db.prepare(
      `SELECT ${COLUMNS} FROM publications WHERE resource = ? AND event = ? ORDER BY created_at, rowid`,
    );
    this.selectExpired = db.prepare(`SELECT ${COLUMNS} FROM publications WHERE expires_at <= ? ORDER BY expires_at, rowid`);
    this.selectAll = db.prepare(`SELECT ${COLUMNS} FROM publications ORDER BY rowid`);
    // An upsert keeps the rowid of a known etag, so its place in every list stays the same.
    this.upsert = db.prepare(
      `INSERT INTO publications (${COLUMNS}) VALUES (@etag, @resource, @event, @expires_at, @content_type, @body, @source,
         @publisher, @created_at, @modified_at)
       ON CONFLICT (etag) DO UPDATE SET resource = excluded.resource, event = excluded.event,
         expires_at = excluded.expires_at, content_type = excluded.content_type, body = excluded.body,
         source = excluded.source, publisher = excluded.publisher, created_at = excluded.created_at,
         modified_at = excluded.modified_at`,
    );
    this.deleteOne = db.prepare('DELETE FROM publications WHERE etag = ?');
  }

  async get(etag: string): Promise<PublicationRecord | undefined> {
    this.check();
    const row = this.selectOne.get(etag);
    return row && recordOf(row);
  }

  async listByResource(resource: string, event: string): Promise<PublicationRecord[]> {
    this.check();
    return this.selectByResource.all(resource, event).map(recordOf);
  }

  async put(record: PublicationRecord, replacing?: string): Promise<void> {
    this.check();
    const row = rowOf(record);
    return this.writer.write(() => {
      // RFC 3903 §4.1: the new entity tag replaces the old one in the same transaction.
      if (replacing !== undefined && replacing !== record.etag) this.deleteOne.run(replacing);
      this.upsert.run(row);
    });
  }

  async remove(etag: string): Promise<void> {
    this.check();
    return this.writer.write(() => {
      this.deleteOne.run(etag);
    });
  }

  async listExpired(now: number): Promise<PublicationRecord[]> {
    this.check();
    return this.selectExpired.all(now).map(recordOf);
  }

  async listAll(): Promise<PublicationRecord[]> {
    this.check();
    return this.selectAll.all().map(recordOf);
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
