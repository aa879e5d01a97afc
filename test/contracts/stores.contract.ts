import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stores } from '../../src/store/ports.js';
import { StoreError } from '../../src/store/errors.js';
import { bindingContract } from './bindings.contract.js';
import { T0, binding, fullSubscriber, fullSubscription, outboundBinding, publication, subscriber, subscription, watcherInfo, xcapDocument } from './fixtures.js';
import { publicationContract } from './publications.contract.js';
import { subscriberContract } from './subscribers.contract.js';
import { subscriptionContract } from './subscriptions.contract.js';
import { watcherInfoContract } from './watcher-info.contract.js';
import { xcapDocumentContract } from './xcap-documents.contract.js';

/** What a durable adapter adds to the contract. */
export interface DurableOptions {
  /** Closes `stores` and opens the same backing storage again, as a restart does. */
  reopen(stores: Stores): Promise<Stores>;
}

function closed(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'ERR_STORE_CLOSED';
}

/**
 * The one contract every store adapter passes (STYLE habit 12): each behaviour of the ports in
 * src/store/ports.ts, run against fresh stores from `factory` for every test. Adapters whose state
 * outlives a restart pass `durable` and are also checked across a reopen.
 */
export function storeContract(name: string, factory: () => Promise<Stores>, durable?: DurableOptions): void {
  describe(`${name} store contract`, () => {
    let stores: Stores;
    beforeEach(async () => {
      stores = await factory();
    });
    afterEach(async () => {
      await stores.close();
    });

    publicationContract(() => stores);
    subscriptionContract(() => stores);
    bindingContract(() => stores);
    subscriberContract(() => stores);
    xcapDocumentContract(() => stores);
    watcherInfoContract(() => stores);

    test('lifecycle: close twice resolves; every operation afterwards rejects with ERR_STORE_CLOSED', async () => {
      await stores.publications.put(publication(1));
      await stores.close();
      await stores.close();
      const { publications: p, subscriptions: s, bindings: b, subscribers: u, xcapDocuments: x, watcherInfo: w } = stores;
      const calls: Array<() => Promise<unknown>> = [
        () => p.get('etag-1'),
        () => p.listByResource('sip:alice@example.com', 'presence'),
        () => p.put(publication(2)),
        () => p.remove('etag-1'),
        () => p.listExpired(T0),
        () => p.listAll(),
        () => s.get('sub-1'),
        () => s.listByResource('sip:alice@example.com', 'presence'),
        () => s.put(subscription(1)),
        () => s.nextLocalCSeq('sub-1'),
        () => s.remove('sub-1'),
        () => s.listExpired(T0),
        () => s.listAll(),
        () => b.listByAor('sip:alice@example.com'),
        () => b.replaceAor('sip:alice@example.com', [binding(1)]),
        () => b.listExpired(T0),
        () => b.remove('sip:alice@example.com', 'c:sip:alice@192.0.2.1:5060'),
        () => u.get('sip:user1@example.com'),
        () => u.findByUsername('user1', 'example.com'),
        () => u.findByIdentity('sip:user1@example.com'),
        () => u.put(subscriber(1)),
        () => u.putMany([subscriber(2)]),
        () => u.remove('sip:user1@example.com'),
        () => u.list({ limit: 10 }),
        () => u.count(),
        () => x.get('pres-rules', 'users', 'sip:user1@example.com', 'index'),
        () => x.put(xcapDocument(1), null),
        () => x.remove('pres-rules', 'users', 'sip:user1@example.com', 'index', null),
        () => x.list('pres-rules'),
        () => w.append(watcherInfo(1)),
        () => w.listByPresentity('sip:alice@example.com', 'presence', 0),
        () => w.purgeBefore(T0),
      ];
      for (const call of calls) await assert.rejects(call(), closed, call.toString());
    });

    if (!durable) return;

    test('durability: every record reads back the same after a reopen', async () => {
      const pubs = [publication(1, { body: Buffer.from([0xff, 0x00, 0xfe]) }), publication(2, { expiresAt: T0 })];
      const subs = [fullSubscription(1), subscription(2)];
      const binds = [binding(1), outboundBinding(1), outboundBinding(2)];
      await stores.publications.put(pubs[0]!);
      await stores.publications.put(publication(9), 'etag-9-never');
      await stores.publications.put(pubs[1]!, 'etag-9');
      for (const r of subs) await stores.subscriptions.put(r);
      await stores.bindings.replaceAor('sip:alice@example.com', binds);
      stores = await durable.reopen(stores);
      assert.deepEqual(await stores.publications.listByResource('sip:alice@example.com', 'presence'), pubs);
      assert.equal(await stores.publications.get('etag-9'), undefined);
      assert.deepEqual(await stores.subscriptions.listByResource('sip:alice@example.com', 'presence'), subs);
      assert.deepEqual(await stores.bindings.listByAor('sip:alice@example.com'), binds);
      assert.deepEqual((await stores.publications.listExpired(T0)).map((r) => r.etag), ['etag-2']);
    });

    test('durability: subscribers with their identities and XCAP documents read back the same after a reopen', async () => {
      const subs = [fullSubscriber(1), subscriber(2)];
      const docs = [xcapDocument(1), xcapDocument(0, { tree: 'global', xui: '', body: Buffer.from([0xff, 0x00]) })];
      await stores.subscribers.putMany(subs);
      await stores.subscribers.put(subscriber(3));
      await stores.subscribers.remove('sip:user3@example.com');
      for (const d of docs) await stores.xcapDocuments.put(d, undefined);
      await stores.xcapDocuments.put(xcapDocument(2), undefined);
      await stores.xcapDocuments.remove('pres-rules', 'users', 'sip:user2@example.com', 'index', 'e2');
      stores = await durable.reopen(stores);
      assert.deepEqual(await stores.subscribers.list({ limit: 10 }), subs);
      assert.deepEqual(await stores.subscribers.findByIdentity(subs[0]!.aliases[2]!), subs[0]);
      assert.deepEqual(await stores.subscribers.findByUsername('user2', 'example.com'), subs[1]);
      assert.deepEqual(await stores.xcapDocuments.list('pres-rules'), [docs[1], docs[0]]);
      assert.equal(await stores.xcapDocuments.put(xcapDocument(1, { etag: 'e1-2' }), 'e1'), true);
    });

    test('durability: the watcher-information log reads back the same after a reopen, purges included', async () => {
      const log = [watcherInfo(1, { displayName: 'Bob' }), watcherInfo(2, { fetch: true, status: 'terminated', event: 'timeout' }), watcherInfo(3)];
      for (const r of log) await stores.watcherInfo.append(r);
      await stores.watcherInfo.purgeBefore(T0 + 2);
      stores = await durable.reopen(stores);
      assert.deepEqual(await stores.watcherInfo.listByPresentity('sip:alice@example.com', 'presence', 0), log.slice(1));
    });

    test('durability: nextLocalCSeq continues after a reopen, never reusing a CSeq', async () => {
      await stores.subscriptions.put(subscription(1, { localCSeq: 10 }));
      assert.equal(await stores.subscriptions.nextLocalCSeq('sub-1'), 11);
      assert.equal(await stores.subscriptions.nextLocalCSeq('sub-1'), 12);
      stores = await durable.reopen(stores);
      assert.equal(await stores.subscriptions.nextLocalCSeq('sub-1'), 13);
      assert.equal((await stores.subscriptions.get('sub-1'))!.localCSeq, 13);
    });

    test('durability: a stale put never lowers the CSeq, across a reopen either (RFC 3261 §12.2.1.1)', async () => {
      await stores.subscriptions.put(subscription(1, { localCSeq: 5 }));
      const stale = (await stores.subscriptions.get('sub-1'))!;
      for (let i = 0; i < 100; i++) await stores.subscriptions.nextLocalCSeq('sub-1');
      await stores.subscriptions.put({ ...stale, state: 'terminated' });
      stores = await durable.reopen(stores);
      assert.deepEqual(await stores.subscriptions.get('sub-1'), subscription(1, { localCSeq: 105, state: 'terminated' }));
      assert.equal(await stores.subscriptions.nextLocalCSeq('sub-1'), 106);
    });

    test('durability: removals and replaced AORs stay removed after a reopen', async () => {
      await stores.publications.put(publication(1));
      await stores.subscriptions.put(subscription(1));
      await stores.bindings.replaceAor('sip:alice@example.com', [binding(1), binding(2)]);
      await stores.publications.remove('etag-1');
      await stores.subscriptions.remove('sub-1');
      await stores.bindings.replaceAor('sip:alice@example.com', [binding(3)]);
      stores = await durable.reopen(stores);
      assert.deepEqual(await stores.publications.listAll(), []);
      assert.deepEqual(await stores.subscriptions.listAll(), []);
      assert.deepEqual(await stores.bindings.listByAor('sip:alice@example.com'), [binding(3)]);
    });
  });
}
