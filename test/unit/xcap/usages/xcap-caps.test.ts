import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { MemoryXcapDocumentStore } from '../../../../src/store/memory/xcap-document-store.js';
import { ConstraintFailure } from '../../../../src/xcap/errors.js';
import { XcapUsages } from '../../../../src/xcap/registry.js';
import { standardUsages } from '../../../../src/xcap/usages/standard-usages.js';
import { XcapCapsUsage } from '../../../../src/xcap/usages/xcap-caps.js';
import { candidate } from './helpers.js';

const CAPS = 'urn:ietf:params:xml:ns:xcap-caps';
const all = standardUsages({ xcapCaps: { extensions: ['xcap-diff'] } });
const caps = all[0] as XcapCapsUsage;
const spare = new XcapCapsUsage();
after(() => {
  for (const u of [...all, spare]) u.dispose();
});

function texts(xml: string, tag: string): string[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  return Array.from(doc.getElementsByTagNameNS(CAPS, tag)).map((el) => el.textContent ?? '');
}

test('RFC 4825 §12: AUID, MIME type and default namespace', () => {
  assert.ok(caps instanceof XcapCapsUsage);
  assert.equal(caps.auid, 'xcap-caps');
  assert.equal(caps.mimeType, 'application/xcap-caps+xml');
  assert.equal(caps.defaultNamespace, CAPS);
});

test('RFC 4825 §12: global/index lists every registered AUID, the extensions and every namespace with a schema; it is valid', async () => {
  const ctx = { usages: new XcapUsages(all), store: new MemoryXcapDocumentStore() };
  const text = await caps.globalDocument('index', ctx);
  assert.ok(text);
  assert.deepEqual(texts(text, 'auid'), ['xcap-caps', 'pres-rules', 'org.openmobilealliance.pres-rules', 'resource-lists', 'rls-services', 'pidf-manipulation']);
  assert.deepEqual(texts(text, 'extension'), ['xcap-diff']);
  assert.deepEqual(texts(text, 'namespace'), [
    CAPS,
    'urn:ietf:params:xml:ns:pres-rules',
    'urn:ietf:params:xml:ns:common-policy',
    'urn:oma:xml:xdm:common-policy',
    'urn:oma:xml:prs:pres-rules',
    'urn:ietf:params:xml:ns:resource-lists',
    'urn:ietf:params:xml:ns:rls-services',
    'urn:ietf:params:xml:ns:pidf',
    'urn:ietf:params:xml:ns:pidf:data-model',
    'urn:ietf:params:xml:ns:pidf:rpid',
  ]);
  const { doc, ctx: vctx } = candidate(text, { auid: 'xcap-caps', tree: 'global' });
  assert.equal(caps.validate(doc, vctx), undefined);
  assert.equal(await caps.globalDocument('other', ctx), undefined);
});

test('RFC 4825 §12: xcap-caps and its namespace are listed even when the registry lacks the usage', async () => {
  const text = await spare.globalDocument('index', { usages: new XcapUsages(all.slice(3, 4)), store: new MemoryXcapDocumentStore() });
  assert.ok(text);
  assert.deepEqual(texts(text, 'auid'), ['resource-lists', 'xcap-caps']);
  assert.deepEqual(texts(text, 'namespace'), ['urn:ietf:params:xml:ns:resource-lists', CAPS]);
  assert.deepEqual(texts(text, 'extension'), []);
  const { doc, ctx } = candidate(text, { auid: 'xcap-caps', tree: 'global' });
  assert.equal(spare.validate(doc, ctx), undefined);
});

test('RFC 4825 §12.7: no xcap-caps document in a user\'s tree', async () => {
  const text = (await caps.globalDocument('index', { usages: new XcapUsages(all), store: new MemoryXcapDocumentStore() }))!;
  const { doc, ctx } = candidate(text, { auid: 'xcap-caps', tree: 'users' });
  const result = caps.validate(doc, ctx);
  assert.ok(result instanceof ConstraintFailure);
  assert.match(result.phrase ?? '', /RFC 4825 §12\.7/);
});

test('the standard usages register together (AUIDs valid and distinct)', () => {
  assert.equal(new XcapUsages(all).list().length, 6);
});
