import type { Database, Statement } from 'better-sqlite3';
import type { SubscriptionRecord, SubscriptionStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { copySubscription } from '../memory/copy.js';
import { RecordTable, pairKey } from '../memory/record-table.js';
import { flowColumns, flowOf, stringsOf } from './columns.js';
import type { FlowColumns } from './columns.js';
import { SharedStrings, sameAs } from './shared-strings.js';
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

function byCreation(a: SubscriptionRecord, b: SubscriptionRecord): number {
  return a.createdAt - b.createdAt;
}

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

/** A subscription as the table keeps it, with `mark`: its stored local_cseq (>= localCSeq, durable). */
type Cached = SubscriptionRecord & { mark: number };

/**
 * Subscriptions in the `subscriptions` table, with their dialog state, read from a write-through
 * in-memory table: loaded when the store is built, changed only once a write committed (the executor's
 * `committed` step), so reads never touch SQLite and never show a change that did not commit. The stores
 * assume they are the only writer of the table while open. Lists come in created_at then first-insertion
 * order for a resource, earliest expiry first for listExpired. Reads return copies (a body Buffer is the
 * table's own copy, to be treated as read-only).
 *
 * CSeq numbers (RFC 3261 §12.2.1.1) are reserved in blocks: the stored local_cseq is a high-water mark
 * ({@link CSEQ_BLOCK} above the CSeq of a put, raised again by a write when a NOTIFY has used the block
 * up), and {@link nextLocalCSeq} hands out the numbers below it from memory. A number is handed out only
 * when the mark above it is durable, so a restart after a crash continues above every number ever used
 * (a gap, which RFC 3261 §12.2.2 has the subscriber accept); {@link settle}, when the stores close, stores
 * the exact CSeqs, so a graceful restart continues at the next one.
 */
export class SqliteSubscriptionStore implements SubscriptionStore {
  private readonly table = new RecordTable<Cached>((r) => r.expiresAt);
  private readonly strings = new SharedStrings();
  /** The pending block reservation of a subscription, by id. */
  private readonly reserving = new Map<string, Promise<void>>();
  private readonly upsert: Statement<[SubscriptionRow]>;
  private readonly raiseMark: Statement<[number, string]>;
  private readonly settleMark: Statement<[number, string, number]>;
  private readonly deleteOne: Statement<[string]>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    // An upsert keeps the rowid of a known id (as the table keeps its place in lists) and never lowers the
    // mark, RFC 3261 §12.2.1.1: a stale record put back after a nextLocalCSeq keeps the raised value.
    this.upsert = db.prepare(
      `INSERT INTO subscriptions (${COLUMNS}) VALUES (${NAMES.map((n) => `@${n}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${UPDATES}, local_cseq = max(local_cseq, excluded.local_cseq)`,
    );
    this.raiseMark = db.prepare('UPDATE subscriptions SET local_cseq = max(local_cseq, ?) WHERE id = ?');
    // Lowers the mark to the exact CSeq only if it is still the mark this store wrote.
    this.settleMark = db.prepare('UPDATE subscriptions SET local_cseq = ? WHERE id = ? AND local_cseq = ?');
    this.deleteOne = db.prepare('DELETE FROM subscriptions WHERE id = ?');
    const selectAll: Statement<[], SubscriptionRow> = db.prepare(`SELECT ${COLUMNS} FROM subscriptions ORDER BY rowid`);
    for (const row of selectAll.iterate()) this.store(this.cachedOf(recordOf(row), row.local_cseq));
  }

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
    const stored = this.cachedOf(copySubscription(record, true), record.localCSeq + CSEQ_BLOCK);
    const row = rowOf(stored);
    row.local_cseq = stored.mark;
    return this.writer.write(
      () => {
        this.upsert.run(row);
      },
      () => {
        const old = this.table.get(stored.id);
        // RFC 3261 §12.2.1.1: the local CSeq never goes down, even when a stale record is put back.
        if (old) {
          stored.localCSeq = Math.max(stored.localCSeq, old.localCSeq);
          stored.mark = Math.max(stored.mark, old.mark);
        }
        this.store(stored);
      },
    );
  }

  async nextLocalCSeq(id: string): Promise<number | undefined> {
    this.check();
    // Each pass hands out a number or waits for a reservation that raised the mark past the CSeq it saw.
    for (;;) {
      const r = this.table.get(id);
      if (!r) return undefined;
      if (r.localCSeq < r.mark) return ++r.localCSeq;
      await this.reserve(r);
    }
  }

  async remove(id: string): Promise<void> {
    this.check();
    return this.writer.write(
      () => {
        this.deleteOne.run(id);
      },
      () => this.table.delete(id),
    );
  }

  async listExpired(now: number): Promise<SubscriptionRecord[]> {
    this.check();
    return this.table.expired(now).map((r) => copySubscription(r, false));
  }

  async listAll(): Promise<SubscriptionRecord[]> {
    this.check();
    return this.table.all().map((r) => copySubscription(r, false));
  }

  /**
   * Stores the exact local CSeq of every subscription whose mark is ahead of it, so that the next start
   * continues with CSeq + 1 (RFC 3261 §12.2.1.1: increased by one). Runs as a write; the caller flushes.
   */
  settle(): Promise<void> {
    const ahead = this.table.all().filter((r) => r.localCSeq < r.mark);
    return this.writer.write(() => {
      for (const r of ahead) this.settleMark.run(r.localCSeq, r.id, r.mark);
    });
  }

  /** Raises `r`'s mark a block above its CSeq; one reservation at a time per subscription. */
  private reserve(r: Cached): Promise<void> {
    let pending = this.reserving.get(r.id);
    if (!pending) {
      const { id } = r;
      const mark = r.localCSeq + CSEQ_BLOCK;
      pending = this.writer
        .write(
          () => this.raiseMark.run(mark, id).changes,
          (changes) => {
            const now = this.table.get(id);
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

  /** `r` (a copy of the caller's record) made the table's, with its mark and shared strings. */
  private cachedOf(r: SubscriptionRecord, mark: number): Cached {
    const { strings } = this;
    r.event = strings.of(r.event);
    r.state = strings.of(r.state) as SubscriptionRecord['state'];
    r.localTag = sameAs(r.localTag, r.id);
    r.localUri = sameAs(r.localUri, r.resource);
    r.remoteUri = sameAs(r.remoteUri, r.watcher);
    if (r.flow) r.flow.transport = strings.of(r.flow.transport);
    return Object.assign(r, { mark });
  }

  private store(r: Cached): void {
    this.table.set(r.id, pairKey(r.resource, r.event), r);
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
