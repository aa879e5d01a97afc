import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stores } from '../../src/store/ports.js';
import { ODD_BYTES, T0, publication, sortedBy } from './fixtures.js';

const byEtag = (r: { etag: string }): string => r.etag;

/** The PublicationStore part of the store contract; `stores()` is the adapter under test. */
export function publicationContract(stores: () => Stores): void {
  test('publications: put then get returns exactly what was put; unknown tags are undefined', async () => {
    const p = stores().publications;
    const rec = publication(1);
    await p.put(rec);
    assert.deepEqual(await p.get('etag-1'), rec);
    assert.equal(await p.get('etag-2'), undefined);
  });

  test('publications: get returns an expired publication too', async () => {
    const p = stores().publications;
    const rec = publication(1, { expiresAt: T0 - 1 });
    await p.put(rec);
    assert.deepEqual(await p.get('etag-1'), rec);
  });

  test('publications: bodies round-trip byte for byte (every byte value, invalid UTF-8, empty)', async () => {
    const p = stores().publications;
    await p.put(publication(1, { body: ODD_BYTES, contentType: 'application/octet-stream' }));
    await p.put(publication(2, { body: Buffer.alloc(0) }));
    const odd = await p.get('etag-1');
    assert.ok(Buffer.isBuffer(odd?.body));
    assert.ok(odd.body.equals(ODD_BYTES));
    const empty = await p.get('etag-2');
    assert.ok(Buffer.isBuffer(empty?.body));
    assert.equal(empty.body.length, 0);
  });

  test('publications: every source kind and non-ASCII text round-trip', async () => {
    const p = stores().publications;
    const recs = (['user', 'network', 'external'] as const).map((source, i) =>
      publication(i, { source, resource: `sip:zoë${i}@example.com`, publisher: 'sip:日本@example.com' }),
    );
    for (const r of recs) await p.put(r);
    for (const r of recs) assert.deepEqual(await p.get(r.etag), r);
  });

  test('publications: listByResource gives one resource and event, in creation order', async () => {
    const p = stores().publications;
    await p.put(publication(3));
    await p.put(publication(1));
    await p.put(publication(2, { event: 'dialog' }));
    await p.put(publication(4, { resource: 'sip:bob@example.com' }));
    await p.put(publication(5, { createdAt: T0 + 1 }));
    const list = await p.listByResource('sip:alice@example.com', 'presence');
    // etag-1 and etag-5 were created in the same ms: the one put first comes first.
    assert.deepEqual(list.map(byEtag), ['etag-1', 'etag-5', 'etag-3']);
    assert.deepEqual(list[0], publication(1));
    assert.deepEqual((await p.listByResource('sip:alice@example.com', 'dialog')).map(byEtag), ['etag-2']);
    assert.deepEqual((await p.listByResource('sip:bob@example.com', 'presence')).map(byEtag), ['etag-4']);
    assert.deepEqual(await p.listByResource('sip:carol@example.com', 'presence'), []);
    assert.deepEqual(await p.listByResource('sip:alice@example.com', 'presence.winfo'), []);
  });

  test('publications: put with replacing swaps the entity tag in one step (RFC 3903 §4.1)', async () => {
    const p = stores().publications;
    await p.put(publication(1));
    await p.put(publication(2));
    const refreshed = publication(3, { createdAt: T0 + 1, modifiedAt: T0 + 50, expiresAt: T0 + 7_200_000, body: Buffer.from('new') });
    await p.put(refreshed, 'etag-1');
    assert.equal(await p.get('etag-1'), undefined);
    assert.deepEqual(await p.get('etag-3'), refreshed);
    const list = await p.listByResource('sip:alice@example.com', 'presence');
    assert.deepEqual(list.map(byEtag), ['etag-3', 'etag-2']);
    assert.deepEqual(sortedBy(await p.listAll(), byEtag).map(byEtag), ['etag-2', 'etag-3']);
  });

  test('publications: replacing an unknown tag, or the same tag, just stores the record', async () => {
    const p = stores().publications;
    await p.put(publication(1), 'etag-unknown');
    assert.deepEqual(await p.get('etag-1'), publication(1));
    const modified = publication(1, { modifiedAt: T0 + 99, body: Buffer.from('modified') });
    await p.put(modified, 'etag-1');
    assert.deepEqual(await p.get('etag-1'), modified);
    assert.equal((await p.listAll()).length, 1);
  });

  test('publications: put of a known tag without replacing updates it in place', async () => {
    const p = stores().publications;
    await p.put(publication(1));
    await p.put(publication(2));
    const updated = publication(1, { expiresAt: T0 + 10, contentType: 'application/pidf-diff+xml' });
    await p.put(updated);
    assert.deepEqual(await p.get('etag-1'), updated);
    assert.deepEqual((await p.listByResource('sip:alice@example.com', 'presence')).map(byEtag), ['etag-1', 'etag-2']);
  });

  test('publications: remove deletes one publication; removing an unknown tag does nothing', async () => {
    const p = stores().publications;
    await p.put(publication(1));
    await p.put(publication(2));
    await p.remove('etag-1');
    await p.remove('etag-1');
    await p.remove('never-stored');
    assert.equal(await p.get('etag-1'), undefined);
    assert.deepEqual((await p.listByResource('sip:alice@example.com', 'presence')).map(byEtag), ['etag-2']);
    assert.deepEqual((await p.listAll()).map(byEtag), ['etag-2']);
  });

  test('publications: listExpired includes expiresAt == now and excludes expiresAt > now', async () => {
    const p = stores().publications;
    const now = T0 + 60_000;
    await p.put(publication(1, { expiresAt: now - 1 }));
    await p.put(publication(2, { expiresAt: now }));
    await p.put(publication(3, { expiresAt: now + 1 }));
    await p.put(publication(4, { expiresAt: now - 5_000, resource: 'sip:bob@example.com', event: 'dialog' }));
    assert.deepEqual(sortedBy(await p.listExpired(now), byEtag), [publication(1, { expiresAt: now - 1 }), publication(2, { expiresAt: now }), publication(4, { expiresAt: now - 5_000, resource: 'sip:bob@example.com', event: 'dialog' })]);
    assert.deepEqual(await p.listExpired(now - 5_001), []);
    assert.equal((await p.listExpired(now + 1)).length, 4);
    await p.put(publication(1, { expiresAt: now + 10 }));
    await p.remove('etag-2');
    assert.deepEqual(sortedBy(await p.listExpired(now), byEtag).map(byEtag), ['etag-4']);
  });

  test('publications: listAll returns every publication of every resource', async () => {
    const p = stores().publications;
    const recs = [publication(1), publication(2, { resource: 'sip:bob@example.com' }), publication(3, { event: 'dialog', expiresAt: T0 })];
    for (const r of recs) await p.put(r);
    assert.deepEqual(sortedBy(await p.listAll(), byEtag), recs);
  });

  test('publications: records read are copies, and the store keeps its own copy of what was put', async () => {
    const p = stores().publications;
    const rec = publication(1);
    await p.put(rec);
    rec.resource = 'sip:mallory@example.com';
    rec.expiresAt = 0;
    rec.body.fill(0x41);
    const got = (await p.get('etag-1'))!;
    assert.deepEqual(got, publication(1));
    got.resource = 'sip:mallory@example.com';
    got.expiresAt = 0;
    const [listed] = await p.listByResource('sip:alice@example.com', 'presence');
    listed!.etag = 'changed';
    assert.deepEqual(await p.get('etag-1'), publication(1));
    assert.deepEqual(await p.listExpired(T0), []);
  });
}
