import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stores } from '../../src/store/ports.js';
import { openSqliteStores } from '../../src/store/sqlite/sqlite-stores.js';
import { storeContract } from './stores.contract.js';

storeContract('sqlite :memory:', async () => openSqliteStores(':memory:'));

const dir = mkdtempSync(join(tmpdir(), 'presenced-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const paths = new Map<Stores, string>();
let files = 0;

function open(path: string): Stores {
  const stores = openSqliteStores(path);
  paths.set(stores, path);
  return stores;
}

storeContract('sqlite file', async () => open(join(dir, `nested/dirs/${files++}.db`)), {
  async reopen(stores) {
    await stores.close();
    return open(paths.get(stores)!);
  },
});
