import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SubscriberRecord, Stores } from '../../src/store/ports.js';
import { StoreError } from '../../src/store/errors.js';
import { fullSubscriber, subscriber } from './fixtures.js';

function conflict(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'ERR_STORE_CONFLICT';
}

/** The SubscriberStore part of the store contract; `stores()` is the adapter under test. */
export function subscriberContract(stores: () => Stores): void {
  test('subscribers: put then get, findByUsername and findByIdentity (AOR and every alias) return exactly what was put', async () => {
    const s = stores().subscribers;
    const full = fullSubscriber(1);
    const bare = subscriber(2);
    await s.put(full);
    await s.put(bare);
    assert.deepEqual(await s.get(full.aor), full);
    const got = await s.get(bare.aor);
    assert.deepEqual(got, bare);
    assert.ok(!('displayName' in got!), 'displayName absent');
    assert.deepEqual(await s.findByUsername('user1', 'example.com'), full);
    assert.equal(await s.findByUsername('user1', 'example.org'), undefined);
    assert.equal(await s.findByUsername('User1', 'example.com'), undefined);
    for (const identity of [full.aor, ...full.aliases]) assert.deepEqual(await s.findByIdentity(identity), full, identity);
    assert.deepEqual(await s.findByIdentity(bare.aor), bare);
    assert.equal(await s.findByIdentity('sip:nobody@example.com'), undefined);
    assert.equal(await s.get(full.aliases[0]!), undefined, 'get is by AOR only');
    assert.equal(await s.count(), 2);
  });

  test('subscribers: put replaces by AOR; the old aliases and username are free again', async () => {
    const s = stores().subscribers;
    const before = fullSubscriber(1);
    await s.put(before);
    const after = subscriber(1, { username: 'alice', aliases: ['tel:+15550009', before.aliases[1]!], ha1Md5: 'a'.repeat(32), updatedAt: before.updatedAt + 5 });
    await s.put(after);
    assert.deepEqual(await s.get(after.aor), after);
    assert.equal(await s.findByIdentity(before.aliases[0]!), undefined);
    assert.deepEqual(await s.findByIdentity('tel:+15550009'), after);
    assert.deepEqual(await s.findByIdentity(before.aliases[1]!), after);
    assert.equal(await s.findByUsername('user1', 'example.com'), undefined);
    assert.deepEqual(await s.findByUsername('alice', 'example.com'), after);
    assert.equal(await s.count(), 1);
    await s.put(subscriber(2, { username: 'user1', aliases: [before.aliases[0]!] }));
    assert.equal((await s.findByIdentity(before.aliases[0]!))!.aor, 'sip:user2@example.com');
  });

  test('subscribers: a username of another subscriber in the same realm is a conflict; in another realm it is not', async () => {
    const s = stores().subscribers;
    await s.put(subscriber(1));
    await assert.rejects(s.put(subscriber(2, { username: 'user1' })), conflict);
    assert.equal(await s.get('sip:user2@example.com'), undefined);
    const other = subscriber(2, { username: 'user1', realm: 'example.org' });
    await s.put(other);
    assert.deepEqual(await s.findByUsername('user1', 'example.org'), other);
    assert.equal((await s.findByUsername('user1', 'example.com'))!.aor, 'sip:user1@example.com');
  });

  test('subscribers: an identity of another subscriber is a conflict, as AOR or alias, and nothing changes', async () => {
    const s = stores().subscribers;
    const one = fullSubscriber(1);
    await s.put(one);
    const two = subscriber(2, { aliases: ['tel:+15552222'] });
    await s.put(two);
    await assert.rejects(s.put(subscriber(3, { aliases: [one.aor] })), conflict, 'alias = another AOR');
    await assert.rejects(s.put(subscriber(3, { aliases: ['tel:+15553333', one.aliases[2]!] })), conflict, 'alias = another alias');
    await assert.rejects(s.put(subscriber(3, { aor: one.aliases[0]! })), conflict, 'AOR = another alias');
    await assert.rejects(s.put({ ...two, aliases: ['tel:+15552222', one.aliases[1]!] }), conflict, 'replacement taking an alias');
    assert.deepEqual(await s.get(two.aor), two);
    assert.equal(await s.get('sip:user3@example.com'), undefined);
    assert.equal(await s.findByIdentity('tel:+15553333'), undefined);
    assert.deepEqual(await s.findByIdentity(one.aliases[1]!), one);
    assert.equal(await s.count(), 2);
  });

  test('subscribers: a record naming one identity twice is refused', async () => {
    const s = stores().subscribers;
    await assert.rejects(s.put(subscriber(1, { aliases: ['sip:user1@example.com'] })), conflict);
    await assert.rejects(s.put(subscriber(1, { aliases: ['tel:+1', 'tel:+2', 'tel:+1'] })), conflict);
    assert.equal(await s.count(), 0);
  });

  test('subscribers: putMany stores all in order (a later record with the same AOR wins) in one step', async () => {
    const s = stores().subscribers;
    const batch = [subscriber(1), fullSubscriber(2), subscriber(3), fullSubscriber(1, { username: 'one' })];
    await s.putMany(batch);
    assert.equal(await s.count(), 3);
    assert.deepEqual(await s.get('sip:user1@example.com'), fullSubscriber(1, { username: 'one' }));
    assert.equal(await s.findByUsername('user1', 'example.com'), undefined);
    await s.putMany([]);
    assert.equal(await s.count(), 3);
  });

  test('subscribers: putMany with one refused record rejects and changes nothing, replacements included', async () => {
    const s = stores().subscribers;
    const one = fullSubscriber(1);
    await s.put(one);
    const batches: SubscriberRecord[][] = [
      [subscriber(2), subscriber(1, { displayName: 'changed' }), subscriber(3, { username: 'user1' })],
      [subscriber(2, { aliases: ['tel:+19'] }), subscriber(3, { aliases: ['tel:+19'] })],
      [subscriber(2), subscriber(3, { aliases: [one.aliases[0]!] })],
      [subscriber(2), subscriber(4, { aliases: ['tel:+4', 'tel:+4'] })],
    ];
    for (const batch of batches) {
      await assert.rejects(s.putMany(batch), conflict, JSON.stringify(batch.map((r) => r.aor)));
      assert.equal(await s.count(), 1);
      assert.deepEqual(await s.get(one.aor), one);
      assert.equal(await s.findByIdentity('tel:+19'), undefined);
    }
    // The freed identities of a record replaced earlier in the batch can be taken by a later one.
    await s.putMany([subscriber(1), subscriber(2, { aliases: [one.aliases[0]!] })]);
    assert.equal((await s.findByIdentity(one.aliases[0]!))!.aor, 'sip:user2@example.com');
  });

  test('subscribers: remove deletes the subscriber with its identities; true only when there was one', async () => {
    const s = stores().subscribers;
    const one = fullSubscriber(1);
    await s.put(one);
    await s.put(subscriber(2));
    assert.equal(await s.remove(one.aliases[0]!), false, 'remove is by AOR only');
    assert.equal(await s.remove(one.aor), true);
    assert.equal(await s.remove(one.aor), false);
    assert.equal(await s.get(one.aor), undefined);
    for (const identity of one.aliases) assert.equal(await s.findByIdentity(identity), undefined);
    assert.equal(await s.findByUsername('user1', 'example.com'), undefined);
    assert.equal(await s.count(), 1);
    await s.put(subscriber(3, { username: 'user1', aliases: one.aliases }));
    assert.equal((await s.findByIdentity(one.aliases[2]!))!.aor, 'sip:user3@example.com');
  });

  test('subscribers: list pages through AORs in code point order, after is exclusive', async () => {
    const s = stores().subscribers;
    // U+FF5E sorts before U+1F600 by code point (and in UTF-8), after it in UTF-16 code units.
    const aors = ['sip:b@example.com', 'sip:\u{1f600}@example.com', 'sip:a@example.com', 'sip:\u{ff5e}@example.com', 'sip:B@example.com', 'tel:+1'];
    await s.putMany(aors.map((aor, i) => subscriber(i, { aor })));
    const ordered = ['sip:B@example.com', 'sip:a@example.com', 'sip:b@example.com', 'sip:\u{ff5e}@example.com', 'sip:\u{1f600}@example.com', 'tel:+1'];
    assert.deepEqual((await s.list({ limit: 100 })).map((r) => r.aor), ordered);
    const pages: string[][] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await s.list({ after, limit: 4 });
      if (page.length === 0) break;
      pages.push(page.map((r) => r.aor));
      after = page.at(-1)!.aor;
    }
    assert.deepEqual(pages, [ordered.slice(0, 4), ordered.slice(4)]);
    assert.deepEqual((await s.list({ after: 'sip:a@example.com', limit: 1 })).map((r) => r.aor), ['sip:b@example.com']);
    assert.deepEqual((await s.list({ after: 'sip:aa', limit: 2 })).map((r) => r.aor), ['sip:b@example.com', 'sip:\u{ff5e}@example.com']);
    assert.deepEqual(await s.list({ after: 'tel:+1', limit: 5 }), []);
    assert.deepEqual((await s.list({ limit: 1 }))[0], subscriber(4, { aor: 'sip:B@example.com' }));
    await s.remove('sip:a@example.com');
    assert.deepEqual((await s.list({ limit: 2 })).map((r) => r.aor), ['sip:B@example.com', 'sip:b@example.com']);
    assert.equal(await s.count(), 5);
  });

  test('subscribers: records read are copies, and the store keeps its own copy of what was put', async () => {
    const s = stores().subscribers;
    const rec = fullSubscriber(1);
    await s.put(rec);
    rec.aliases.push('tel:+1999');
    rec.ha1Md5 = 'x';
    const got = (await s.get('sip:user1@example.com'))!;
    assert.deepEqual(got, fullSubscriber(1));
    got.aliases.length = 0;
    const [listed] = await s.list({ limit: 1 });
    listed!.aliases.push('tel:+1998');
    (await s.findByIdentity('tel:+15550001'))!.aliases.pop();
    assert.deepEqual(await s.get('sip:user1@example.com'), fullSubscriber(1));
    assert.equal(await s.findByIdentity('tel:+1999'), undefined);
  });
}
