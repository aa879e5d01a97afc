import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { importSubscribersCsv } from '../../../src/hss/csv-import.js';
import { HssError } from '../../../src/hss/errors.js';
import type { CsvDefect } from '../../../src/hss/errors.js';
import { openSqliteStores } from '../../../src/store/sqlite/sqlite-stores.js';
import { registryFixture } from './support.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function csvDefects(expected: CsvDefect[]): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof HssError && err.code === 'ERR_HSS_CSV', String(err));
    assert.deepEqual(err.defects, expected);
    return true;
  };
}

test('import: header optional, every column, quoted display names, progress per batch', async () => {
  const { registry } = registryFixture();
  const csv = [
    'AOR,Password,Username,Aliases,Display name',
    'sip:alice@example.com,a-pw',
    'sip:bob@example.com, b pw ,bob-priv,tel:+1-555-0100; sip:bobby@example.com ,"Bob, the ""Builder"""',
    'sip:carol@example.com,c,,,Carol',
    'tel:+15550199,d',
    'sip:eve@example.com,e,,tel:+15550200',
  ].join('\r\n');
  const progress: Array<[number, number]> = [];
  const result = await importSubscribersCsv(registry, Buffer.from(csv), { batchSize: 2, onProgress: (d, t) => progress.push([d, t]) });
  assert.deepEqual(result, { added: 5, updated: 0 });
  assert.deepEqual(progress, [[0, 5], [2, 5], [4, 5], [5, 5]]);
  const bob = (await registry.get('sip:bob@example.com'))!;
  assert.equal(bob.username, 'bob-priv');
  assert.equal(bob.ha1Md5, md5('bob-priv:example.com: b pw '), 'the password is taken exactly as written');
  assert.deepEqual(bob.aliases, ['tel:+15550100', 'sip:bobby@example.com']);
  assert.equal(bob.displayName, 'Bob, the "Builder"');
  const carol = (await registry.get('sip:carol@example.com'))!;
  assert.equal(carol.username, 'carol');
  assert.deepEqual(carol.aliases, []);
  assert.equal(carol.displayName, 'Carol');
  assert.equal((await registry.resolveIdentity('tel:+15550200'))!.aor, 'sip:eve@example.com');
  assert.equal(await registry.count(), 5);
  // Without a header line the first row is a subscriber.
  const second = await importSubscribersCsv(registry, 'sip:frank@example.com,f\nsip:alice@example.com,new-pw');
  assert.deepEqual(second, { added: 1, updated: 1 });
  const alice = (await registry.get('sip:alice@example.com'))!;
  assert.equal(alice.ha1Md5, md5('alice:example.com:new-pw'));
  assert.equal(alice.createdAt, 1_000_000);
});

test('import: every row is checked first; defects are reported by line and nothing is written', async () => {
  const { registry } = registryFixture();
  await registry.add('sip:owner@example.com', 'pw', { aliases: ['tel:+19'] });
  const csv = [
    'aor,password',
    'sip:ok@example.com,pw',
    'sip:one-column@example.com',
    'not-a-uri,pw',
    'sip:nopw@example.com,',
    'sip:long@example.com,' + 'x'.repeat(129),
    'sip:ok@example.com,again',
    'sip:alias@example.com,pw,,tel:+19',
    'sip:user@example.com,pw,owner',
    'sip:bad"quote@example.com,pw',
    'sip:many@example.com,1,2,3,4,5',
    'sip:dupuser@example.com,pw,ok',
    'sip:fine@example.com,pw',
  ].join('\n');
  await assert.rejects(
    importSubscribersCsv(registry, csv),
    csvDefects([
      { line: 3, message: 'expected 2 to 5 columns (aor,password[,username][,aliases separated by ;][,display name]), found 1' },
      { line: 4, message: 'the AOR "not-a-uri" is not a sip, sips or tel URI of a user' },
      { line: 5, message: 'the password is empty' },
      { line: 6, message: 'the password is longer than 128 characters' },
      { line: 7, message: 'the identity sip:ok@example.com is also on line 2' },
      { line: 8, message: 'the identity tel:+19 belongs to the subscriber sip:owner@example.com' },
      { line: 9, message: 'the username owner belongs to the subscriber sip:owner@example.com' },
      { line: 10, message: 'a quote inside an unquoted field' },
      { line: 11, message: 'expected 2 to 5 columns (aor,password[,username][,aliases separated by ;][,display name]), found 6' },
      { line: 12, message: 'the username ok is also on line 2' },
    ]),
  );
  assert.equal(await registry.count(), 1);
  assert.equal(await registry.get('sip:ok@example.com'), undefined);
});

test('import: bounded input — size, rows, UTF-8 — and the defect list is capped', async () => {
  const { registry } = registryFixture();
  const rows = (n: number): string => Array.from({ length: n }, (_, i) => `sip:u${i}@example.com,pw`).join('\n');
  await assert.rejects(importSubscribersCsv(registry, rows(10), { maxBytes: 100 }), /more than the 100 allowed/);
  await assert.rejects(importSubscribersCsv(registry, `aor,password\n${rows(4)}`, { maxRows: 3 }), /more than 3 rows/);
  await assert.rejects(importSubscribersCsv(registry, Buffer.from([0x73, 0x69, 0x70, 0xff, 0x2c, 0x61])), /not valid UTF-8/);
  const bad = Array.from({ length: 7 }, (_, i) => `sip:u${i}@example.com`).join('\n');
  await assert.rejects(importSubscribersCsv(registry, bad, { maxDefects: 3 }), (err: unknown) => {
    assert.ok(err instanceof HssError);
    assert.deepEqual(err.defects.map((d) => d.line), [1, 2, 3]);
    assert.match(err.message, /7 defects \(the first 3 are listed\)/);
    return true;
  });
  assert.deepEqual(await importSubscribersCsv(registry, rows(3), { maxRows: 3 }), { added: 3, updated: 0 });
});

test('import on SQLite: a batch hit by a concurrent conflict is not written; earlier batches are', async () => {
  const stores = openSqliteStores(':memory:');
  const { registry } = registryFixture(stores);
  const csv = Array.from({ length: 6 }, (_, i) => `sip:u${i}@example.com,pw,,tel:+${i}`).join('\n');
  // Another writer takes tel:+4 once the import has checked its rows and written the first batch.
  let taken = false;
  const progress: number[] = [];
  await assert.rejects(
    importSubscribersCsv(registry, csv, {
      batchSize: 3,
      onProgress: (done) => {
        progress.push(done);
        if (done === 3 && !taken) {
          taken = true;
          void stores.subscribers.put({ ...registry.prepare({ aor: 'sip:other@example.com', password: 'x', aliases: ['tel:+4'] }) });
        }
      },
    }),
    (err: unknown) => err instanceof HssError && err.code === 'ERR_HSS_CONFLICT',
  );
  assert.deepEqual(progress, [0, 3]);
  assert.deepEqual((await registry.list({ limit: 10 })).map((r) => r.aor), ['sip:other@example.com', 'sip:u0@example.com', 'sip:u1@example.com', 'sip:u2@example.com']);
  assert.equal(await registry.get('sip:u3@example.com'), undefined, 'the refused batch is all or nothing');
  await stores.close();
});
