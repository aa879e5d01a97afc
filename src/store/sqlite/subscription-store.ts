import type { Database, Statement } from 'better-sqlite3';
import type { SubscriptionRecord, SubscriptionStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { flowColumns, flowOf, stringsOf } from './columns.js';
import type { FlowColumns } from './columns.js';
import type { WriteExecutor } from './write-executor.js';

interface SubscriptionRow extends FlowColumns {
  id: string;
  resource: string;
  event: string;
  event_id: string | null;
  state: SubscriptionRecord['state'];
  watcher: string;
  watcher_display_name: string | null;
  call_id: string;
  local_tag: string;
  remote_tag: string;
  local_uri: string;
  remote_uri: string;
  remote_target: string;
  route_set: string;
  local_cseq: number;
  remote_cseq: number;
  secure: number;
  accept: string;
  body_content_type: string | null;
  body: Buffer | null;
  expires_at: number;
  created_at: number;
  extra: string | null;
}

const NAMES = [
  'id', 'resource', 'event', 'event_id', 'state', 'watcher', 'watcher_display_name', 'call_id', 'local_tag',
  'remote_tag', 'local_uri', 'remote_uri', 'remote_target', 'route_set', 'local_cseq', 'remote_cseq', 'secure',
  'flow_transport', 'flow_address', 'flow_port', 'flow_id', 'accept', 'body_content_type', 'body', 'expires_at',
  'created_at', 'extra',
] as const satisfies ReadonlyArray<keyof SubscriptionRow>;

const COLUMNS = NAMES.join(', ');

/** On conflict every column takes the new value, except local_cseq, which never goes down. */
const UPDATES = NAMES.filter((n) => n !== 'id' && n !== 'local_cseq')
  .map((n) => `${n} = excluded.${n}`)
  .join(', ');

function rowOf(r: SubscriptionRecord): SubscriptionRow {
  return {
    id: r.id,
    resource: r.resource,
    event: r.event,
    event_id: r.eventId ?? null,
    state: r.state,
    watcher: r.watcher,
    watcher_display_name: r.watcherDisplayName ?? null,
    call_id: r.callId,
    local_tag: r.localTag,
    remote_tag: r.remoteTag,
    local_uri: r.localUri,
    remote_uri: r.remoteUri,
    remote_target: r.remoteTarget,
    route_set: JSON.stringify(r.routeSet),
    local_cseq: r.localCSeq,
    remote_cseq: r.remoteCSeq,
    secure: r.secure ? 1 : 0,
    ...flowColumns(r.flow),
    accept: JSON.stringify(r.accept),
    body_content_type: r.body?.contentType ?? null,
    body: r.body?.data ?? null,
    expires_at: r.expiresAt,
    created_at: r.createdAt,
    extra: r.extra === undefined ? null : JSON.stringify(r.extra),
  };
}

function recordOf(row: SubscriptionRow): SubscriptionRecord {
  const r: SubscriptionRecord = {
    id: row.id,
    resource: row.resource,
    event: row.event,
    state: row.state,
    watcher: row.watcher,
    callId: row.call_id,
    localTag: row.local_tag,
    remoteTag: row.remote_tag,
    localUri: row.local_uri,
    remoteUri: row.remote_uri,
    remoteTarget: row.remote_target,
    routeSet: stringsOf(row.route_set),
    localCSeq: row.local_cseq,
    remoteCSeq: row.remote_cseq,
    secure: row.secure === 1,
    accept: stringsOf(row.accept),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
  if (row.event_id !== null) r.eventId = row.event_id;
  if (row.watcher_display_name !== null) r.watcherDisplayName = row.watcher_display_name;
  const flow = flowOf(row);
  if (flow) r.flow = flow;
  if (row.body !== null && row.body_content_type !== null) r.body = { contentType: row.body_content_type, data: row.body };
  if (row.extra !== null) r.extra = JSON.parse(row.extra) as Record<string, unknown>;
  return r;
}

/**
 * Subscriptions in the `subscriptions` table, with their dialog state. Lists come in created_at then
 * first-insertion order for a resource, earliest expiry first for listExpired. Every read returns fresh
 * objects, so callers may change them freely.
 */
export class SqliteSubscriptionStore implements SubscriptionStore {
  private readonly selectOne: Statement<[string], SubscriptionRow>;
  private readonly selectByResource: Statement<[string, string], SubscriptionRow>;
  private readonly selectExpired: Statement<[number], SubscriptionRow>;
  private readonly selectAll: Statement<[], SubscriptionRow>;
  private readonly upsert: Statement<[SubscriptionRow]>;
  private readonly bumpCSeq: Statement<[string], { local_cseq: number }>;
  private readonly deleteOne: Statement<[string]>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM subscriptions WHERE id = ?`);
    this.selectByResource = db.prepare(
      `SELECT ${COLUMNS} FROM subscriptions WHERE resource = ? AND event = ? ORDER BY created_at, rowid`,
    );
    this.selectExpired = db.prepare(`SELECT ${COLUMNS} FROM subscriptions WHERE expires_at <= ? ORDER BY expires_at, rowid`);
    this.selectAll = db.prepare(`SELECT ${COLUMNS} FROM subscriptions ORDER BY rowid`);
    // An upsert keeps the rowid of a known id (its place in lists) and, RFC 3261 §12.2.1.1, never lowers
    // the local CSeq: a stale record put back after a nextLocalCSeq keeps the raised value.
    this.upsert = db.prepare(
      `INSERT INTO subscriptions (${COLUMNS}) VALUES (${NAMES.map((n) => `@${n}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${UPDATES}, local_cseq = max(local_cseq, excluded.local_cseq)`,
    );
    this.bumpCSeq = db.prepare('UPDATE subscriptions SET local_cseq = local_cseq + 1 WHERE id = ? RETURNING local_cseq');
    this.deleteOne = db.prepare('DELETE FROM subscriptions WHERE id = ?');
  }

  async get(id: string): Promise<SubscriptionRecord | undefined> {
    this.check();
    const row = this.selectOne.get(id);
    return row && recordOf(row);
  }

  async listByResource(resource: string, event: string): Promise<SubscriptionRecord[]> {
    this.check();
    return this.selectByResource.all(resource, event).map(recordOf);
  }

  async put(record: SubscriptionRecord): Promise<void> {
    this.check();
    const row = rowOf(record);
    return this.writer.write(() => {
      this.upsert.run(row);
    });
  }

  async nextLocalCSeq(id: string): Promise<number | undefined> {
    this.check();
    // One statement reads and raises the CSeq, so no two NOTIFYs of a dialog get the same one.
    return this.writer.write(() => this.bumpCSeq.get(id)?.local_cseq);
  }

  async remove(id: string): Promise<void> {
    this.check();
    return this.writer.write(() => {
      this.deleteOne.run(id);
    });
  }

  async listExpired(now: number): Promise<SubscriptionRecord[]> {
    this.check();
    return this.selectExpired.all(now).map(recordOf);
  }

  async listAll(): Promise<SubscriptionRecord[]> {
    this.check();
    return this.selectAll.all().map(recordOf);
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
