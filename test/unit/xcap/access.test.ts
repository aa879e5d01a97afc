import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultAuthorization } from '../../../src/xcap/application-usage.js';
import type { ApplicationUsage, XcapAccess } from '../../../src/xcap/application-usage.js';
import type { XcapAuthRequest } from '../../../src/xcap/server.js';
import { ALICE, BILL, BILL_LISTS, capsUsage, listsUsage, testAuthenticate, world } from './support.js';

const LISTS = 'application/resource-lists+xml';
const BASE = '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="friends"/></resource-lists>';

test('without credentials every request is challenged (401 with the hook\'s WWW-Authenticate), before any body is read', async () => {
  const w = await world({ maxBodyBytes: 1000 });
  for (const method of ['GET', 'PUT', 'DELETE', 'POST']) {
    const r = await w.request(method, BILL_LISTS, { as: null, type: LISTS, body: method === 'GET' ? undefined : 'x'.repeat(5000) });
    assert.equal(r.statusCode, 401, method);
    assert.equal(r.headers['www-authenticate'], 'Digest realm="example.com", nonce="n", qop="auth"');
  }
  assert.equal((await w.store.list('resource-lists')).length, 0);
  await w.close();
});

test("a user's tree is its own: another user gets 403 for reading and writing, whichever way the XUI is encoded", async () => {
  const w = await world();
  assert.equal((await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE })).statusCode, 201);
  const encoded = `/xcap/resource-lists/users/${encodeURIComponent(BILL)}/index`;
  assert.equal((await w.request('GET', encoded)).statusCode, 200, 'Bill, percent-encoded XUI');
  for (const url of [BILL_LISTS, encoded, `${BILL_LISTS}/~~/resource-lists/list`]) {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await w.request(method, url, { as: ALICE, type: LISTS, body: method === 'PUT' ? BASE : undefined });
      assert.equal(r.statusCode, 403, `${method} ${url}`);
    }
  }
  // Alice's own tree is hers.
  assert.equal((await w.request('PUT', `/xcap/resource-lists/users/${ALICE}/index`, { as: ALICE, type: LISTS, body: BASE })).statusCode, 201);
  assert.equal((await w.request('GET', BILL_LISTS)).body, BASE);
  assert.deepEqual(
    w.changes.map((c) => c.xui),
    [BILL, ALICE],
  );
  await w.close();
});

test('the global tree is readable by every authenticated user and writable by none (RFC 4825 §5.7)', async () => {
  const w = await world();
  await w.store.put({ auid: 'resource-lists', tree: 'global', xui: '', name: 'shared', body: Buffer.from(BASE), etag: 'g1', modifiedAt: 0 }, undefined);
  const g = await w.request('GET', '/xcap/resource-lists/global/shared', { as: ALICE });
  assert.equal(g.statusCode, 200);
  assert.equal(g.headers.etag, '"g1"');
  assert.equal((await w.request('GET', '/xcap/resource-lists/global/shared', { as: null })).statusCode, 401);
  for (const method of ['PUT', 'DELETE']) {
    for (const url of ['/xcap/resource-lists/global/shared', '/xcap/resource-lists/global/new', '/xcap/resource-lists/global/shared/~~/resource-lists/list']) {
      assert.equal((await w.request(method, url, { type: LISTS, body: method === 'PUT' ? BASE : undefined })).statusCode, 403, `${method} ${url}`);
    }
  }
  assert.equal(w.changes.length, 0);
  await w.close();
});

test('generated global documents (xcap-caps style): read with a content-derived strong tag, node selectors work, never written', async () => {
  const admin: ApplicationUsage = { ...capsUsage, authorize: (a) => a.tree === 'global' || defaultAuthorization(a) };
  const w = await world({}, [admin, listsUsage]);
  const r = await w.request('GET', '/xcap/xcap-caps/global/index', { as: ALICE });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], 'application/xcap-caps+xml');
  assert.equal(r.body, '<?xml version="1.0" encoding="UTF-8"?>\n<xcap-caps xmlns="urn:ietf:params:xml:ns:xcap-caps"><auids><auid>xcap-caps</auid><auid>resource-lists</auid></auids></xcap-caps>');
  const tag = r.headers.etag as string;
  assert.match(tag, /^"[A-Za-z0-9_-]{27}"$/);
  assert.equal((await w.request('GET', '/xcap/xcap-caps/global/index')).headers.etag, tag, 'same content, same tag');
  assert.equal((await w.request('GET', '/xcap/xcap-caps/global/index', { headers: { 'if-none-match': tag } })).statusCode, 304);
  assert.equal((await w.request('GET', '/xcap/xcap-caps/global/index/~~/xcap-caps/auids/auid%5B2%5D')).body, '<auid>resource-lists</auid>');
  // Even where the usage lets users write its global tree, a generated document stays read-only.
  for (const [method, url] of [
    ['PUT', '/xcap/xcap-caps/global/index'],
    ['DELETE', '/xcap/xcap-caps/global/index'],
    ['DELETE', '/xcap/xcap-caps/global/index/~~/xcap-caps/auids'],
  ] as const) {
    assert.equal((await w.request(method, url, { type: 'application/xcap-caps+xml', body: method === 'PUT' ? '<xcap-caps xmlns="urn:ietf:params:xml:ns:xcap-caps"/>' : undefined })).statusCode, 403, `${method} ${url}`);
  }
  // Other names of that global tree are stored documents the override lets users write.
  assert.equal((await w.request('PUT', '/xcap/xcap-caps/global/other', { type: 'application/xcap-caps+xml', body: '<xcap-caps xmlns="urn:ietf:params:xml:ns:xcap-caps"/>' })).statusCode, 201);
  assert.equal((await w.request('GET', '/xcap/xcap-caps/global/missing')).statusCode, 404);
  await w.close();
});

test("a usage's authorize() replaces the default policy, and sees who asks for what", async () => {
  const seen: XcapAccess[] = [];
  const shared: ApplicationUsage = {
    ...listsUsage,
    authorize(a) {
      seen.push(a);
      return a.operation === 'read' || defaultAuthorization(a);
    },
  };
  const w = await world({}, [shared]);
  await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE });
  assert.equal((await w.request('GET', BILL_LISTS, { as: ALICE })).statusCode, 200);
  assert.equal((await w.request('DELETE', BILL_LISTS, { as: ALICE })).statusCode, 403);
  assert.deepEqual(seen, [
    { auid: 'resource-lists', tree: 'users', xui: BILL, name: 'index', principal: BILL, operation: 'write' },
    { auid: 'resource-lists', tree: 'users', xui: BILL, name: 'index', principal: ALICE, operation: 'read' },
    { auid: 'resource-lists', tree: 'users', xui: BILL, name: 'index', principal: ALICE, operation: 'write' },
  ]);
  await w.close();
});

test('the authentication hook sees the raw request target and Authorization; its refusals and success headers are passed on', async () => {
  const seen: XcapAuthRequest[] = [];
  const w = await world({
    async authenticate(req) {
      seen.push(req);
      if (req.authorization === 'Test banned') return { status: 403 };
      if (req.authorization === 'Digest') return { status: 400, reason: 'Bad Authorization header: missing nonce' };
      if (req.authorization === undefined) return { status: 401, headers: { 'www-authenticate': ['Digest algorithm=SHA-256', 'Digest algorithm=MD5'] } };
      const r = await testAuthenticate(req);
      return 'xui' in r ? { xui: r.xui, headers: { 'authentication-info': 'rspauth="x"' } } : r;
    },
  });
  const url = `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22friends%22%5D?xmlns(a=urn:x)`;
  // Every answer to an authenticated request carries the hook's headers: 404, 403, 405 and 200 alike.
  const r = await w.request('GET', url);
  assert.equal(r.statusCode, 404);
  assert.equal(r.headers['authentication-info'], 'rspauth="x"');
  const other = await w.request('GET', `/xcap/resource-lists/users/${ALICE}/index`);
  assert.equal(other.statusCode, 403);
  assert.equal(other.headers['authentication-info'], 'rspauth="x"');
  const post = await w.request('POST', BILL_LISTS, { type: LISTS, body: BASE });
  assert.equal(post.statusCode, 405);
  assert.equal(post.headers.allow, 'GET, HEAD, PUT, DELETE');
  assert.equal(post.headers['authentication-info'], 'rspauth="x"');
  assert.equal((await w.request('GET', BILL_LISTS, { as: null })).headers['authentication-info'], undefined);
  await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE });
  const ok = await w.request('GET', url);
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers['authentication-info'], 'rspauth="x"');
  assert.deepEqual(seen[0], { method: 'GET', url, authorization: `Test ${BILL}`, remoteAddress: '127.0.0.1' });
  assert.equal((await w.request('GET', BILL_LISTS, { as: 'banned' })).statusCode, 403);
  const challenged = await w.request('GET', BILL_LISTS, { as: null });
  assert.equal(challenged.statusCode, 401);
  assert.deepEqual(challenged.headers['www-authenticate'], ['Digest algorithm=SHA-256', 'Digest algorithm=MD5'], 'one header line per challenge');
  const malformed = await w.request('GET', BILL_LISTS, { as: null, headers: { authorization: 'Digest' } });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.body, 'Bad Authorization header: missing nonce\n');
  await w.close();
});

test('RFC 4825 §8: unknown application usages and unknown users are 404; users are looked up only after authentication', async () => {
  const asked: string[] = [];
  const w = await world({ userExists: async (xui) => (asked.push(xui), xui === BILL) });
  assert.equal((await w.request('GET', `/xcap/unknown-auid/users/${BILL}/index`, { as: null })).statusCode, 404);
  assert.equal((await w.request('GET', '/xcap/resource-lists/users/sip:nobody@example.com/index', { as: null })).statusCode, 401);
  assert.deepEqual(asked, []);
  assert.equal((await w.request('GET', '/xcap/resource-lists/users/sip:nobody@example.com/index', { as: 'sip:nobody@example.com' })).statusCode, 404);
  assert.equal((await w.request('GET', BILL_LISTS)).statusCode, 404, 'known user, no document');
  assert.equal((await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE })).statusCode, 201);
  assert.deepEqual(asked, ['sip:nobody@example.com', BILL, BILL]);
  await w.close();
});
