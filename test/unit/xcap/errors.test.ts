import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { CannotDelete, NoParent, NotUtf8, UniquenessFailure, XCAP_ERROR_NAMESPACE } from '../../../src/xcap/errors.js';
import { ALICE, BILL, BILL_LISTS, world } from './support.js';
import type { World } from './support.js';

const LISTS = 'application/resource-lists+xml';
const EL = 'application/xcap-el+xml';
const ATT = 'application/xcap-att+xml';
const BASE = '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="friends"><entry uri="sip:bob@example.com"/></list></resource-lists>';

/** The error element of an application/xcap-error+xml body, checked against the §11 structure. */
function errorElement(body: string): { name: string; phrase: string | null; el: Element } {
  const doc = new DOMParser().parseFromString(body, 'application/xml');
  const root = doc.documentElement!;
  assert.equal(root.localName, 'xcap-error');
  assert.equal(root.namespaceURI, XCAP_ERROR_NAMESPACE);
  const children = Array.from(root.childNodes).filter((n) => n.nodeType === 1) as unknown as Element[];
  assert.equal(children.length, 1, body);
  const el = children[0]!;
  return { name: el.localName!, phrase: el.getAttribute('phrase'), el };
}

/** Sends a request expected to fail with 409 and `element`; checks the document and listeners saw nothing. */
async function conflict(w: World, element: string, method: string, url: string, opts: { body?: string | Buffer; type?: string; as?: string }): Promise<Element> {
  const before = (await w.request('GET', BILL_LISTS)).body;
  const changes = w.changes.length;
  const r = await w.request(method, url, opts);
  assert.equal(r.statusCode, 409, `${method} ${url}: ${r.body}`);
  assert.equal(r.headers['content-type'], 'application/xcap-error+xml');
  const e = errorElement(r.body);
  assert.equal(e.name, element, r.body);
  assert.equal((await w.request('GET', BILL_LISTS)).body, before, 'nothing stored');
  assert.equal(w.changes.length, changes, 'no change reported');
  return e.el;
}

async function withBase(): Promise<World> {
  const w = await world();
  assert.equal((await w.request('PUT', BILL_LISTS, { type: LISTS, body: BASE })).statusCode, 201);
  return w;
}

test('<not-well-formed>: a document that is not well-formed XML, or uses DTDs, entities or processing instructions', async () => {
  const w = await withBase();
  for (const body of [
    '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list></resource-lists>',
    '',
    'just text',
    '<a/><b/>',
    '<!DOCTYPE r [<!ENTITY x "y">]><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"/>',
    '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">&ent;</resource-lists>',
    '<?xml-stylesheet href="x"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"/>',
    '<p:resource-lists/>',
  ]) {
    await conflict(w, 'not-well-formed', 'PUT', BILL_LISTS, { type: LISTS, body });
  }
  await w.close();
});

test('<not-xml-frag>: an element body that is not exactly one well-balanced element', async () => {
  const w = await withBase();
  const url = `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22friends%22%5D/entry%5B@uri=%22sip:carol@example.com%22%5D`;
  for (const body of [
    '<entry uri="sip:carol@example.com"/><entry uri="sip:dave@example.com"/>',
    '<entry uri="sip:carol@example.com">',
    'text',
    '',
    '<!-- c --><entry uri="sip:carol@example.com"/>',
    'x<entry uri="sip:carol@example.com"/>',
    '<?xml version="1.0"?><entry uri="sip:carol@example.com"/>',
    '<entry uri="sip:carol@example.com"/></list><list name="evil">',
    '<q:entry uri="sip:carol@example.com"/>',
  ]) {
    await conflict(w, 'not-xml-frag', 'PUT', url, { type: EL, body });
  }
  // Surrounding white space is fine, and the fragment takes the namespace context of its parent.
  const ok = await w.request('PUT', url, { type: EL, body: '\n  <entry uri="sip:carol@example.com"/>\n' });
  assert.equal(ok.statusCode, 201, ok.body);
  await w.close();
});

test('<no-parent>: the document, the parent element or the directory does not exist, with the closest <ancestor>', async () => {
  const w = await withBase();
  let el = await conflict(w, 'no-parent', 'PUT', `/xcap/resource-lists/users/${BILL}/other/~~/resource-lists/list`, { type: EL, body: '<list/>' });
  assert.equal(el.getElementsByTagName('ancestor')[0]!.textContent, `/xcap/resource-lists/users/${BILL}`);
  el = await conflict(w, 'no-parent', 'PUT', `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22friends%22%5D/list%5B@name=%22x%22%5D/entry`, { type: EL, body: '<entry uri="sip:a@b"/>' });
  assert.equal(el.getElementsByTagName('ancestor')[0]!.textContent, `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22friends%22%5D`);
  el = await conflict(w, 'no-parent', 'PUT', `${BILL_LISTS}/~~/other/list/@name`, { type: ATT, body: '"x"' });
  assert.equal(el.getElementsByTagName('ancestor')[0]!.textContent, BILL_LISTS);
  el = await conflict(w, 'no-parent', 'PUT', `${BILL_LISTS}/~~/p:resource-lists/p:list%5B3%5D/p:entry?xmlns(p=urn:ietf:params:xml:ns:resource-lists)`, { type: EL, body: '<entry uri="sip:a@b"/>' });
  assert.equal(el.getElementsByTagName('ancestor')[0]!.textContent, `${BILL_LISTS}/~~/p:resource-lists?xmlns(p=urn:ietf:params:xml:ns:resource-lists)`);
  // Without prefixes in the ancestor's steps, the query is left out (a ':' in a value is no prefix).
  el = await conflict(w, 'no-parent', 'PUT', `${BILL_LISTS}/~~/resource-lists/list/entry%5B@uri=%22sip:bob@example.com%22%5D/x/y?xmlns(p=urn:p)`, { type: EL, body: '<y/>' });
  assert.equal(el.getElementsByTagName('ancestor')[0]!.textContent, `${BILL_LISTS}/~~/resource-lists/list/entry%5B@uri=%22sip:bob@example.com%22%5D`);
  // Documents below a subdirectory have no parent directory.
  await conflict(w, 'no-parent', 'PUT', `/xcap/resource-lists/users/${BILL}/dir/index`, { type: LISTS, body: BASE });
  await w.close();
});

test('<schema-validation-error>, <constraint-failure> and <uniqueness-failure> come from the usage, for PUT and DELETE alike', async () => {
  const w = await withBase();
  await conflict(w, 'schema-validation-error', 'PUT', BILL_LISTS, { type: LISTS, body: '<resource-list xmlns="urn:ietf:params:xml:ns:resource-lists"/>' });
  await conflict(w, 'schema-validation-error', 'PUT', `${BILL_LISTS}/~~/resource-lists/invalid`, { type: EL, body: '<invalid/>' });
  await conflict(w, 'constraint-failure', 'PUT', `${BILL_LISTS}/~~/resource-lists/list/entry%5B@uri=%22tel:+1%22%5D`, { type: EL, body: '<entry uri="tel:+1"/>' });
  await conflict(w, 'constraint-failure', 'PUT', `${BILL_LISTS}/~~/resource-lists/list/entry/@uri`, { type: ATT, body: "'mailto:bob@example.com'" });
  assert.equal((await w.request('PUT', `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22b%22%5D`, { type: EL, body: '<list name="b"/>' })).statusCode, 201);
  const el = await conflict(w, 'uniqueness-failure', 'PUT', `${BILL_LISTS}/~~/resource-lists/list%5B2%5D/@name`, { type: ATT, body: '"friends"' });
  const exists = el.getElementsByTagName('exists')[0]!;
  assert.equal(exists.getAttribute('field'), 'resource-lists/list/@name');
  assert.equal(exists.getElementsByTagName('alt-value')[0]!.textContent, 'friends-2');
  // An element removal is validated too (RFC 4825 §8.2.5): removing <list>'s name makes two nameless lists.
  await w.request('PUT', BILL_LISTS, { type: LISTS, body: '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="a"/><list/></resource-lists>' });
  await conflict(w, 'uniqueness-failure', 'DELETE', `${BILL_LISTS}/~~/resource-lists/list%5B1%5D/@name`, {});
  await w.close();
});

test('<uniqueness-failure> across users: an RLS service URI another user holds (RFC 4826 §4.4.5), with an alternative', async () => {
  const w = await world();
  const service = (uri: string) => `<rls-services xmlns="urn:ietf:params:xml:ns:rls-services"><service uri="${uri}"/></rls-services>`;
  const alice = `/xcap/rls-services/users/${ALICE}/index`;
  assert.equal((await w.request('PUT', alice, { as: ALICE, type: 'application/rls-services+xml', body: service('sip:friends@example.com') })).statusCode, 201);
  const r = await w.request('PUT', `/xcap/rls-services/users/${BILL}/index`, { type: 'application/rls-services+xml', body: service('sip:friends@example.com') });
  assert.equal(r.statusCode, 409);
  assert.equal(
    r.body,
    `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><uniqueness-failure><exists field="rls-services/service/@uri"><alt-value>sip:friends-1@example.com</alt-value></exists></uniqueness-failure></xcap-error>\n`,
  );
  // Alice replacing her own document is no conflict with herself.
  assert.equal((await w.request('PUT', alice, { as: ALICE, type: 'application/rls-services+xml', body: service('sip:friends@example.com') })).statusCode, 200);
  await w.close();
});

test('<not-xml-att-value>: an attribute body that is not a quoted XML AttValue', async () => {
  const w = await withBase();
  const url = `${BILL_LISTS}/~~/resource-lists/list/@name`;
  for (const body of ['friends', '"friends', '"a<b"', '"a&b"', '"a"b"', '"&#0;"', '"x" ', '\'x"', '"&nbsp;"']) {
    await conflict(w, 'not-xml-att-value', 'PUT', url, { type: ATT, body });
  }
  const ok = await w.request('PUT', url, { type: ATT, body: '"a&amp;b&#x9;c\td&quot;\'"' });
  assert.equal(ok.statusCode, 200);
  // XML 1.0 §3.3.3: the literal tab becomes a space, the referenced one stays a tab.
  assert.equal((await w.request('GET', url)).body, '"a&amp;b&#x9;c d&quot;\'"');
  await w.close();
});

test('<cannot-insert> and <cannot-delete>: namespace declarations and the root element', async () => {
  const w = await withBase();
  await conflict(w, 'cannot-insert', 'PUT', `${BILL_LISTS}/~~/resource-lists/@xmlns`, { type: ATT, body: '"urn:other"' });
  await conflict(w, 'cannot-insert', 'PUT', `${BILL_LISTS}/~~/resource-lists/list/entry%5B@uri=%22sip:x@y%22%5D`, { type: EL, body: '<entry uri="sip:z@y"/>' });
  await conflict(w, 'cannot-delete', 'DELETE', `${BILL_LISTS}/~~/resource-lists`, {});
  await conflict(w, 'cannot-delete', 'DELETE', `${BILL_LISTS}/~~/*%5B1%5D`, {});
  await w.close();
});

test('<not-utf-8>: documents, fragments and attribute values in another encoding', async () => {
  const w = await withBase();
  const latin1 = Buffer.from('<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="caf\xe9"/></resource-lists>', 'latin1');
  await conflict(w, 'not-utf-8', 'PUT', BILL_LISTS, { type: LISTS, body: latin1 });
  await conflict(w, 'not-utf-8', 'PUT', BILL_LISTS, { type: `${LISTS}; charset=ISO-8859-1`, body: BASE });
  await conflict(w, 'not-utf-8', 'PUT', BILL_LISTS, { type: LISTS, body: `<?xml version="1.0" encoding="ISO-8859-1"?>${BASE}` });
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<list name="x"/>', 'utf16le')]);
  await conflict(w, 'not-utf-8', 'PUT', `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22x%22%5D`, { type: EL, body: utf16 });
  await conflict(w, 'not-utf-8', 'PUT', `${BILL_LISTS}/~~/resource-lists/list/@name`, { type: ATT, body: Buffer.from('"caf\xe9"', 'latin1') });
  await conflict(w, 'not-utf-8', 'PUT', `${BILL_LISTS}/~~/resource-lists/list/@name`, { type: `${ATT};charset="latin1"`, body: '"x"' });
  // UTF-8 with a charset parameter saying so is fine.
  assert.equal((await w.request('PUT', BILL_LISTS, { type: `${LISTS}; charset="utf-8"`, body: BASE })).statusCode, 200);
  await w.close();
});

test('conflict reports are built safely: phrases and values escaped, one element per class', () => {
  const doc = new DOMParser().parseFromString(new NoParent('/xcap/a/users/sip:x@y/index/~~/l%5B@n=%22<&>%22%5D', 'he said "<no>" & left').toXml(), 'application/xml');
  const el = doc.documentElement!.firstChild as unknown as Element;
  assert.equal(el.getAttribute('phrase'), 'he said "<no>" & left');
  assert.equal(el.getElementsByTagName('ancestor')[0]!.textContent, '/xcap/a/users/sip:x@y/index/~~/l%5B@n=%22<&>%22%5D');
  const u = new UniquenessFailure([{ field: 'a/@b"', altValues: ['<x>', 'y&z'] }, { field: 'c' }]).toXml();
  assert.match(u, /<exists field="a\/@b&#34;"><alt-value>&#60;x&#62;<\/alt-value><alt-value>y&#38;z<\/alt-value><\/exists><exists field="c"\/>/);
  assert.equal(new NotUtf8().toXml(), '<?xml version="1.0" encoding="UTF-8"?>\n<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><not-utf-8/></xcap-error>\n');
  assert.equal(new CannotDelete('x\ny').toXml().includes('phrase="x&#10;y"'), true);
  assert.throws(() => new UniquenessFailure([]));
});
