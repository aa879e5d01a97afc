import type { Database, Statement } from 'better-sqlite3';
import type { SubscriberRecord, SubscriberStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { identitiesOf, subscriberConflict } from '../subscriber-identities.js';
import type { WriteExecutor } from './write-executor.js';

interface SubscriberRow {
  aor: string;
  username: string;
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  display_name: string | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'aor, username, realm, ha1_md5, ha1_sha256, display_name, created_at, updated_at';

function rowOf(r: SubscriberRecord): SubscriberRow {
  return {
    aor: r.aor,
    username: r.username,
    realm: r.realm,
    ha1_md5: r.ha1Md5,
    ha1_sha256: r.ha1Sha256,
    display_name: r.displayName ?? null,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

/**
 * Subscribers in the `subscribers` table, with every identity (the AOR at position 0, then the aliases in
 * order) in `subscriber_identities`. Unique indexes on (username, realm) and on identity back the checks
 * that `put` makes first to name the conflict. Every read returns fresh objects.
 */
export class SqliteSubscriberStore implements SubscriberStore {
  private readonly selectOne: Statement<[string], SubscriberRow>;
  private readonly selectByUsername: Statement<[string, string], SubscriberRow>;
  private readonly selectByIdentity: Statement<[string], SubscriberRow>;
  private readonly selectAliases: Statement<[string], string>;
  private readonly selectPage: Statement<[string, number], SubscriberRow>;
  private readonly selectFirstPage: Statement<[number], SubscriberRow>;
  private readonly selectOwner: Statement<[string], string>;
  private readonly selectUserOwner: Statement<[string, string], string>;
  private readonly selectCount: Statement<[], number>;
  private readonly upsert: Statement<[SubscriberRow]>;
  private readonly insertIdentity: Statement<[string, string, number]>;
  private readonly deleteIdentities: Statement<[string]>;
  private readonly deleteOne: Statement<[string]>;

  constructor(
    private readonly db: Database,
    private readonly writer: WriteExecutor,
  ) {
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM subscribers WHERE aor = ?`);
    this.selectByUsername = db.prepare(`SELECT ${COLUMNS} FROM subscribers WHERE username = ? AND realm = ?`);
    this.selectByIdentity = db.prepare(
      `SELECT ${COLUMNS} FROM subscribers WHERE aor = (SELECT aor FROM subscriber_identities WHERE identity = ?)`,
    );
    this.selectAliases = db
      .prepare<[string], string>('SELECT identity FROM subscriber_identities WHERE aor = ? AND position > 0 ORDER BY position')
      .pluck();
    this.selectPage = db.prepare(`SELECT ${COLUMNS} FROM subscribers WHERE aor > ? ORDER BY aor LIMIT ?`);
    this.selectFirstPage = db.prepare(`SELECT ${COLUMNS} FROM subscribers ORDER BY aor LIMIT ?`);
    this.selectOwner = db.prepare<[string], string>('SELECT aor FROM subscriber_identities WHERE identity = ?').pluck();
    this.selectUserOwner = db.prepare<[string, string], string>('SELECT aor FROM subscribers WHERE username = ? AND realm = ?').pluck();
    this.selectCount = db.prepare<[], number>('SELECT count(*) FROM subscribers').pluck();
    // An upsert keeps the row (and so the identities' foreign key target) of a known AOR.
    this.upsert = db.prepare(
      `INSERT INTO subscribers (${COLUMNS}) VALUES (@aor, @username, @realm, @ha1_md5, @ha1_sha256, @display_name,
         @created_at, @updated_at)
       ON CONFLICT (aor) DO UPDATE SET username = excluded.username, realm = excluded.realm, ha1_md5 = excluded.ha1_md5,
         ha1_sha256 = excluded.ha1_sha256, display_name = excluded.display_name, created_at = excluded.created_at,
         updated_at = excluded.updated_at`,
    );
    this.insertIdentity = db.prepare('INSERT INTO subscriber_identities (identity, aor, position) VALUES (?, ?, ?)');
    this.deleteIdentities = db.prepare('DELETE FROM subscriber_identities WHERE aor = ?');
    this.deleteOne = db.prepare('DELETE FROM subscribers WHERE aor = ?');
  }

  async get(aor: string): Promise<SubscriberRecord | undefined> {
    this.check();
    const row = this.selectOne.get(aor);
    return row && this.recordOf(row);
  }

  async findByUsername(username: string, realm: string): Promise<SubscriberRecord | undefined> {
    this.check();
    const row = this.selectByUsername.get(username, realm);
    return row && this.recordOf(row);
  }

  async findByIdentity(identity: string): Promise<SubscriberRecord | undefined> {
    this.check();
    const row = this.selectByIdentity.get(identity);
    return row && this.recordOf(row);
  }

  async put(record: SubscriberRecord): Promise<void> {
    return this.putMany([record]);
  }

  async putMany(records: readonly SubscriberRecord[]): Promise<void> {
    this.check();
    const prepared = records.map((r) => ({ row: rowOf(r), identities: identitiesOf(r) }));
    // All records in one transaction: a refused one (thrown) rolls back those before it.
    return this.writer.write(() => {
      for (const { row, identities } of prepared) this.apply(row, identities);
    });
  }

  async remove(aor: string): Promise<boolean> {
    this.check();
    return this.writer.write(() => {
      this.deleteIdentities.run(aor);
      return this.deleteOne.run(aor).changes > 0;
    });
  }

  async list(opts: { after?: string; limit: number }): Promise<SubscriberRecord[]> {
    this.check();
    const limit = Math.max(0, opts.limit);
    const rows = opts.after === undefined ? this.selectFirstPage.all(limit) : this.selectPage.all(opts.after, limit);
    return rows.map((row) => this.recordOf(row));
  }

  async count(): Promise<number> {
    this.check();
    return this.selectCount.get()!;
  }

  /** Stores one record inside the current transaction; throws `ERR_STORE_CONFLICT` before changing anything of it. */
  private apply(row: SubscriberRow, identities: string[]): void {
    const userOwner = this.selectUserOwner.get(row.username, row.realm);
    if (userOwner !== undefined && userOwner !== row.aor) {
      throw subscriberConflict(`the username ${row.username} of realm ${row.realm} belongs to ${userOwner}`);
    }
    for (const identity of identities) {
      const owner = this.selectOwner.get(identity);
      if (owner !== undefined && owner !== row.aor) throw subscriberConflict(`the identity ${identity} belongs to ${owner}`);
    }
    this.upsert.run(row);
    this.deleteIdentities.run(row.aor);
    identities.forEach((identity, position) => this.insertIdentity.run(identity, row.aor, position));
  }

  private recordOf(row: SubscriberRow): SubscriberRecord {
    const r: SubscriberRecord = {
      aor: row.aor,
      username: row.username,
      realm: row.realm,
      ha1Md5: row.ha1_md5,
      ha1Sha256: row.ha1_sha256,
      aliases: this.selectAliases.all(row.aor),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
    if (row.display_name !== null) r.displayName = row.display_name;
    return r;
  }

  private check(): void {
    if (!this.db.open) throw storeClosed();
  }
}
