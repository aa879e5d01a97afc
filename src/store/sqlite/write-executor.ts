import type { Database, Transaction } from 'better-sqlite3';

/**
 * How the SQLite stores run their writes. A write is a unit: a synchronous function running prepared
 * statements, which must apply all or nothing. The executor decides the transaction around it and
 * resolves once the unit is committed, which is when the durability contract of ../ports.ts holds.
 * Stores never open transactions themselves.
 */
export interface WriteExecutor {
  /**
   * Runs `unit` atomically and resolves with its result once committed; rejects, with nothing of the unit
   * applied, if it throws or its commit fails. `committed`, if given, runs with the result after the commit
   * and before the promise settles (never for a unit that did not commit): the place to update an
   * in-memory view of the database, so that it never shows a change that did not commit.
   */
  write<T>(unit: () => T, committed?: (result: T) => void): Promise<T>;
}

interface Pending {
  readonly unit: () => unknown;
  readonly committed: ((result: unknown) => void) | undefined;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: unknown) => void;
  result?: unknown;
  /** Set when the unit threw (and was rolled back to its savepoint). */
  failure?: { error: unknown };
}

/**
 * Group commit: the units submitted within one turn of the event loop (those of the datagrams read in one
 * I/O phase, flushed by `setImmediate`), or `maxUnits` of them, run in one `BEGIN IMMEDIATE … COMMIT`,
 * each under its own SAVEPOINT: a unit that throws is rolled back alone and rejects, the others commit.
 * Every promise settles after the COMMIT returned (resolve means durable, as ../ports.ts requires); a
 * failed BEGIN or COMMIT rejects every unit of the batch, none of which is then stored.
 *
 * One commit costs about as much as a one-row write (WAL frames, the sync with `synchronous=FULL`), so
 * batching divides that cost by the batch size under load, and costs one `setImmediate` of latency when
 * idle. better-sqlite3 is synchronous: a flush runs to completion on the event loop, and nothing else
 * reads or writes the database while it runs. IMMEDIATE takes the write lock up front: another connection
 * to the file (an admin tool) makes the batch wait up to the busy timeout instead of failing half-way.
 */
export class GroupCommit implements WriteExecutor {
  private queue: Pending[] = [];
  private readonly batch: Transaction<(units: Pending[]) => void>;

  /** @param maxUnits flush at once when this many units wait (>= 1), without waiting for the turn to end. */
  constructor(
    db: Database,
    private readonly maxUnits = 256,
  ) {
    // Called inside the batch's transaction, better-sqlite3 runs a transaction function under a SAVEPOINT
    // and rolls back to it (then rethrows) when the function throws.
    const one = db.transaction((unit: () => unknown) => unit());
    this.batch = db.transaction((units: Pending[]) => {
      // A unit alone needs no savepoint: if it throws, the whole transaction is rolled back.
      if (units.length === 1) {
        units[0]!.result = units[0]!.unit();
        return;
      }
      for (const u of units) {
        try {
          u.result = one(u.unit);
        } catch (error) {
          u.failure = { error };
        }
      }
    });
  }

  write<T>(unit: () => T, committed?: (result: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ unit, committed: committed as Pending['committed'], resolve: resolve as Pending['resolve'], reject });
      if (this.queue.length >= this.maxUnits) this.flush();
      else if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits the waiting units now (the stores call it before closing the database). */
  flush(): void {
    const units = this.queue;
    if (units.length === 0) return;
    this.queue = [];
    try {
      this.batch.immediate(units);
    } catch (err) {
      // BEGIN or COMMIT failed, or the only unit threw (better-sqlite3 rolled back what was open): nothing
      // of the batch is stored.
      for (const u of units) u.reject(err);
      return;
    }
    for (const u of units) {
      if (u.failure) {
        u.reject(u.failure.error);
      } else {
        u.committed?.(u.result);
        u.resolve(u.result);
      }
    }
  }
}
