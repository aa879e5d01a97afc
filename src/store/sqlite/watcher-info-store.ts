import type { Database, Statement } from 'better-sqlite3';
import type { WatcherEvent, WatcherInfoRecord, WatcherInfoStore, WatcherStatus } from '../ports.js';
import { storeClosed } from '../errors.js';
import type { WriteExecutor } from './write-executor.js';

interface WatcherInfoRow {
  presentity: string;
  package: string;
  subscription_id: string;
  watcher: string;
  display_name: string | null;
  fetch: number;
  status: WatcherStatus;
  event: WatcherEvent;
  subscribed_at: number;
  expires_at: number;
  at: number;
}

const COLUMNS = 'presentity, package, subscription_id, watcher, display_name, fetch, status, event, subscribed_at, expires_at, at';

function recordOf(row: WatcherInfoRow): WatcherInfoRecord {
  const r: WatcherInfoRecord = {
    presentity: row.presentity,
    package: row.package,
    subscriptionId: row.subscription_id,
    watcher: row.watcher,
    fetch: row.fetch === 1,
    status: row.status,
    event: row.event,
    subscribedAt: row.subscribed_at,
    expiresAt: row.expires_at,
    at: row.at,
  };
  if (row.display_name !== null) r.displayName = row.display_name;
  return r;
}

/** The watcher-information log in the `watcher_info` table; `seq` (the rowid: max + 1 on insert) keeps the append order. */
export class SqliteWatcherInfoStore implements WatcherInfoStore {
  private readonly insert: Statement<[WatcherInfoRow]>;
  private readonly select: Statement<[string, string, number], WatcherInfoRow>;
  private readonly purge: Statement<[number]>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    this.insert = db.prepare(
      `INSERT INTO watcher_info (${COLUMNS}) VALUES (@presentity, @package, @subscription_id, @watcher, @display_name,
       @fetch, @status, @event, @subscribed_at, @expires_at, @at)`,
    );
    this.select = db.prepare(`SELECT ${COLUMNS} FROM watcher_info WHERE presentity = ? AND package = ? AND at >= ? ORDER BY seq`);
    this.purge = db.prepare('DELETE FROM watcher_info WHERE at < ?');
  }

  async append(r: WatcherInfoRecord): Promise<void> {
    this.check();
    const row: WatcherInfoRow = {
      presentity: r.presentity,
      package: r.package,
      subscription_id: r.subscriptionId,
      watcher: r.watcher,
      display_name: r.displayName ?? null,
      fetch: r.fetch ? 1 : 0,
      status: r.status,
      event: r.event,
      subscribed_at: r.subscribedAt,
      expires_at: r.expiresAt,
      at: r.at,
    };
    await this.writer.write(() => this.insert.run(row));
  }

  async listByPresentity(presentity: string, pkg: string, since: number): Promise<WatcherInfoRecord[]> {
    this.check();
    return this.select.all(presentity, pkg, since).map(recordOf);
  }

  async purgeBefore(before: number): Promise<number> {
    this.check();
    return this.writer.write(() => this.purge.run(before).changes);
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
