import type { Database, Statement } from 'better-sqlite3';
import type { BindingRecord, BindingStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { bindingKeysOf } from '../binding-keys.js';
import { flowColumns, flowOf, stringsOf } from './columns.js';
import type { FlowColumns } from './columns.js';
import type { WriteExecutor } from './write-executor.js';

interface BindingRow extends FlowColumns {
  aor: string;
  binding_key: string;
  contact: string;
  contact_header: string;
  instance: string | null;
  reg_id: number | null;
  q: number | null;
  call_id: string;
  cseq: number;
  expires_at: number;
  updated_at: number;
  path: string;
  user_agent: string | null;
}

const NAMES = [
  'aor', 'binding_key', 'contact', 'contact_header', 'instance', 'reg_id', 'q', 'call_id', 'cseq', 'expires_at',
  'updated_at', 'flow_transport', 'flow_address', 'flow_port', 'flow_id', 'path', 'user_agent',
] as const satisfies ReadonlyArray<keyof BindingRow>;

const COLUMNS = NAMES.join(', ');

function rowOf(b: BindingRecord, key: string): BindingRow {
  return {
    aor: b.aor,
    binding_key: key,
    contact: b.contact,
    contact_header: b.contactHeader,
    instance: b.instance ?? null,
    reg_id: b.regId ?? null,
    q: b.q ?? null,
    call_id: b.callId,
    cseq: b.cseq,
    expires_at: b.expiresAt,
    updated_at: b.updatedAt,
    ...flowColumns(b.flow),
    path: JSON.stringify(b.path),
    user_agent: b.userAgent ?? null,
  };
}

function recordOf(row: BindingRow): BindingRecord {
  const b: BindingRecord = {
    aor: row.aor,
    contact: row.contact,
    contactHeader: row.contact_header,
    callId: row.call_id,
    cseq: row.cseq,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
    path: stringsOf(row.path),
  };
  if (row.instance !== null) b.instance = row.instance;
  if (row.reg_id !== null) b.regId = row.reg_id;
  if (row.q !== null) b.q = row.q;
  const flow = flowOf(row);
  if (flow) b.flow = flow;
  if (row.user_agent !== null) b.userAgent = row.user_agent;
  return b;
}

/**
 * Registrar bindings in the `bindings` table, keyed by (aor, binding_key) where binding_key is the
 * ports' `bindingKey`. An AOR's bindings list in the order `replaceAor` was given them (rowid order);
 * expired ones earliest first. Every read returns fresh objects.
 */
export class SqliteBindingStore implements BindingStore {
  private readonly selectByAor: Statement<[string], BindingRow>;
  private readonly selectExpired: Statement<[number], BindingRow>;
  private readonly insert: Statement<[BindingRow]>;
  private readonly deleteAor: Statement<[string]>;
  private readonly deleteOne: Statement<[string, string]>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    this.selectByAor = db.prepare(`SELECT ${COLUMNS} FROM bindings WHERE aor = ? ORDER BY rowid`);
    this.selectExpired = db.prepare(`SELECT ${COLUMNS} FROM bindings WHERE expires_at <= ? ORDER BY expires_at, rowid`);
    this.insert = db.prepare(`INSERT INTO bindings (${COLUMNS}) VALUES (${NAMES.map((n) => `@${n}`).join(', ')})`);
    this.deleteAor = db.prepare('DELETE FROM bindings WHERE aor = ?');
    this.deleteOne = db.prepare('DELETE FROM bindings WHERE aor = ? AND binding_key = ?');
  }

  async listByAor(aor: string): Promise<BindingRecord[]> {
    this.check();
    return this.selectByAor.all(aor).map(recordOf);
  }

  async replaceAor(aor: string, bindings: BindingRecord[]): Promise<void> {
    this.check();
    const keys = bindingKeysOf(aor, bindings);
    const rows = bindings.map((b, i) => rowOf(b, keys[i]!));
    // RFC 3261 §10.3 step 8: the whole REGISTER is applied in one transaction, or not at all.
    return this.writer.write(() => {
      this.deleteAor.run(aor);
      for (const row of rows) this.insert.run(row);
    });
  }

  async listExpired(now: number): Promise<BindingRecord[]> {
    this.check();
    return this.selectExpired.all(now).map(recordOf);
  }

  async remove(aor: string, key: string): Promise<void> {
    this.check();
    return this.writer.write(() => {
      this.deleteOne.run(aor, key);
    });
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
