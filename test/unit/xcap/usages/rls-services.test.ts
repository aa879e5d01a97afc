import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryXcapDocumentStore } from '../../../../src/store/memory/xcap-document-store.js';
import type { XcapAccess } from '../../../../src/xcap/application-usage.js';
import { ConstraintFailure, SchemaValidationError, UniquenessFailure } from '../../../../src/xcap/errors.js';
import { XcapUsages } from '../../../../src/xcap/registry.js';
import { RlsServicesUsage } from '../../../../src/xcap/usages/rls-services.js';
import type { RlsServicesOptions } from '../../../../src/xcap/usages/rls-services.js';
import { candidate, fixture } from './helpers.js';

const RLS = 'urn:ietf:params:xml:ns:rls-services';
const RL = 'urn:ietf:params:xml:ns:resource-lists';
const JOE = 'sip:joe@example.com';
const BOB = 'sip:bob@example.com';
const ALICE = 'sip:alice@example.com';

const usages: RlsServicesUsage[] = [];
function rlsUsage(options?: RlsServicesOptions): RlsServicesUsage {
  const u = new RlsServicesUsage(options);
  usages.push(u);
  return u;
}
after(() => {
  for (const u of usages) u.dispose();
});
const usage = rlsUsage();

const services = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rls-services xmlns="${RLS}" xmlns:rl="${RL}">\n${body}\n</rls-services>\n`;
const listsOf = (xui: string, list = 'l1'): string => `http://xcap.example.com/resource-lists/users/${xui}/index/~~/resource-lists/list%5b@name=%22${list}%22%5d`;
const service = (uri: string, xui = ALICE): string =>
  `<service uri="${uri}"><resource-list>${listsOf(xui)}</resource-list><packages><package>presence</package></packages></service>`;

function check(text: string, xui = ALICE, tree: 'users' | 'global' = 'users') {
  const { doc, ctx } = candidate(text, { auid: 'rls-services', xui, tree });
  return usage.validate(doc, ctx);
}

/** A store holding `docs` (xui → document text, all named `index` unless the name is given). */
async function storeWith(docs: readonly { xui: string; text: string; name?: string }[]): Promise<MemoryXcapDocumentStore> {
  const store = new MemoryXcapDocumentStore();
  for (const d of docs) {
    const record = { auid: 'rls-services', tree: 'users' as const, xui: d.xui, name: d.name ?? 'index', body: Buffer.from(d.text), etag: `"${d.xui}"`, modifiedAt: 1 };
    assert.equal(await store.put(record, undefined), true);
  }
  return store;
}

async function uniqueness(u: RlsServicesUsage, store: MemoryXcapDocumentStore, text: string, xui = ALICE) {
  const { doc } = candidate(text, { auid: 'rls-services', xui });
  return u.checkUniqueness(doc, { auid: 'rls-services', tree: 'users', xui, name: 'index', store });
}

test('RFC 4826 §4.4: AUID, MIME type, default namespace, resource-lists schema listed, document index', () => {
  assert.equal(usage.auid, 'rls-services');
  assert.equal(usage.mimeType, 'application/rls-services+xml');
  assert.equal(usage.defaultNamespace, RLS);
  assert.deepEqual(usage.namespaces, [RL]);
  assert.equal(usage.defaultDocument, 'index');
});

test('the examples of RFC 4826 §4.3 and §4.4.8 (joe\'s) and RFC 4825 §13 (bill\'s) are valid', () => {
  assert.equal(check(fixture('rfc4826-4.3.xml'), JOE), undefined);
  assert.equal(check(fixture('rfc4826-4.4.8-global-index.xml'), JOE), undefined);
  assert.equal(check(fixture('rfc4825-13-rls-services.xml'), 'sip:bill@example.com'), undefined);
});

test('schema violations are schema-validation-error', () => {
  const cases: [string, RegExp][] = [
    [services('<service><list/></service>'), /attribute 'uri' is required/],
    [services('<service uri="sip:a@example.com"/>'), /Missing child element/],
    [services(`<service uri="sip:a@example.com"><list/><resource-list>${listsOf(ALICE)}</resource-list></service>`), /resource-list': This element is not expected/],
    [services('<service uri="sip:a@example.com"><list><rl:buddy uri="sip:b@example.com"/></list></service>'), /buddy': This element is not expected/],
  ];
  for (const [text, phrase] of cases) {
    const result = check(text);
    assert.ok(result instanceof SchemaValidationError, text);
    assert.match(result.phrase ?? '', phrase);
  }
});

test('RFC 4826 §4.4.5: a resource-list is an absolute HTTP URI into resource-lists, of the same XUI in the users tree', () => {
  for (const uri of [
    'resource-lists/users/sip:alice@example.com/index',
    'http://xcap.example.com/pres-rules/users/sip:alice@example.com/index',
    listsOf(BOB),
    'http://xcap.example.com/resource-lists/global/index',
  ]) {
    const result = check(services(`<service uri="sip:friends@example.com"><resource-list>${uri}</resource-list></service>`));
    assert.ok(result instanceof ConstraintFailure, uri);
    assert.match(result.phrase ?? '', /RFC 4826 §4\.4\.5/);
  }
  // Percent-encoded XUI, an XCAP root with a path, surrounding whitespace: all fine.
  const encoded = 'https://xcap.example.com/xcap/resource-lists/users/sip%3Aalice%40example.com/index';
  assert.equal(check(services(`<service uri="sip:friends@example.com"><resource-list>\n ${encoded}\n</resource-list></service>`)), undefined);
  // In the global tree, any user's lists may be named.
  assert.equal(check(services(service('sip:friends@example.com', BOB)), '', 'global'), undefined);
});

test('RFC 4826 §4.4.5: a service\'s <list> obeys the resource-lists constraints, fields use the rl prefix', () => {
  const result = check(
    services(`${service('sip:friends@example.com')}
<service uri="sip:marketing@example.com"><list name="m"><rl:entry uri="sip:joe@example.com"/><rl:entry uri="sip:joe@example.com"/></list></service>`),
  );
  assert.ok(result instanceof UniquenessFailure);
  assert.deepEqual(result.exists, [
    { field: 'rls-services/service%5B2%5D/list/rl:entry%5B2%5D/@uri?xmlns(rl=urn:ietf:params:xml:ns:resource-lists)' },
  ]);
  const external = check(services('<service uri="sip:m@example.com"><list><rl:external anchor="resource-lists/users/x/index"/></list></service>'));
  assert.ok(external instanceof ConstraintFailure);
});

test('RFC 4826 §4.4.5: a service URI used in another user\'s document is refused, with free alternatives', async () => {
  const store = await storeWith([
    { xui: JOE, text: fixture('rfc4826-4.3.xml') },
    { xui: BOB, text: services(service('sip:marketing-1@example.com', BOB)), name: 'other' },
  ]);
  const result = await uniqueness(usage, store, services(`${service('sip:friends@example.com')}\n${service('sip:marketing@EXAMPLE.com')}`));
  assert.ok(result instanceof UniquenessFailure);
  assert.deepEqual(result.exists, [
    { field: 'rls-services/service%5B2%5D/@uri', altValues: ['sip:marketing-2@EXAMPLE.com', 'sip:marketing-3@EXAMPLE.com', 'sip:marketing-4@EXAMPLE.com'] },
  ]);
  assert.match(result.toXml(), /<exists field="rls-services\/service%5B2%5D\/@uri"><alt-value>sip:marketing-2@EXAMPLE\.com<\/alt-value>/);
  assert.equal(await uniqueness(usage, store, services(service('sip:friends@example.com'))), undefined);
});

test('a user replacing its own document does not clash with the version being replaced', async () => {
  const text = fixture('rfc4826-4.3.xml');
  const store = await storeWith([{ xui: JOE, text }]);
  assert.equal(await uniqueness(usage, store, text, JOE), undefined);
  const clash = await uniqueness(usage, store, text, ALICE);
  assert.ok(clash instanceof UniquenessFailure);
  assert.equal(clash.exists.length, 2);
});

test('the same service URI twice in one document: the second is reported; URIs compare canonically (RFC 4826 §5)', async () => {
  const store = await storeWith([]);
  const result = await uniqueness(
    usage,
    store,
    services(
      [
        service('sip:a@example.com;transport=udp;lr'),
        service('sip:b@example.com'),
        service('sip:a@Example.COM;LR;transport=UDP?subject=x'),
        service('sip:%62@example.com'),
      ].join('\n'),
    ),
  );
  assert.ok(result instanceof UniquenessFailure);
  assert.deepEqual(
    result.exists.map((e) => e.field),
    ['rls-services/service%5B3%5D/@uri', 'rls-services/service%5B4%5D/@uri'],
  );
  // Differently-cased user parts are different URIs (RFC 3261 §19.1.4).
  assert.equal(await uniqueness(usage, store, services(`${service('sip:a@example.com')}\n${service('sip:A@example.com')}`)), undefined);
});

test('RFC 4826 §4.4.5: a service URI must not name an existing resource; alternatives skip existing ones', async () => {
  const existing = new Set(['sip:carol@example.com', 'sip:carol-1@example.com']);
  const u = rlsUsage({ isExistingResource: async (uri) => existing.has(uri) });
  const store = await storeWith([]);
  const result = await uniqueness(u, store, services(service('sip:carol@example.com')));
  assert.ok(result instanceof UniquenessFailure);
  assert.deepEqual(result.exists, [{ field: 'rls-services/service/@uri', altValues: ['sip:carol-2@example.com', 'sip:carol-3@example.com', 'sip:carol-4@example.com'] }]);
  assert.equal(await uniqueness(u, store, services(service('sip:dave@example.com'))), undefined);
  // A URI without a user part gets no suggestions.
  existing.add('sip:example.com');
  const bare = await uniqueness(u, store, services(service('sip:example.com')));
  assert.ok(bare instanceof UniquenessFailure);
  assert.deepEqual(bare.exists, [{ field: 'rls-services/service/@uri' }]);
});

test('RFC 4826 §4.4.8: the global index is the union of the users\' index documents, valid against the schema', async () => {
  const store = await storeWith([
    { xui: JOE, text: fixture('rfc4826-4.3.xml') },
    { xui: BOB, text: services(service('sip:bobs@example.com', BOB)) },
    { xui: ALICE, text: services(service('sip:not-indexed@example.com')), name: 'drafts' },
  ]);
  const text = await usage.globalDocument('index', { usages: new XcapUsages([usage]), store });
  assert.ok(text);
  assert.equal(check(text, '', 'global'), undefined);
  const uris = [...text.matchAll(/<service uri="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(uris, ['sip:bobs@example.com', 'sip:mybuddies@example.com', 'sip:marketing@example.com']);
  assert.match(text, /<rl:entry uri="sip:sudhir@example\.com"\/>/);
  assert.equal(await usage.globalDocument('other', { usages: new XcapUsages([usage]), store }), undefined);
  const empty = await usage.globalDocument('index', { usages: new XcapUsages([usage]), store: new MemoryXcapDocumentStore() });
  assert.equal(check(empty ?? '', '', 'global'), undefined);
});

test('RFC 4826 §4.4.9: the global index is readable only by the configured trusted readers, writable by no one', () => {
  const rls = 'sip:rls@example.com';
  const u = rlsUsage({ indexReaders: [rls] });
  const access = (principal: string, operation: 'read' | 'write', tree: 'users' | 'global', xui = ''): XcapAccess => ({
    auid: 'rls-services',
    tree,
    xui,
    name: 'index',
    principal,
    operation,
  });
  assert.equal(u.authorize(access(rls, 'read', 'global')), true);
  assert.equal(u.authorize(access(rls, 'write', 'global')), false);
  assert.equal(u.authorize(access(ALICE, 'read', 'global')), false);
  assert.equal(usage.authorize(access(rls, 'read', 'global')), false);
  assert.equal(u.authorize(access(ALICE, 'write', 'users', ALICE)), true);
  assert.equal(u.authorize(access(ALICE, 'read', 'users', BOB)), false);
});
