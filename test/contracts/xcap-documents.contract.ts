import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stores, XcapDocumentRecord } from '../../src/store/ports.js';
import { ODD_BYTES, xcapDocument } from './fixtures.js';

const keyOf = (r: XcapDocumentRecord): [string, 'users' | 'global', string, string] => [r.auid, r.tree, r.xui, r.name];

/** The XcapDocumentStore part of the store contract; `stores()` is the adapter under test. */
export function xcapDocumentContract(stores: () => Stores): void {
  test('xcap documents: put with undefined creates once; get returns exactly what was put, bytes included', async () => {
    const x = stores().xcapDocuments;
    const doc = xcapDocument(1, { body: ODD_BYTES });
    assert.equal(await x.put(doc, undefined), true);
    assert.equal(await x.put(xcapDocument(1, { etag: 'other' }), undefined), false);
    const got = await x.get(...keyOf(doc));
    assert.deepEqual(got, doc);
    assert.ok(Buffer.isBuffer(got!.body));
    assert.equal(await x.get('pres-rules', 'users', 'sip:user1@example.com', 'other'), undefined);
  });

  test('xcap documents: put replaces only when the current entity tag is the expected one; null replaces any', async () => {
    const x = stores().xcapDocuments;
    await x.put(xcapDocument(1), undefined);
    const v2 = xcapDocument(1, { etag: 'e1-2', body: Buffer.from('<v2/>'), modifiedAt: 5 });
    assert.equal(await x.put(v2, 'wrong'), false);
    assert.deepEqual(await x.get(...keyOf(v2)), xcapDocument(1));
    assert.equal(await x.put(v2, 'e1'), true);
    assert.deepEqual(await x.get(...keyOf(v2)), v2);
    assert.equal(await x.put(xcapDocument(1, { etag: 'e1-3' }), 'e1'), false, 'the old tag no longer matches');
    const v3 = xcapDocument(1, { etag: 'e1-3', body: Buffer.alloc(0) });
    assert.equal(await x.put(v3, null), true);
    assert.deepEqual(await x.get(...keyOf(v3)), v3);
    assert.equal(await x.put(xcapDocument(2), 'e2'), false, 'an expected tag on a missing document');
    assert.equal(await x.get(...keyOf(xcapDocument(2))), undefined);
    assert.equal(await x.put(xcapDocument(2), null), true);
  });

  test('xcap documents: of two concurrent writes expecting the same tag exactly one wins', async () => {
    const x = stores().xcapDocuments;
    await x.put(xcapDocument(1), undefined);
    const a = xcapDocument(1, { etag: 'a' });
    const b = xcapDocument(1, { etag: 'b' });
    const results = await Promise.all([x.put(a, 'e1'), x.put(b, 'e1'), x.remove(...keyOf(a), 'e1')]);
    assert.deepEqual(results, [true, false, false]);
    assert.equal((await x.get(...keyOf(a)))!.etag, 'a');
    const created = await Promise.all([x.put(xcapDocument(2, { etag: 'x' }), undefined), x.put(xcapDocument(2, { etag: 'y' }), undefined)]);
    assert.deepEqual(created, [true, false]);
  });

  test('xcap documents: remove honours the expected tag; null removes any version; a missing document is false', async () => {
    const x = stores().xcapDocuments;
    const doc = xcapDocument(1);
    await x.put(doc, undefined);
    assert.equal(await x.remove(...keyOf(doc), 'wrong'), false);
    assert.deepEqual(await x.get(...keyOf(doc)), doc);
    assert.equal(await x.remove(...keyOf(doc), 'e1'), true);
    assert.equal(await x.get(...keyOf(doc)), undefined);
    assert.equal(await x.remove(...keyOf(doc), null), false);
    await x.put(doc, undefined);
    assert.equal(await x.remove(...keyOf(doc), null), true);
    assert.equal(await x.put(doc, undefined), true, 'created again after removal');
  });

  test('xcap documents: auid, tree, xui and name each tell documents apart', async () => {
    const x = stores().xcapDocuments;
    const docs = [
      xcapDocument(1),
      xcapDocument(1, { auid: 'resource-lists', etag: 'rl' }),
      xcapDocument(1, { name: 'index2', etag: 'n2' }),
      xcapDocument(2, { etag: 'u2' }),
      xcapDocument(0, { tree: 'global', xui: '', etag: 'g' }),
      xcapDocument(0, { tree: 'users', xui: '', etag: 'u-empty' }),
    ];
    for (const d of docs) assert.equal(await x.put(d, undefined), true, d.etag);
    for (const d of docs) assert.deepEqual(await x.get(...keyOf(d)), d);
    assert.equal(await x.remove('pres-rules', 'global', '', 'index', null), true);
    assert.deepEqual(await x.get('pres-rules', 'users', '', 'index'), docs[5]);
  });

  test('xcap documents: list gives an application usage\'s documents by xui, name, tree; or one user\'s', async () => {
    const x = stores().xcapDocuments;
    const global = xcapDocument(0, { tree: 'global', xui: '', name: 'index' });
    const u2 = xcapDocument(2, { name: 'index' });
    const u2b = xcapDocument(2, { name: 'b/doc.xml' });
    const u10 = xcapDocument(10);
    const astral = xcapDocument(3, { xui: 'sip:\u{1f600}@example.com' });
    const bmp = xcapDocument(4, { xui: 'sip:\u{ff5e}@example.com' });
    for (const d of [u2, astral, u10, global, bmp, u2b, xcapDocument(7, { auid: 'resource-lists' })]) await x.put(d, undefined);
    assert.deepEqual(await x.list('pres-rules'), [global, u10, u2b, u2, bmp, astral]);
    assert.deepEqual(await x.list('pres-rules', 'sip:user2@example.com'), [u2b, u2]);
    assert.deepEqual(await x.list('pres-rules', ''), [global]);
    assert.deepEqual(await x.list('pres-rules', 'sip:nobody@example.com'), []);
    assert.deepEqual(await x.list('rls-services'), []);
    assert.equal((await x.list('resource-lists')).length, 1);
  });

  test('xcap documents: the store keeps its own bytes of what was put', async () => {
    const x = stores().xcapDocuments;
    const doc = xcapDocument(1);
    await x.put(doc, undefined);
    doc.body[0] = 0x21;
    doc.etag = 'changed';
    assert.deepEqual(await x.get(...keyOf(doc)), xcapDocument(1));
  });
}
