import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { GroupCommit } from '../../../src/store/sqlite/write-executor.js';

const dir = mkdtempSync(join(tmpdir(), 'presenced-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

interface Fixture {
  db: Database;
  /** A second connection, which sees only what was committed. */
  other: Database;
  insert(k: string, v: number): void;
  /** The committed rows, as `k=v`, read through the other connection. */
  committedRows(): string[];
  close(): void;
}

function fixture(): Fixture {
  const path = join(dir, `${n++}.db`);
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL) STRICT;
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE child (pid INTEGER NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED) STRICT;`);
  const other = new BetterSqlite3(path, { readonly: true });
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const rows = other.prepare('SELECT k, v FROM t ORDER BY k');
  return {
    db,
    other,
    insert: (k, v) => void insert.run(k, v),
    committedRows: () => (rows.all() as Array<{ k: string; v: number }>).map((r) => `${r.k}=${r.v}`),
    close() {
      other.close();
      db.close();
    },
  };
}

test('units submitted in one turn run in one transaction, in order, and resolve with their results after its commit', async () => {
  const f = fixture();
  const gc = new GroupCommit(f.db);
  const seenDuring: string[][] = [];
  const committed: number[] = [];
  const writes = [1, 2, 3].map((i) =>
    gc.write(
      () => {
        f.insert(`k${i}`, i);
        seenDuring.push(f.committedRows());
        return i * 10;
      },
      (result) => committed.push(result),
    ),
  );
  assert.deepEqual(f.committedRows(), [], 'nothing runs before the turn ends');
  assert.deepEqual(await Promise.all(writes), [10, 20, 30]);
  assert.deepEqual(seenDuring, [[], [], []], 'no unit was committed before the last one ran');
  assert.deepEqual(committed, [10, 20, 30]);
  assert.deepEqual(f.committedRows(), ['k1=1', 'k2=2', 'k3=3']);
  f.close();
});

test('a unit that throws is rolled back alone and rejects; the others of its batch commit', async () => {
  const f = fixture();
  const gc = new GroupCommit(f.db);
  const committed: string[] = [];
  const results = await Promise.allSettled([
    gc.write(() => f.insert('a', 1), () => committed.push('a')),
    gc.write(
      () => {
        f.insert('b', 2);
        f.insert('a', 9);
      },
      () => committed.push('b'),
    ),
    gc.write(() => f.insert('c', 3), () => committed.push('c')),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.equal((results[1] as PromiseRejectedResult).reason.code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
  assert.deepEqual(committed, ['a', 'c']);
  assert.deepEqual(f.committedRows(), ['a=1', 'c=3'], "b's first insert was rolled back with its unit");
  f.close();
});

test('a failed COMMIT rejects every unit of the batch, stores none of them and runs no committed step', async () => {
  const f = fixture();
  const gc = new GroupCommit(f.db);
  const committed: string[] = [];
  const orphan = f.db.prepare('INSERT INTO child (pid) VALUES (42)');
  const results = await Promise.allSettled([
    gc.write(() => f.insert('a', 1), () => committed.push('a')),
    // A deferred foreign key is checked at COMMIT: this unit passes, the commit fails.
    gc.write(() => void orphan.run(), () => committed.push('orphan')),
  ]);
  for (const r of results) assert.equal(r.status === 'rejected' && r.reason.code, 'SQLITE_CONSTRAINT_FOREIGNKEY');
  assert.deepEqual(committed, []);
  assert.deepEqual(f.committedRows(), []);
  assert.equal(f.db.inTransaction, false);
  assert.equal(await gc.write(() => f.insert('b', 2)), undefined, 'the next batch commits');
  assert.deepEqual(f.committedRows(), ['b=2']);
  f.close();
});

test('maxUnits waiting units commit at once, and flush commits the waiting ones now', async () => {
  const f = fixture();
  const gc = new GroupCommit(f.db, 2);
  const first = gc.write(() => f.insert('a', 1));
  assert.deepEqual(f.committedRows(), []);
  const second = gc.write(() => f.insert('b', 2));
  assert.deepEqual(f.committedRows(), ['a=1', 'b=2'], 'committed within the second write call');
  const third = gc.write(() => f.insert('c', 3));
  gc.flush();
  assert.deepEqual(f.committedRows(), ['a=1', 'b=2', 'c=3']);
  await Promise.all([first, second, third]);
  f.close();
});
