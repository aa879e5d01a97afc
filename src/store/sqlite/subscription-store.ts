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
 * How many CSeq numbers a durable write reserves for a dialog's NOTIFYs: the stored local_cseq runs up to
 * this far ahead of the last one handed out, so only one NOTIFY in this many waits for a write.
 */
export const CSEQ_BLOCK = 32;

/** A stored subscription's local CSeq: the last one handed out, and `mark`, its stored local_cseq (>= localCSeq, durable). */
interface LocalCSeq {
  localCSeq: number;
  mark: number;
}

/**
 * Subscriptions in the `subscriptions` table, with their dialog state. Reads query SQLite (the notifier
 * holds the running subscriptions in memory and reads the store only when it starts), and every read
 * returns fresh objects. Writes are group-committed (../sqlite/write-executor.ts): a read, which runs
 * between two flushes, sees only committed changes. The stores assume they are the only writer of the
 * table while open. Lists come in created_at then first-insertion order for a resource, earliest expiry
 * first for listExpired; those two scan the table (its resource and expiry indexes went with migration 4,
 * as they cost every write and no hot path lists subscriptions).
 *
 * CSeq numbers (RFC 3261 §12.2.1.1) are reserved in blocks: the stored local_cseq is a high-water mark
 * ({@link CSEQ_BLOCK} above the CSeq of a put, raised again by a write when a NOTIFY has used the block
 * up), and {@link nextLocalCSeq} hands out the numbers below it from memory, where the store keeps, per
 * subscription, only the last CSeq handed out and the mark. A number is handed out only when the mark
 * above it is durable, so a restart after a crash continues above every number ever used (a gap, which
 * RFC 3261 §12.2.2 has the subscriber accept); {@link settle}, when the stores close, stores the exact
 * CSeqs, so a graceful restart continues at the next one. Reads show the CSeq last handed out.
 */
export class SqliteSubscriptionStore implements SubscriptionStore {
  /** The local CSeq of every stored subscription, by id (changed only once a write committed). */
  private readonly cseqs = new Map<string, LocalCSeq>();
  /** The pending block reservation of a subscription, by id. */
  private readonly reserving = new Map<string, Promise<void>>();
  private readonly upsert: Statement<[SubscriptionRow]>;
  private readonly raiseMark: Statement<[number, string]>;
  private readonly settleMark: Statement<[number, string, number]>;
  private readonly deleteOne: Statement<[string]>;
  private readonly selectOne: Statement<[string], SubscriptionRow>;
  private readonly selectByResource: Statement<[string, string], SubscriptionRow>;
  private readonly selectExpired: Statement<[number], SubscriptionRow>;
  private readonly selectAll: Statement<[], SubscriptionRow>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    // An upsert keeps the rowid of a known id (its place in lists) and never lowers the mark, RFC 3261
    // §12.2.1.1: a stale record put back after a nextLocalCSeq keeps the raised value.
    this.upsert = db.prepare(
      `INSERT INTO subscriptions (${COLUMNS}) VALUES (${NAMES.map((n) => `@${n}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${UPDATES}, local_cseq = max(local_cseq, excluded.local_cseq)`,
    );
    this.raiseMark = db.prepare('UPDATE subscriptions SET local_cseq = max(local_cseq, ?) WHERE id = ?');
    // Lowers the mark to the exact CSeq only if it is still the mark this store wrote.
    this.settleMark = db.prepare('UPDATE subscriptions SET local_cseq = ? WHERE id = ? AND local_cseq = ?');
    this.deleteOne = db.prepare('DELETE FROM subscriptions WHERE id = ?');
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM subscriptions WHERE id = ?`);
    this.selectByResource = db.prepare(
      `SELECT ${COLUMNS} FROM subscriptions WHERE resource = ? AND event = ? ORDER BY created_at, rowid`,
    );
    this.selectExpired = db.prepare(`SELECT ${COLUMNS} FROM subscriptions WHERE expires_at <= ? ORDER BY expires_at, rowid`);
    this.selectAll = db.prepare(`SELECT ${COLUMNS} FROM subscriptions ORDER BY rowid`);
    // A stored local_cseq is a durable mark: after a crash some CSeqs below it may have been used.
    const marks: Statement<[], { id: string; local_cseq: number }> = db.prepare('SELECT id, local_cseq FROM subscriptions');
    for (const { id, local_cseq: mark } of marks.iterate()) this.cseqs.set(id, { localCSeq: mark, mark });
  }

  async get(id: string): Promise<SubscriptionRecord | undefined> {
    this.check();
    const row = this.selectOne.get(id);
    return row && this.recordOf(row);
  }

  async listByResource(resource: string, event: string): Promise<SubscriptionRecord[]> {
    this.check();
    return this.selectByResource.all(resource, event).map((row) => this.recordOf(row));
  }

  async put(record: SubscriptionRecord): Promise<void> {
    this.check();
    const row = rowOf(record);
    const { id, localCSeq } = record;
    const mark = localCSeq + CSEQ_BLOCK;
    row.local_cseq = mark;
    return this.writer.write(
      () => {
        this.upsert.run(row);
      },
      () => {
        const known = this.cseqs.get(id);
        // RFC 3261 §12.2.1.1: the local CSeq never goes down, even when a stale record is put back.
        if (!known) {
          this.cseqs.set(id, { localCSeq, mark });
        } else {
          known.localCSeq = Math.max(known.localCSeq, localCSeq);
          known.mark = Math.max(known.mark, mark);
        }
      },
    );
  }

  async nextLocalCSeq(id: string): Promise<number | undefined> {
    this.check();
    // Each pass hands out a number or waits for a reservation that raised the mark past the CSeq it saw.
    for (;;) {
      const c = this.cseqs.get(id);
      if (!c) return undefined;
      if (c.localCSeq < c.mark) return ++c.localCSeq;
      await this.reserve(id, c.localCSeq);
    }
  }

  async remove(id: string): Promise<void> {
    this.check();
    return this.writer.write(
      () => {
        this.deleteOne.run(id);
      },
      () => {
        this.cseqs.delete(id);
      },
    );
  }

  async listExpired(now: number): Promise<SubscriptionRecord[]> {
    this.check();
    return this.selectExpired.all(now).map((row) => this.recordOf(row));
  }

  async listAll(): Promise<SubscriptionRecord[]> {
    this.check();
    return this.selectAll.all().map((row) => this.recordOf(row));
  }

  /**
   * Stores the exact local CSeq of every subscription whose mark is ahead of it, so that the next start
   * continues with CSeq + 1 (RFC 3261 §12.2.1.1: increased by one). Runs as a write; the caller flushes.
   */
  settle(): Promise<void> {
    const ahead: Array<[string, number, number]> = [];
    for (const [id, c] of this.cseqs) if (c.localCSeq < c.mark) ahead.push([id, c.localCSeq, c.mark]);
    return this.writer.write(() => {
      for (const [id, localCSeq, mark] of ahead) this.settleMark.run(localCSeq, id, mark);
    });
  }

  /** Raises the mark of `id` a block above `localCSeq`; one reservation at a time per subscription. */
  private reserve(id: string, localCSeq: number): Promise<void> {
    let pending = this.reserving.get(id);
    if (!pending) {
      const mark = localCSeq + CSEQ_BLOCK;
      pending = this.writer
        .write(
          () => this.raiseMark.run(mark, id).changes,
          (changes) => {
            const now = this.cseqs.get(id);
            if (changes > 0 && now) now.mark = Math.max(now.mark, mark);
          },
        )
        .then(
          () => {
            this.reserving.delete(id);
          },
          (err: unknown) => {
            this.reserving.delete(id);
            throw err;
          },
        );
      this.reserving.set(id, pending);
    }
    return pending;
  }

  /** The record of `row`, with the CSeq last handed out (the row holds the mark above it). */
  private recordOf(row: SubscriptionRow): SubscriptionRecord {
    const r = recordOf(row);
    const c = this.cseqs.get(r.id);
    if (c) r.localCSeq = c.localCSeq;
    return r;
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
