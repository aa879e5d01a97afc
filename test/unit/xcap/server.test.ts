import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { MemoryXcapDocumentStore } from '../../../src/store/memory/xcap-document-store.js';
import type { ApplicationUsage, XcapValidationContext } from '../../../src/xcap/application-usage.js';
import { XcapUsages } from '../../../src/xcap/registry.js';
import { createXcapServer } from '../../../src/xcap/server.js';
import { BILL, BILL_LISTS, listsUsage, testAuthenticate, world } from './support.js';

const LISTS = 'application/resource-lists+xml';
const BASE = '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="friends"/></resource-lists>';

test('request bodies are bounded (413) and screened: depth, element count, DTDs refused before any DOM is built', async () => {
  const w = await world({ maxBodyBytes: 1000, maxDepth: 5, maxElements: 20 });
  const big = await w.request('PUT', BILL_LISTS, { type: LISTS, body: `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><!--${'x'.repeat(1000)}--></resource-lists>` });
  assert.equal(big.statusCode, 413);
  assert.equal(big.body, 'request body larger than 1000 bytes\n');
  const deep = await w.request('PUT', BILL_LISTS, { type: LISTS, body: `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">${'<list>'.repeat(5)}${'</list>'.repeat(5)}</resource-lists>` });
  assert.equal(deep.statusCode, 409);
  assert.match(deep.body, /<not-well-formed phrase="XCAP: elements nested deeper than 5"\/>/);
  const many = await w.request('PUT', BILL_LISTS, { type: LISTS, body: `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">${'<list/>'.repeat(20)}</resource-lists>` });
  assert.match(many.body, /<not-well-formed phrase="XCAP: more than 20 elements"\/>/);
  let dtd = '<!ENTITY lol "lol">';
  for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  const laughs = await w.request('PUT', BILL_LISTS, { type: LISTS, body: `<!DOCTYPE r [${dtd}]><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">&lol9;</resource-lists>`.slice(0, 1000) });
  assert.match(laughs.body, /<not-well-formed phrase="XCAP: DOCTYPE not allowed"\/>/);
  assert.equal((await w.store.list('resource-lists')).length, 0);
  await w.close();
});

test('documents cannot grow past maxDocumentBytes through element PUTs (409 <constraint-failure>)', async () => {
  const w = await world({ maxDocumentBytes: 250 });
  assert.equal((await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE })).statusCode, 201);
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await w.request('PUT', `${BILL_LISTS}/~~/resource-lists/list/entry%5B@uri=%22sip:${i}@example.com%22%5D`, { type: 'application/xcap-el+xml', body: `<entry uri="sip:${i}@example.com"/>` });
    statuses.push(r.statusCode);
    if (r.statusCode === 409) assert.match(r.body, /<constraint-failure phrase="the document would be larger than 250 bytes"\/>/);
  }
  assert.deepEqual(statuses, [201, 201, 201, 201, 409, 409, 409, 409, 409, 409]);
  assert.ok((await w.store.get('resource-lists', 'users', BILL, 'index'))!.body.length <= 250);
  await w.close();
});

test('Content-Type: a document needs the usage type, an element xcap-el+xml, an attribute xcap-att+xml (415 otherwise)', async () => {
  const w = await world();
  assert.equal((await w.request('PUT', BILL_LISTS, { type: 'application/xml', body: BASE })).statusCode, 415);
  assert.equal((await w.request('PUT', BILL_LISTS, { body: BASE })).statusCode, 415);
  assert.equal((await w.request('PUT', BILL_LISTS, { type: 'Application/Resource-Lists+XML', body: BASE })).statusCode, 201);
  assert.equal((await w.request('PUT', `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22b%22%5D`, { type: LISTS, body: '<list name="b"/>' })).statusCode, 415);
  assert.equal((await w.request('PUT', `${BILL_LISTS}/~~/resource-lists/list/@name`, { type: 'application/xcap-el+xml', body: '"x"' })).statusCode, 415);
  assert.equal((await w.request('PUT', `${BILL_LISTS}/~~/resource-lists/list/@name`, { type: 'text/plain', body: '"x"' })).statusCode, 415);
  assert.equal((await w.request('GET', BILL_LISTS)).body, BASE);
  await w.close();
});

test('HEAD answers like GET without a body; POST and other methods are 405 with Allow (RFC 4825 §8.1)', async () => {
  const w = await world();
  await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE });
  const head = await w.request('HEAD', `${BILL_LISTS}/~~/resource-lists/list`);
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-type'], 'application/xcap-el+xml');
  assert.equal(head.headers['content-length'], String('<list name="friends"/>'.length));
  assert.equal(head.body, '');
  for (const method of ['POST', 'PATCH', 'OPTIONS']) {
    const r = await w.request(method, BILL_LISTS, { type: LISTS, body: BASE });
    assert.equal(r.statusCode, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD, PUT, DELETE');
  }
  await w.close();
});

test('the usage validates the complete new document with its location and the exact text to be stored', async () => {
  const seen: XcapValidationContext[] = [];
  const usage: ApplicationUsage = { ...listsUsage, validate: (doc, ctx) => (seen.push(ctx), listsUsage.validate(doc, ctx)) };
  const w = await world({}, [usage]);
  await w.request('PUT', BILL_LISTS, { type: LISTS, body: `\ufeff${BASE}` });
  await w.request('PUT', `${BILL_LISTS}/~~/resource-lists/list/@name`, { type: 'application/xcap-att+xml', body: "'a\"b'" });
  assert.deepEqual(
    seen.map((c) => [c.auid, c.tree, c.xui, c.name]),
    [
      ['resource-lists', 'users', BILL, 'index'],
      ['resource-lists', 'users', BILL, 'index'],
    ],
  );
  assert.equal(seen[0]!.text, BASE, 'the byte order mark is gone');
  assert.equal(seen[1]!.text, BASE.replace('friends', 'a&quot;b'));
  assert.equal((await w.store.get('resource-lists', 'users', BILL, 'index'))!.body.toString(), seen[1]!.text);
  await w.close();
});

test('a failing change listener is logged and changes nothing for the client', async () => {
  const lines: string[] = [];
  const logger = pino(
    { level: 'error' },
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  );
  let calls = 0;
  const w = await world({
    logger,
    onChange: (c) => {
      calls++;
      if (c.removed) return Promise.reject(new Error('listener rejected'));
      throw new Error('listener threw');
    },
  });
  assert.equal((await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE })).statusCode, 201);
  assert.equal((await w.request('DELETE', BILL_LISTS)).statusCode, 200);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 2);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /listener threw/);
  assert.match(lines[1]!, /listener rejected/);
  await w.close();
});

test('configuration: the root is an absolute path without trailing slash or query; limits are positive integers', () => {
  const base = { usages: new XcapUsages(), store: new MemoryXcapDocumentStore(), authenticate: testAuthenticate };
  for (const root of ['xcap', '/xcap/', '/', '/x?y', '']) assert.throws(() => createXcapServer({ ...base, root }), /XCAP root/, root);
  assert.equal(createXcapServer({ ...base, root: '/services/xcap-root' }).root, '/services/xcap-root');
  assert.equal(createXcapServer(base).root, '/xcap');
  for (const bad of [{ maxBodyBytes: 0 }, { maxDepth: -1 }, { maxElements: 1.5 }, { maxDocumentBytes: Number.NaN }]) assert.throws(() => createXcapServer({ ...base, ...bad }), /positive integer/);
  assert.throws(() => new XcapUsages([listsUsage, listsUsage]), /registered twice/);
  assert.throws(() => new XcapUsages([{ ...listsUsage, auid: 'bad.auid.' }]), /invalid AUID/);
  assert.throws(() => new XcapUsages([{ ...listsUsage, auid: 'a/b' }]), /invalid AUID/);
  const reg = new XcapUsages([listsUsage]).register({ ...listsUsage, auid: 'org.openmobilealliance.pres-rules' });
  assert.deepEqual(
    reg.list().map((u) => u.auid),
    ['resource-lists', 'org.openmobilealliance.pres-rules'],
  );
  assert.equal(reg.get('Resource-Lists'), undefined);
});

/** Sends a raw HTTP/1.1 request (path exactly as given) to 127.0.0.1:port. */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('over real HTTP on a shared fastify instance: raw selectors reach the server undecoded, other routes keep their JSON parser', async () => {
  const app = Fastify();
  app.post('/api/echo', async (req) => req.body);
  const store = new MemoryXcapDocumentStore();
  await app.register(createXcapServer({ usages: new XcapUsages([listsUsage]), store, authenticate: testAuthenticate, root: '/x' }).plugin);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  try {
    const auth = { authorization: `Test ${BILL}` };
    const doc = `/x/resource-lists/users/${encodeURIComponent(BILL)}/index`;
    assert.equal((await raw(port, 'PUT', doc, { ...auth, 'content-type': LISTS }, BASE)).status, 201);
    // Unencoded brackets and quotes (as `curl --globoff` sends them) and an encoded '/' inside a value.
    const put = await raw(port, 'PUT', `${doc}/~~/resource-lists/list[@name="a%2Fb"]`, { ...auth, 'content-type': 'application/xcap-el+xml' }, '<list name="a/b"/>');
    assert.equal(put.status, 201, put.body);
    const get = await raw(port, 'GET', `${doc}/~~/resource-lists/list%5B@name=%22a%2Fb%22%5D/@name`, auth);
    assert.equal(get.status, 200);
    assert.equal(get.body, '"a/b"');
    const long = await raw(port, 'GET', `${doc}/~~/resource-lists/list%5B@name=%22${'x'.repeat(500)}%22%5D`, auth);
    assert.equal(long.status, 404, 'a long selector is routed (and matches nothing)');
    const echo = await raw(port, 'POST', '/api/echo', { 'content-type': 'application/json' }, '{"a":1}');
    assert.equal(echo.body, '{"a":1}');
  } finally {
    await app.close();
    store.close();
  }
});
