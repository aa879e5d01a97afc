import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { bindingKey } from '../../../src/store/ports.js';
import type { BindingRecord, PublicationRecord, SubscriptionRecord } from '../../../src/store/ports.js';
import { StoreError } from '../../../src/store/errors.js';
import { openSqliteStores } from '../../../src/store/sqlite/sqlite-stores.js';
import { CSEQ_BLOCK } from '../../../src/store/sqlite/subscription-store.js';
import { SCHEMA_VERSION } from '../../../src/store/sqlite/migrations.js';
import { binding, publication, subscription } from '../../contracts/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'presenced-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `t${n++}`, 'state.db');

/** What a kill -9 would leave of the open database at `path` now: a copy of the file and its WAL. */
function crashCopy(path: string): string {
  const copy = fresh();
  mkdirSync(dirname(copy), { recursive: true });
  copyFileSync(path, copy);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  rmSync(`${copy}-shm`, { force: true });
  return copy;
}

test('opening a file creates its directory, puts it in WAL mode and at the current schema version', async () => {
  const path = fresh();
  const stores = openSqliteStores(path);
  assert.ok(existsSync(path));
  const other = new BetterSqlite3(path, { readonly: true });
  assert.equal(other.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(other.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  other.close();
  await stores.close();
});

test('a write is committed when its promise resolves: another connection sees it at once', async () => {
  const path = fresh();
  const stores = openSqliteStores(path, { synchronous: 'FULL' });
  const other = new BetterSqlite3(path, { readonly: true });
  const count = other.prepare('SELECT count(*) AS n FROM publications').pluck();
  await stores.publications.put(publication(1));
  assert.equal(count.get(), 1);
  await stores.subscriptions.put(subscription(1));
  assert.equal(await stores.subscriptions.nextLocalCSeq('sub-1'), 1);
  // The stored CSeq is the reserved high-water mark, at or above every CSeq handed out.
  assert.ok((other.prepare("SELECT local_cseq FROM subscriptions WHERE id = 'sub-1'").pluck().get() as number) >= 1);
  other.close();
  await stores.close();
});

test('a put with replacing that fails half-way leaves the old publication in place', async () => {
  const stores = openSqliteStores(':memory:');
  await stores.publications.put(publication(1));
  // An unknown source fails the CHECK constraint on insert, after the DELETE of the old tag ran.
  const bad = publication(2, { source: 'bogus' as PublicationRecord['source'] });
  await assert.rejects(stores.publications.put(bad, 'etag-1'), /CHECK constraint failed/);
  assert.deepEqual(await stores.publications.get('etag-1'), publication(1));
  assert.equal(await stores.publications.get('etag-2'), undefined);
  assert.deepEqual(await stores.publications.listAll(), [publication(1)]);
  await stores.close();
});

/** Reopened, the file at `path` holds `only` and no other row. */
async function assertStoredOnly(path: string, only: PublicationRecord): Promise<void> {
  const stores = openSqliteStores(path);
  assert.deepEqual(await stores.publications.listAll(), [only]);
  await stores.close();
  const other = new BetterSqlite3(path, { readonly: true });
  assert.equal(other.prepare('SELECT count(*) FROM publications').pluck().get(), 1);
  other.close();
}

test('a put with replacing re-keys the stored row: reopened, the file holds the new tag only, and one row per tag', async () => {
  const path = fresh();
  const stores = openSqliteStores(path);
  await stores.publications.put(publication(1));
  await stores.publications.put(publication(2));
  const modified = publication(3, { createdAt: publication(1).createdAt, modifiedAt: publication(1).modifiedAt + 50, body: Buffer.from('new') });
  await stores.publications.put(modified, 'etag-1');
  // A new tag already stored: that row gives way, as the delete and upsert did.
  const onto = publication(2, { modifiedAt: publication(2).modifiedAt + 9, body: Buffer.from('onto') });
  await stores.publications.put(onto, 'etag-3');
  await stores.close();
  await assertStoredOnly(path, onto);
});

test('writes of one entity tag issued together, without waiting, leave one row per tag, the last written', async () => {
  const path = fresh();
  const stores = openSqliteStores(path);
  const p = stores.publications;
  const second = publication(1, { modifiedAt: publication(1).modifiedAt + 1, body: Buffer.from('second') });
  const renamed = publication(2, { createdAt: publication(1).createdAt, body: Buffer.from('renamed') });
  const third = publication(3);
  await Promise.all([p.put(publication(1)), p.put(second), p.put(renamed, 'etag-1'), p.put(third), p.remove('etag-3')]);
  assert.deepEqual(await p.listAll(), [renamed]);
  await stores.close();
  await assertStoredOnly(path, renamed);
});

test('a put replacing a tag the file does not hold stores the record', async () => {
  const path = fresh();
  let stores = openSqliteStores(path);
  await stores.publications.put(publication(1), 'etag-9');
  await stores.close();
  stores = openSqliteStores(path);
  assert.deepEqual(await stores.publications.listAll(), [publication(1)]);
  await stores.close();
});

test('a replaceAor that fails on its last binding leaves the AOR as it was', async () => {
  const stores = openSqliteStores(':memory:');
  const before = [binding(1), binding(2)];
  await stores.bindings.replaceAor('sip:alice@example.com', before);
  const bad: BindingRecord = binding(4, { cseq: 'four' as unknown as number });
  await assert.rejects(stores.bindings.replaceAor('sip:alice@example.com', [binding(3), bad]), /cannot store TEXT value in INTEGER column/);
  assert.deepEqual(await stores.bindings.listByAor('sip:alice@example.com'), before);
  await stores.bindings.remove('sip:alice@example.com', bindingKey(binding(1)));
  assert.deepEqual(await stores.bindings.listByAor('sip:alice@example.com'), [binding(2)]);
  await stores.close();
});

test('a database of a newer schema is refused with ERR_STORE_SCHEMA_TOO_NEW and not changed', () => {
  const path = fresh();
  openSqliteStores(path).close();
  const db = new BetterSqlite3(path);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(
    () => openSqliteStores(path),
    (err: unknown) => err instanceof StoreError && err.code === 'ERR_STORE_SCHEMA_TOO_NEW',
  );
  const check = new BetterSqlite3(path, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
  check.close();
});

test('reads hand out fresh Buffers: changing one read does not change the next', async () => {
  const stores = openSqliteStores(':memory:');
  const rec: PublicationRecord = publication(1, { body: Buffer.from('abc') });
  await stores.publications.put(rec);
  const first = (await stores.publications.get('etag-1'))!;
  first.body[0] = 0x7a;
  assert.equal((await stores.publications.get('etag-1'))!.body.toString(), 'abc');
  await stores.close();
});

test('a batch that cannot start (file locked) rejects every write of it, and reads show none of them', async () => {
  const path = fresh();
  const stores = openSqliteStores(path, { busyTimeoutMs: 0 });
  await stores.publications.put(publication(1));
  await stores.subscriptions.put(subscription(1, { localCSeq: 3 }));
  const locker = new BetterSqlite3(path);
  locker.exec('BEGIN IMMEDIATE');
  const results = await Promise.allSettled([
    stores.publications.put(publication(2)),
    stores.publications.put(publication(3), 'etag-1'),
    stores.publications.remove('etag-1'),
    stores.subscriptions.put(subscription(1, { state: 'terminated', localCSeq: 50 })),
    stores.subscriptions.put(subscription(2)),
    stores.subscriptions.remove('sub-1'),
  ]);
  for (const r of results) assert.equal(r.status === 'rejected' && (r.reason as { code?: string }).code, 'SQLITE_BUSY');
  assert.deepEqual(await stores.publications.listAll(), [publication(1)]);
  assert.deepEqual(await stores.subscriptions.listAll(), [subscription(1, { localCSeq: 3 })]);
  locker.exec('ROLLBACK');
  locker.close();
  await stores.publications.put(publication(3), 'etag-1');
  assert.deepEqual(await stores.publications.listAll(), [publication(3)]);
  await stores.close();
});

test('a NOTIFY CSeq beyond the reserved block waits for the reservation, and one that failed hands out nothing', async () => {
  const path = fresh();
  const stores = openSqliteStores(path, { busyTimeoutMs: 0 });
  const s = stores.subscriptions;
  await s.put(subscription(1));
  const locker = new BetterSqlite3(path);
  locker.exec('BEGIN IMMEDIATE');
  // The put reserved the first block: those CSeqs need no write, and are handed out while the file is locked.
  for (let i = 1; i <= CSEQ_BLOCK; i++) assert.equal(await s.nextLocalCSeq('sub-1'), i);
  await assert.rejects(s.nextLocalCSeq('sub-1'), (err: { code?: string }) => err.code === 'SQLITE_BUSY');
  locker.exec('ROLLBACK');
  locker.close();
  assert.equal(await s.nextLocalCSeq('sub-1'), CSEQ_BLOCK + 1);
  assert.equal((await s.get('sub-1'))!.localCSeq, CSEQ_BLOCK + 1);
  await stores.close();
});

test('after a crash, the next NOTIFY CSeq is above every one handed out, stale puts included (RFC 3261 §12.2.1.1)', async () => {
  const path = fresh();
  const stores = openSqliteStores(path);
  const s = stores.subscriptions;
  await s.put(subscription(1, { localCSeq: 5 }));
  await s.put(subscription(2, { localCSeq: 5 }));
  const stale = (await s.get('sub-1'))!;
  let last = 0;
  for (let i = 0; i < CSEQ_BLOCK + 3; i++) last = (await s.nextLocalCSeq('sub-1'))!;
  assert.equal(last, 5 + CSEQ_BLOCK + 3);
  await s.put({ ...stale, remoteCSeq: 2 });
  assert.equal((await s.get('sub-1'))!.localCSeq, last);
  assert.equal(await s.nextLocalCSeq('sub-2'), 6);

  const copy = crashCopy(path);
  await stores.close();
  const after = openSqliteStores(copy);
  const [next1, next2] = [await after.subscriptions.nextLocalCSeq('sub-1'), await after.subscriptions.nextLocalCSeq('sub-2')];
  assert.ok(next1! > last, `${next1} > ${last}`);
  assert.ok(next2! > 6, `${next2} > 6`);
  assert.equal((await after.subscriptions.get('sub-1'))!.remoteCSeq, 2);
  await after.close();
});

test('a graceful close stores the exact CSeqs, and only over the marks this process wrote', async () => {
  const path = fresh();
  const stores = openSqliteStores(path);
  await stores.subscriptions.put(subscription(1));
  await stores.subscriptions.put(subscription(2));
  assert.equal(await stores.subscriptions.nextLocalCSeq('sub-1'), 1);
  assert.equal(await stores.subscriptions.nextLocalCSeq('sub-2'), 1);
  // Another process (say, after this one was taken for dead) raised sub-2's CSeq meanwhile: it stays.
  const other = new BetterSqlite3(path);
  other.prepare("UPDATE subscriptions SET local_cseq = 1000 WHERE id = 'sub-2'").run();
  other.close();
  await stores.close();
  const check = new BetterSqlite3(path, { readonly: true });
  assert.deepEqual(check.prepare('SELECT id, local_cseq FROM subscriptions ORDER BY id').raw().all(), [['sub-1', 1], ['sub-2', 1000]]);
  check.close();
});

test('in a batch, a write that fails leaves its record as it was, and the others of the batch show', async () => {
  const stores = openSqliteStores(':memory:');
  await stores.subscriptions.put(subscription(1));
  await stores.publications.put(publication(1));
  const results = await Promise.allSettled([
    stores.subscriptions.put(subscription(1, { state: 'bogus' as SubscriptionRecord['state'], remoteCSeq: 9 })),
    stores.subscriptions.put(subscription(2)),
    stores.publications.put(publication(2, { source: 'bogus' as PublicationRecord['source'] }), 'etag-1'),
    stores.publications.put(publication(3)),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual(await stores.subscriptions.listAll(), [subscription(1), subscription(2)]);
  assert.deepEqual(await stores.publications.listAll(), [publication(1), publication(3)]);
  await stores.close();
});
