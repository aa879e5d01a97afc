import type { Database, Transaction } from 'better-sqlite3';

/**
 * How the SQLite stores run their writes. A write is a unit: a synchronous function running prepared
 * statements, which must apply all or nothing. The executor decides the transaction around it and
 * resolves once the unit is committed, which is when the durability contract of ../ports.ts holds.
 *
 * Stores never open transactions themselves, so a later batching executor (several units in one
 * transaction, each under a savepoint, resolved together after one commit) can replace
 * {@link TransactionPerWrite} without touching them.
 */
export interface WriteExecutor {
  /** Runs `unit` atomically; resolves with its result once committed, rejects (with nothing applied) if it throws. */
  write<T>(unit: () => T): Promise<T>;
}

/**
 * One `BEGIN IMMEDIATE … COMMIT` per unit. better-sqlite3 is synchronous: when `write` returns, the commit
 * has been handed to the OS (and, with synchronous=FULL, synced), so the promise it returns is already
 * settled. IMMEDIATE takes the write lock up front: another connection to the file (an admin tool) makes
 * the unit wait up to the busy timeout instead of failing half-way.
 */
export class TransactionPerWrite implements WriteExecutor {
  private readonly tx: Transaction<(unit: () => unknown) => unknown>;

  constructor(db: Database) {
    this.tx = db.transaction((unit: () => unknown) => unit());
  }

  write<T>(unit: () => T): Promise<T> {
    try {
      return Promise.resolve(this.tx.immediate(unit) as T);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
