import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../src/store/sqlite/migrations.js';
import type { Migration } from '../../../src/store/sqlite/migrations.js';
import { StoreError } from '../../../src/store/errors.js';

function version(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function tables(db: BetterSqlite3.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
}

const V1: Migration = { version: 1, summary: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT;' };
const V2: Migration = { version: 2, summary: 'notes.author', sql: "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'unknown';" };

test('a new database gets every table and the current schema version; migrating again changes nothing', () => {
  const db = new BetterSqlite3(':memory:');
  assert.equal(version(db), 0);
  assert.equal(migrate(db), SCHEMA_VERSION);
  assert.equal(version(db), SCHEMA_VERSION);
  assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
  const all = ['bindings', 'publications', 'subscriber_identities', 'subscribers', 'subscriptions', 'watcher_info', 'xcap_documents'];
  assert.deepEqual(tables(db), all);
  assert.equal(migrate(db), SCHEMA_VERSION);
  assert.deepEqual(tables(db), all);
  db.close();
});

test('the released migrations are numbered 1, 2, 3, … without gaps', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
});

test('a forward migration applies only the newer steps and keeps the data', () => {
  const db = new BetterSqlite3(':memory:');
  assert.equal(migrate(db, [V1]), 1);
  db.prepare('INSERT INTO notes (text) VALUES (?)').run('kept');
  assert.equal(migrate(db, [V1, V2]), 2);
  assert.equal(version(db), 2);
  assert.deepEqual(db.prepare('SELECT text, author FROM notes').all(), [{ text: 'kept', author: 'unknown' }]);
  db.close();
});

test('a failing step is rolled back whole and the version stays at the step before', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db, [V1]);
  const broken: Migration = { version: 2, summary: 'broken', sql: 'CREATE TABLE extra (x INTEGER) STRICT; ALTER TABLE missing ADD COLUMN y TEXT;' };
  assert.throws(() => migrate(db, [V1, broken]), /no such table: missing/);
  assert.equal(version(db), 1);
  assert.deepEqual(tables(db), ['notes']);
  db.close();
});

test('a database from a newer presenced is refused with ERR_STORE_SCHEMA_TOO_NEW and left as it is', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db, [V1, V2]);
  assert.throws(
    () => migrate(db, [V1]),
    (err: unknown) => err instanceof StoreError && err.code === 'ERR_STORE_SCHEMA_TOO_NEW' && /version 2/.test(err.message),
  );
  assert.equal(version(db), 2);
  db.close();
});

test('a migration list with a gap is a bug, refused before anything runs', () => {
  const db = new BetterSqlite3(':memory:');
  assert.throws(() => migrate(db, [V1, { ...V2, version: 3 }]), /migration 1 has version 3/);
  assert.equal(version(db), 0);
  db.close();
});

test('a version 1 database (issue 3) gains the subscriber and XCAP tables and keeps its rows', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db, MIGRATIONS.slice(0, 1));
  db.prepare("INSERT INTO bindings (aor, binding_key, contact, contact_header, call_id, cseq, expires_at, updated_at, path) VALUES ('sip:a@x', 'c:sip:a@y', 'sip:a@y', '<sip:a@y>', 'c', 1, 2, 3, '[]')").run();
  assert.equal(migrate(db), SCHEMA_VERSION);
  assert.equal(db.prepare('SELECT count(*) FROM bindings').pluck().get(), 1);
  db.prepare("INSERT INTO subscribers VALUES ('sip:a@x', 'a', 'x', 'm', 's', NULL, 1, 1)").run();
  assert.throws(() => db.prepare("INSERT INTO subscribers VALUES ('sip:b@x', 'a', 'x', 'm', 's', NULL, 1, 1)").run(), /UNIQUE constraint failed/);
  db.close();
});

test('version 4 drops the resource and expiry indexes of publications and subscriptions, keeping their rows', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db, MIGRATIONS.slice(0, 3));
  const indexes = (): string[] =>
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('publications', 'subscriptions') AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];
  assert.deepEqual(indexes(), ['publications_by_expiry', 'publications_by_resource', 'subscriptions_by_expiry', 'subscriptions_by_resource']);
  db.prepare("INSERT INTO publications VALUES ('e', 'sip:a@x', 'presence', 2, 'application/pidf+xml', x'00', 'user', 'sip:a@x', 1, 1)").run();
  assert.equal(migrate(db), SCHEMA_VERSION);
  assert.deepEqual(indexes(), []);
  assert.equal(db.prepare('SELECT count(*) FROM publications').pluck().get(), 1);
  db.close();
});

test('version 5 keys publications by a row id, without an index on the entity tag, keeping the rows and their order', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db, MIGRATIONS.slice(0, 4));
  const insert = db.prepare("INSERT INTO publications VALUES (?, 'sip:a@x', 'presence', 2, 'application/pidf+xml', x'00', 'user', 'sip:a@x', 1, 1)");
  for (const etag of ['c', 'a', 'b']) insert.run(etag);
  db.prepare("DELETE FROM publications WHERE etag = 'a'").run();
  const before = db.prepare('SELECT rowid, etag FROM publications ORDER BY rowid').all();
  assert.equal(migrate(db), SCHEMA_VERSION);
  assert.deepEqual(db.prepare('SELECT id AS rowid, etag FROM publications ORDER BY id').all(), before);
  const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'publications'").pluck().all();
  assert.deepEqual(indexes, []);
  assert.deepEqual(tables(db).includes('publications_v5'), false);
  db.close();
});
