import type { Database, Statement } from 'better-sqlite3';
import type { XcapDocumentRecord, XcapDocumentStore, XcapTree } from '../ports.js';
import { storeClosed } from '../errors.js';
import type { WriteExecutor } from './write-executor.js';

interface XcapDocumentRow {
  auid: string;
  tree: XcapTree;
  xui: string;
  name: string;
  body: Buffer;
  etag: string;
  modified_at: number;
}

const COLUMNS = 'auid, tree, xui, name, body, etag, modified_at';
const KEY = 'auid = ? AND tree = ? AND xui = ? AND name = ?';

type Key = [auid: string, tree: XcapTree, xui: string, name: string];

function recordOf(row: XcapDocumentRow): XcapDocumentRecord {
  return { auid: row.auid, tree: row.tree, xui: row.xui, name: row.name, body: row.body, etag: row.etag, modifiedAt: row.modified_at };
}

/** Whether the write condition holds for the current entity tag (see `XcapDocumentStore.put`). */
function holds(current: string | undefined, expectedEtag: string | null | undefined): boolean {
  if (expectedEtag === null) return true;
  if (expectedEtag === undefined) return current === undefined;
  return current === expectedEtag;
}

/**
 * XCAP documents in the `xcap_documents` table, keyed by (auid, tree, xui, name). A conditional write
 * reads the current entity tag and writes in the same transaction, so no concurrent change is lost.
 * Every read returns fresh objects and Buffers.
 */
export class SqliteXcapDocumentStore implements XcapDocumentStore {
  private readonly selectOne: Statement<Key, XcapDocumentRow>;
  private readonly selectEtag: Statement<Key, string>;
  private readonly selectByAuid: Statement<[string], XcapDocumentRow>;
  private readonly selectByUser: Statement<[string, string], XcapDocumentRow>;
  private readonly upsert: Statement<[XcapDocumentRow]>;
  private readonly deleteOne: Statement<Key>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM xcap_documents WHERE ${KEY}`);
    this.selectEtag = db.prepare<Key, string>(`SELECT etag FROM xcap_documents WHERE ${KEY}`).pluck();
    this.selectByAuid = db.prepare(`SELECT ${COLUMNS} FROM xcap_documents WHERE auid = ? ORDER BY xui, name, tree`);
    this.selectByUser = db.prepare(`SELECT ${COLUMNS} FROM xcap_documents WHERE auid = ? AND xui = ? ORDER BY name, tree`);
    this.upsert = db.prepare(
      `INSERT INTO xcap_documents (${COLUMNS}) VALUES (@auid, @tree, @xui, @name, @body, @etag, @modified_at)
       ON CONFLICT (auid, tree, xui, name) DO UPDATE SET body = excluded.body, etag = excluded.etag,
         modified_at = excluded.modified_at`,
    );
    this.deleteOne = db.prepare(`DELETE FROM xcap_documents WHERE ${KEY}`);
  }

  async get(auid: string, tree: XcapTree, xui: string, name: string): Promise<XcapDocumentRecord | undefined> {
    this.check();
    const row = this.selectOne.get(auid, tree, xui, name);
    return row && recordOf(row);
  }

  async put(record: XcapDocumentRecord, expectedEtag: string | null | undefined): Promise<boolean> {
    this.check();
    const { auid, tree, xui, name, body, etag, modifiedAt } = record;
    const row: XcapDocumentRow = { auid, tree, xui, name, body, etag, modified_at: modifiedAt };
    // RFC 4825 §7.11: the entity tag is checked and the document written in one transaction.
    return this.writer.write(() => {
      if (!holds(this.selectEtag.get(auid, tree, xui, name), expectedEtag)) return false;
      this.upsert.run(row);
      return true;
    });
  }

  async remove(auid: string, tree: XcapTree, xui: string, name: string, expectedEtag: string | null): Promise<boolean> {
    this.check();
    return this.writer.write(() => {
      const current = this.selectEtag.get(auid, tree, xui, name);
      if (current === undefined || !holds(current, expectedEtag)) return false;
      this.deleteOne.run(auid, tree, xui, name);
      return true;
    });
  }

  async list(auid: string, xui?: string): Promise<XcapDocumentRecord[]> {
    this.check();
    const rows = xui === undefined ? this.selectByAuid.all(auid) : this.selectByUser.all(auid, xui);
    return rows.map(recordOf);
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
