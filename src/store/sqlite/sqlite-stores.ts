import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import type { Stores } from '../ports.js';
import { SqliteBindingStore } from './binding-store.js';
import { migrate } from './migrations.js';
import { SqlitePublicationStore } from './publication-store.js';
import { SqliteSubscriberStore } from './subscriber-store.js';
import { SqliteSubscriptionStore } from './subscription-store.js';
import { SqliteWatcherInfoStore } from './watcher-info-store.js';
import { SqliteXcapDocumentStore } from './xcap-document-store.js';
import { GroupCommit } from './write-executor.js';

/** Options of {@link openSqliteStores}. */
export interface SqliteStoreOptions {
  /**
   * `NORMAL` (default): in WAL mode a commit is written to the WAL file but not fsynced, so committed
   * writes survive a crash of the process (kill -9, an uncaught exception) but the last ones may be lost
   * if the operating system crashes or the machine loses power. `FULL`: every commit is fsynced, which
   * also survives an OS crash, at the price of one fsync per write, during which the event loop waits.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long a write waits for a lock held by another connection to the file (ms, default 5000). */
  busyTimeoutMs?: number;
}

/**
 * The embedded default storage: every store in one SQLite database through better-sqlite3.
 *
 * Design:
 * - One connection per process, in WAL mode (readers never block the writer; the file stays consistent
 *   after any crash), with `synchronous` NORMAL or FULL (see {@link SqliteStoreOptions.synchronous}),
 *   `busy_timeout` and `foreign_keys` on.
 * - The schema is versioned by `user_version` and brought up to date by forward migrations
 *   (./migrations.ts) when the file is opened.
 * - Every statement is prepared once, when the stores are built.
 * - better-sqlite3 is synchronous: a call runs to completion on the event loop. A single-row write costs
 *   about 40-50 µs of CPU with NORMAL on a 2-core VM, most of it the commit (WAL frame writes, periodic
 *   checkpoints); FULL adds an fsync per commit. Writes are group-committed ({@link GroupCommit}): those
 *   submitted in one turn of the event loop share one transaction and one commit, and the promises of the
 *   ports resolve after that commit returned, which is what makes a 200 OK sent on resolution safe under
 *   the durability contract.
 * - Publications, read on every request, are also kept in memory, written through after each commit, so
 *   their reads never query SQLite. Subscriptions are read from SQLite (the notifier holds the running
 *   ones and reads the store only when it starts); their NOTIFY CSeqs are reserved in blocks and handed
 *   out from memory (see {@link SqliteSubscriptionStore}). One process at a time serves a database: other
 *   connections (the admin commands) must not write those two tables while it runs.
 * - Reads return fresh objects; Buffers read are shared with the store or fresh, and are never to be
 *   changed by the caller.
 */
export class SqliteStores implements Stores {
  readonly publications: SqlitePublicationStore;
  readonly subscriptions: SqliteSubscriptionStore;
  readonly bindings: SqliteBindingStore;
  readonly subscribers: SqliteSubscriberStore;
  readonly xcapDocuments: SqliteXcapDocumentStore;
  readonly watcherInfo: SqliteWatcherInfoStore;

  private readonly writer: GroupCommit;

  /** Builds the stores over an open, migrated database, loading publications and subscriptions; see {@link openSqliteStores}. */
  constructor(private readonly db: Database) {
    const writer = (this.writer = new GroupCommit(db));
    this.publications = new SqlitePublicationStore(db, writer);
    this.subscriptions = new SqliteSubscriptionStore(db, writer);
    this.bindings = new SqliteBindingStore(db, writer);
    this.subscribers = new SqliteSubscriberStore(db, writer);
    this.xcapDocuments = new SqliteXcapDocumentStore(db, writer);
    this.watcherInfo = new SqliteWatcherInfoStore(db, writer);
  }

  /**
   * Commits the writes still waiting (with the exact NOTIFY CSeqs, see
   * {@link SqliteSubscriptionStore.settle}), then closes the database (SQLite checkpoints the WAL into the
   * main file). Later store calls reject with `ERR_STORE_CLOSED`. Safe to call twice.
   */
  async close(): Promise<void> {
    if (!this.db.open) return;
    const settled = this.subscriptions.settle();
    this.writer.flush();
    this.db.close();
    await settled;
  }
}

/**
 * Opens (creating if needed, with its directory) the SQLite database at `path` and returns its stores.
 * `':memory:'` gives a private in-memory database, for tests.
 *
 * @throws StoreError `ERR_STORE_SCHEMA_TOO_NEW` when the file was written by a newer presenced.
 * @throws the SQLite or file system error when the file cannot be opened or migrated.
 */
export function openSqliteStores(path: string, options: SqliteStoreOptions = {}): SqliteStores {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return new SqliteStores(db);
  } catch (err) {
    db.close();
    throw err;
  }
}
