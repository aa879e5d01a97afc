import { join } from 'node:path';
import { MemoryStores } from './memory/memory-stores.js';
import type { Stores } from './ports.js';
import { openSqliteStores } from './sqlite/sqlite-stores.js';

/** Which stores to open: the `store` slice of the configuration. */
export interface StoreSelection {
  /** `sqlite` (the embedded default) or `memory` (lost on exit). */
  readonly kind: 'sqlite' | 'memory';
  /** Directory of the SQLite database (created if missing). */
  readonly dataDir: string;
  /** SQLite synchronous mode (see `SqliteStoreOptions.synchronous`). */
  readonly synchronous: 'NORMAL' | 'FULL';
}

/** The file name of the SQLite database within the data directory. */
export const DATABASE_FILE = 'presenced.db';

/**
 * Opens the configured stores: the SQLite database `<dataDir>/presenced.db` (migrated to this build's
 * schema), or fresh memory stores. `presenced serve` and the admin commands (`presenced users`) open the
 * same database this way.
 *
 * @throws StoreError `ERR_STORE_SCHEMA_TOO_NEW` or the SQLite / file system error (see `openSqliteStores`).
 */
export function openStores(selection: StoreSelection): Stores {
  if (selection.kind === 'memory') return new MemoryStores();
  return openSqliteStores(join(selection.dataDir, DATABASE_FILE), { synchronous: selection.synchronous });
}
