import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stores } from '../../src/store/ports.js';
import { ODD_BYTES, T0, fullSubscription, sortedBy, subscription } from './fixtures.js';

const byId = (r: { id: string }): string => r.id;

/** The SubscriptionStore part of the store contract; `stores()` is the adapter under test. */
export function subscriptionContract(stores: () => Stores): void {
  test('subscriptions: a record without optional fields reads back without them', async () => {
    const s = stores().subscriptions;
    await s.put(subscription(1));
    const got = await s.get('sub-1');
    assert.deepEqual(got, subscription(1));
    for (const k of ['eventId', 'watcherDisplayName', 'flow', 'body', 'extra']) assert.ok(!(k in got!), `${k} absent`);
    assert.equal(await s.get('sub-2'), undefined);
  });

  test('subscriptions: a record with every optional field reads back exactly', async () => {
    const s = stores().subscriptions;
    const full = fullSubscription(1);
    await s.put(full);
    const got = await s.get('sub-1');
    assert.deepEqual(got, full);
    assert.ok(got!.body!.data.equals(ODD_BYTES));
    const noFlowId = fullSubscription(2, { flow: { transport: 'UDP', address: '192.0.2.9', port: 5060 }, body: { contentType: 'text/plain', data: Buffer.alloc(0) }, extra: {} });
    await s.put(noFlowId);
    const got2 = await s.get('sub-2');
    assert.deepEqual(got2, noFlowId);
    assert.ok(!('flowId' in got2!.flow!));
  });

  test('subscriptions: every state round-trips', async () => {
    const s = stores().subscriptions;
    for (const [i, state] of (['pending', 'active', 'terminated'] as const).entries()) {
      await s.put(subscription(i, { state }));
      assert.equal((await s.get(`sub-${i}`))!.state, state);
    }
  });

  test('subscriptions: listByResource gives one resource and event, in creation order', async () => {
    const s = stores().subscriptions;
    await s.put(subscription(3));
    await s.put(fullSubscription(1));
    await s.put(subscription(2, { event: 'presence.winfo' }));
    await s.put(subscription(4, { resource: 'sip:bob@example.com' }));
    await s.put(subscription(5, { createdAt: T0 + 1 }));
    const list = await s.listByResource('sip:alice@example.com', 'presence');
    assert.deepEqual(list.map(byId), ['sub-1', 'sub-5', 'sub-3']);
    assert.deepEqual(list[0], fullSubscription(1));
    assert.deepEqual((await s.listByResource('sip:alice@example.com', 'presence.winfo')).map(byId), ['sub-2']);
    assert.deepEqual(await s.listByResource('sip:carol@example.com', 'presence'), []);
  });

  test('subscriptions: put of a known id replaces it, moving it to another resource if changed', async () => {
    const s = stores().subscriptions;
    await s.put(subscription(1));
    const moved = fullSubscription(1, { resource: 'sip:bob@example.com', state: 'terminated' });
    await s.put(moved);
    assert.deepEqual(await s.get('sub-1'), moved);
    assert.deepEqual(await s.listByResource('sip:alice@example.com', 'presence'), []);
    assert.deepEqual((await s.listByResource('sip:bob@example.com', 'presence')).map(byId), ['sub-1']);
    const stripped = subscription(1, { localCSeq: 7 });
    await s.put(stripped);
    assert.deepEqual(await s.get('sub-1'), stripped, 'optional fields dropped by a put are gone');
    assert.equal((await s.listAll()).length, 1);
  });

  test('subscriptions: nextLocalCSeq raises the stored CSeq by one and returns it', async () => {
    const s = stores().subscriptions;
    await s.put(subscription(1, { localCSeq: 41 }));
    assert.equal(await s.nextLocalCSeq('sub-1'), 42);
    assert.equal(await s.nextLocalCSeq('sub-1'), 43);
    assert.equal((await s.get('sub-1'))!.localCSeq, 43);
    const parallel = await Promise.all(Array.from({ length: 20 }, () => s.nextLocalCSeq('sub-1')));
    assert.deepEqual(
      parallel.slice().sort((a, b) => a! - b!),
      Array.from({ length: 20 }, (_, i) => 44 + i),
    );
    assert.equal((await s.get('sub-1'))!.localCSeq, 63);
  });

  test('subscriptions: 100 concurrent nextLocalCSeq calls get 100 consecutive numbers, then a put raises them', async () => {
    const s = stores().subscriptions;
    await s.put(subscription(1, { localCSeq: 3 }));
    const got = await Promise.all(Array.from({ length: 100 }, () => s.nextLocalCSeq('sub-1')));
    assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => 4 + i));
    await s.put(subscription(1, { localCSeq: 500 }));
    const more = await Promise.all(Array.from({ length: 50 }, () => s.nextLocalCSeq('sub-1')));
    assert.deepEqual(more, Array.from({ length: 50 }, (_, i) => 501 + i));
    assert.equal((await s.get('sub-1'))!.localCSeq, 550);
  });

  test('subscriptions: a remove while CSeqs are being taken ends them; the numbers handed out are consecutive', async () => {
    const s = stores().subscriptions;
    await s.put(subscription(1));
    const calls = Array.from({ length: 100 }, () => s.nextLocalCSeq('sub-1'));
    const removed = s.remove('sub-1');
    const got = await Promise.all(calls);
    await removed;
    const handed = got.filter((c) => c !== undefined);
    assert.deepEqual(handed, Array.from({ length: handed.length }, (_, i) => 1 + i));
    assert.deepEqual(got.slice(handed.length), Array.from({ length: 100 - handed.length }, () => undefined));
    assert.equal(await s.nextLocalCSeq('sub-1'), undefined);
  });

  test('subscriptions: nextLocalCSeq of an unknown or removed subscription is undefined', async () => {
    const s = stores().subscriptions;
    assert.equal(await s.nextLocalCSeq('sub-1'), undefined);
    await s.put(subscription(1));
    await s.remove('sub-1');
    assert.equal(await s.nextLocalCSeq('sub-1'), undefined);
    assert.equal(await s.get('sub-1'), undefined);
  });

  test('subscriptions: a put never lowers localCSeq (RFC 3261 §12.2.1.1), but raises it', async () => {
    const s = stores().subscriptions;
    await s.put(subscription(1, { localCSeq: 5 }));
    const stale = (await s.get('sub-1'))!;
    assert.equal(await s.nextLocalCSeq('sub-1'), 6);
    await s.put({ ...stale, expiresAt: T0 + 9_000_000 });
    const after = (await s.get('sub-1'))!;
    assert.equal(after.localCSeq, 6);
    assert.equal(after.expiresAt, T0 + 9_000_000);
    assert.equal(await s.nextLocalCSeq('sub-1'), 7);
    await s.put(subscription(1, { localCSeq: 100 }));
    assert.equal(await s.nextLocalCSeq('sub-1'), 101);
  });

  test('subscriptions: remove deletes one; removing an unknown id does nothing', async () => {
    const s = stores().subscriptions;
    await s.put(subscription(1));
    await s.put(subscription(2));
    await s.remove('sub-1');
    await s.remove('sub-1');
    await s.remove('never-stored');
    assert.equal(await s.get('sub-1'), undefined);
    assert.deepEqual((await s.listByResource('sip:alice@example.com', 'presence')).map(byId), ['sub-2']);
    assert.deepEqual((await s.listAll()).map(byId), ['sub-2']);
  });

  test('subscriptions: listExpired includes expiresAt == now and excludes expiresAt > now', async () => {
    const s = stores().subscriptions;
    const now = T0 + 60_000;
    await s.put(subscription(1, { expiresAt: now - 1 }));
    await s.put(fullSubscription(2, { expiresAt: now }));
    await s.put(subscription(3, { expiresAt: now + 1 }));
    await s.put(subscription(4, { expiresAt: now - 5_000, resource: 'sip:bob@example.com' }));
    assert.deepEqual(sortedBy(await s.listExpired(now), byId), [
      subscription(1, { expiresAt: now - 1 }),
      fullSubscription(2, { expiresAt: now }),
      subscription(4, { expiresAt: now - 5_000, resource: 'sip:bob@example.com' }),
    ]);
    assert.deepEqual(await s.listExpired(now - 5_001), []);
    await s.put(subscription(1, { expiresAt: now + 3_600_000 }));
    assert.deepEqual(sortedBy(await s.listExpired(now), byId).map(byId), ['sub-2', 'sub-4']);
  });

  test('subscriptions: listAll returns every subscription', async () => {
    const s = stores().subscriptions;
    const recs = [fullSubscription(1), subscription(2, { resource: 'sip:bob@example.com' }), subscription(3, { event: 'presence.winfo' })];
    for (const r of recs) await s.put(r);
    assert.deepEqual(sortedBy(await s.listAll(), byId), recs);
  });

  test('subscriptions: records read are copies, and the store keeps its own copy of what was put', async () => {
    const s = stores().subscriptions;
    const rec = fullSubscription(1);
    await s.put(rec);
    rec.routeSet.push('<sip:evil.example.net;lr>');
    rec.accept.length = 0;
    rec.flow!.port = 1;
    rec.body!.contentType = 'text/evil';
    rec.body!.data[0] = 0x99;
    (rec.extra!.nested as { list: unknown[] }).list.push('evil');
    const got = (await s.get('sub-1'))!;
    assert.deepEqual(got, fullSubscription(1));
    got.routeSet.push('<sip:evil.example.net;lr>');
    got.accept.pop();
    got.flow!.address = '203.0.113.66';
    got.body!.contentType = 'text/evil';
    (got.extra!.nested as { list: unknown[] }).list.push('evil');
    got.extra!.version = 99;
    const [listed] = await s.listByResource('sip:alice@example.com', 'presence');
    listed!.routeSet.length = 0;
    const [expired] = await s.listExpired(T0 + 3_600_000);
    expired!.accept.push('text/evil');
    assert.deepEqual(await s.get('sub-1'), fullSubscription(1));
  });
}
