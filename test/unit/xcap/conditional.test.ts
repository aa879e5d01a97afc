import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Document } from '@xmldom/xmldom';
import { MemoryXcapDocumentStore } from '../../../src/store/memory/xcap-document-store.js';
import type { ApplicationUsage } from '../../../src/xcap/application-usage.js';
import { evaluatePreconditions } from '../../../src/xcap/conditional.js';
import { BILL, BILL_LISTS, listsUsage, world } from './support.js';

const LISTS = 'application/resource-lists+xml';
const EL = 'application/xcap-el+xml';
const BASE = '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="friends"/></resource-lists>';
const ENTRY_URL = `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22friends%22%5D/entry%5B@uri=%22sip:bob@example.com%22%5D`;
const ENTRY = '<entry uri="sip:bob@example.com"/>';

test('preconditions in RFC 7232 §6 order: If-Match strong, If-None-Match weak, * forms, lists', () => {
  const table: [string, string | undefined, string | undefined, string | undefined, 'pass' | 412 | 304][] = [
    ['GET', 'abc', '"abc"', undefined, 'pass'],
    ['GET', 'abc', '"x", "abc"', undefined, 'pass'],
    ['GET', 'abc', 'W/"abc"', undefined, 412],
    ['GET', 'abc', '"x"', undefined, 412],
    ['GET', 'abc', '*', undefined, 'pass'],
    ['PUT', undefined, '*', undefined, 412],
    ['PUT', undefined, '"abc"', undefined, 412],
    ['GET', 'abc', undefined, '"abc"', 304],
    ['HEAD', 'abc', undefined, 'W/"abc"', 304],
    ['GET', 'abc', undefined, '*', 304],
    ['GET', 'abc', undefined, '"x"', 'pass'],
    ['PUT', 'abc', undefined, '*', 412],
    ['DELETE', 'abc', undefined, '"abc"', 412],
    ['PUT', undefined, undefined, '*', 'pass'],
    ['GET', 'abc', '"x"', '"abc"', 412],
    ['GET', 'abc', 'garbage', undefined, 412],
  ];
  for (const [method, current, ifMatch, ifNoneMatch, expected] of table) {
    assert.equal(evaluatePreconditions(method, current, ifMatch, ifNoneMatch), expected, JSON.stringify([method, current, ifMatch, ifNoneMatch]));
  }
});

test('every resource of a document shares its strong entity tag; each change makes a new one (RFC 4825 §8.5)', async () => {
  const w = await world();
  const created = await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE });
  const tag = created.headers.etag as string;
  assert.match(tag, /^"[A-Za-z0-9]{20}"$/);
  assert.equal((await w.request('GET', BILL_LISTS)).headers.etag, tag);
  assert.equal((await w.request('GET', `${BILL_LISTS}/~~/resource-lists/list`)).headers.etag, tag);
  assert.equal((await w.request('GET', `${BILL_LISTS}/~~/resource-lists/list/@name`)).headers.etag, tag);
  const put = await w.request('PUT', ENTRY_URL, { type: EL, body: ENTRY });
  assert.notEqual(put.headers.etag, tag);
  assert.equal((await w.request('GET', BILL_LISTS)).headers.etag, put.headers.etag);
  // The same PUT again (idempotent) still makes a new version.
  const again = await w.request('PUT', ENTRY_URL, { type: EL, body: ENTRY });
  assert.equal(again.statusCode, 200);
  assert.equal(again.body, '', 'RFC 4825 §8.2.7: a 200 to a PUT has no content');
  assert.notEqual(again.headers.etag, put.headers.etag);
  await w.close();
});

test('conditional GET: 304 with the entity tag when it still matches, for the document and its nodes; 412 on If-Match', async () => {
  const w = await world();
  const tag = (await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE })).headers.etag as string;
  for (const url of [BILL_LISTS, `${BILL_LISTS}/~~/resource-lists/list/@name`]) {
    const nm = await w.request('GET', url, { headers: { 'if-none-match': tag } });
    assert.equal(nm.statusCode, 304);
    assert.equal(nm.headers.etag, tag);
    assert.equal(nm.body, '');
    assert.equal((await w.request('GET', url, { headers: { 'if-none-match': '*' } })).statusCode, 304);
    assert.equal((await w.request('GET', url, { headers: { 'if-none-match': '"old"' } })).statusCode, 200);
    assert.equal((await w.request('GET', url, { headers: { 'if-match': '"old"' } })).statusCode, 412);
    assert.equal((await w.request('GET', url, { headers: { 'if-match': tag } })).statusCode, 200);
  }
  // A missing node or document is a 404 whatever the preconditions (RFC 7232 §5).
  assert.equal((await w.request('GET', `${BILL_LISTS}/~~/resource-lists/nothing`, { headers: { 'if-match': tag } })).statusCode, 404);
  assert.equal((await w.request('GET', `/xcap/resource-lists/users/${BILL}/none`, { headers: { 'if-none-match': '*' } })).statusCode, 404);
  await w.close();
});

test('conditional PUT of a document: If-None-Match: * creates only; If-Match replaces only the version it names', async () => {
  const w = await world();
  let r = await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE, headers: { 'if-match': '*' } });
  assert.equal(r.statusCode, 412, 'If-Match: * needs a current document');
  r = await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE, headers: { 'if-none-match': '*' } });
  assert.equal(r.statusCode, 201);
  const tag = r.headers.etag as string;
  r = await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE, headers: { 'if-none-match': '*' } });
  assert.equal(r.statusCode, 412);
  assert.equal(r.headers.etag, tag);
  r = await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE, headers: { 'if-match': '"stale"' } });
  assert.equal(r.statusCode, 412);
  r = await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE, headers: { 'if-match': tag } });
  assert.equal(r.statusCode, 200);
  r = await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE, headers: { 'if-match': tag } });
  assert.equal(r.statusCode, 412, 'the tag went stale with the previous PUT');
  assert.equal(w.changes.length, 2);
  await w.close();
});

test('conditional PUT and DELETE of nodes use the document tag; If-None-Match: * always fails for them (RFC 4825 §8.2.6)', async () => {
  const w = await world();
  const tag = (await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE })).headers.etag as string;
  assert.equal((await w.request('PUT', ENTRY_URL, { type: EL, body: ENTRY, headers: { 'if-none-match': '*' } })).statusCode, 412);
  assert.equal((await w.request('PUT', ENTRY_URL, { type: EL, body: ENTRY, headers: { 'if-match': `W/${tag}` } })).statusCode, 412);
  const put = await w.request('PUT', ENTRY_URL, { type: EL, body: ENTRY, headers: { 'if-match': tag } });
  assert.equal(put.statusCode, 201);
  assert.equal((await w.request('DELETE', ENTRY_URL, { headers: { 'if-match': tag } })).statusCode, 412);
  const del = await w.request('DELETE', ENTRY_URL, { headers: { 'if-match': put.headers.etag as string } });
  assert.equal(del.statusCode, 200);
  assert.ok(del.headers.etag);
  assert.equal((await w.request('DELETE', BILL_LISTS, { headers: { 'if-match': put.headers.etag as string } })).statusCode, 412);
  const gone = await w.request('DELETE', BILL_LISTS, { headers: { 'if-match': del.headers.etag as string } });
  assert.equal(gone.statusCode, 200);
  assert.equal(gone.headers.etag, undefined, 'RFC 4825 §8.5: no entity tag once the document is gone');
  assert.equal((await w.request('DELETE', BILL_LISTS)).statusCode, 404);
  assert.deepEqual(
    w.changes.map((c) => [c.removed, c.etag === undefined]),
    [
      [false, false],
      [false, false],
      [false, false],
      [true, true],
    ],
  );
  await w.close();
});

/** A resource-lists usage that lets another writer change the document while it validates, `races` times. */
function racingUsage(races: number, store: MemoryXcapDocumentStore): ApplicationUsage {
  let left = races;
  return {
    ...listsUsage,
    async validate(doc: Document, ctx) {
      if (left-- > 0) {
        const current = (await store.get(ctx.auid, ctx.tree, ctx.xui, ctx.name))!;
        const changed = current.body.toString().replace('</resource-lists>', `<list name="other${left}"/></resource-lists>`);
        assert.ok(await store.put({ ...current, body: Buffer.from(changed), etag: `concurrent${left}` }, current.etag));
      }
      return listsUsage.validate(doc, ctx);
    },
  };
}

test('a concurrent change between read and write is never lost: the operation is redone once on the new version', async () => {
  const store = new MemoryXcapDocumentStore();
  const w = await world({}, [racingUsage(1, store)], store);
  await w.store.put({ auid: 'resource-lists', tree: 'users', xui: BILL, name: 'index', body: Buffer.from(BASE), etag: 'v0', modifiedAt: 0 }, undefined);
  const r = await w.request('PUT', ENTRY_URL, { type: EL, body: ENTRY });
  assert.equal(r.statusCode, 201, r.body);
  const doc = (await w.request('GET', BILL_LISTS)).body;
  assert.equal(doc, '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="friends"><entry uri="sip:bob@example.com"/></list><list name="other0"/></resource-lists>');
  assert.equal(w.changes.length, 1);
  await w.close();
});

test('a concurrent change loses the race for a client that named the version (412), and twice in a row is a 409', async () => {
  const store = new MemoryXcapDocumentStore();
  const w = await world({}, [racingUsage(1, store)], store);
  await w.store.put({ auid: 'resource-lists', tree: 'users', xui: BILL, name: 'index', body: Buffer.from(BASE), etag: 'v0', modifiedAt: 0 }, undefined);
  const r = await w.request('PUT', ENTRY_URL, { type: EL, body: ENTRY, headers: { 'if-match': '"v0"' } });
  assert.equal(r.statusCode, 412);
  assert.equal(r.headers.etag, '"concurrent0"');
  await w.close();
  const store2 = new MemoryXcapDocumentStore();
  const w2 = await world({}, [racingUsage(5, store2)], store2);
  await w2.store.put({ auid: 'resource-lists', tree: 'users', xui: BILL, name: 'index', body: Buffer.from(BASE), etag: 'v0', modifiedAt: 0 }, undefined);
  const r2 = await w2.request('DELETE', `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22friends%22%5D`);
  assert.equal(r2.statusCode, 409);
  assert.equal((await w2.store.get('resource-lists', 'users', BILL, 'index'))!.etag, 'concurrent3');
  assert.equal(w2.changes.length, 0);
  await w2.close();
});
