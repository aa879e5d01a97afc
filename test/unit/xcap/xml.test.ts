import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Document, Element } from '@xmldom/xmldom';
import { XcapConflict } from '../../../src/xcap/errors.js';
import { inScopeNamespaces, parseXcapAttributeValue, parseXcapDocument, parseXcapFragment, serializeAttributeValue, serializeXml } from '../../../src/xcap/xml.js';
import { BILL, world } from './support.js';

const LIMITS = { maxBytes: 1 << 20, maxDepth: 64, maxElements: 10_000 };

function doc(text: string): Document {
  const p = parseXcapDocument(Buffer.from(text), LIMITS);
  assert.ok(!(p instanceof XcapConflict), text);
  return p.doc;
}

test('the serializer writes back exactly what was parsed: declaration, comments, CDATA, white space, character references, namespace declarations', () => {
  const text = `<?xml version="1.0" encoding="UTF-8"?>
<!-- before -->
<r xmlns="urn:r" xmlns:p="urn:p" p:a="1">
  <p:x>text &amp; &lt;tags&gt;</p:x><![CDATA[<raw> & ]]>
  <y a="quote &quot; tab&#x9; nl&#xA; cr&#xD; lt &lt; amp &amp; gt >"/><z></z>
</r>
<!-- after -->`;
  const out = serializeXml(doc(text));
  // Only an empty element's form changes.
  assert.equal(out, text.replace('<z></z>', '<z/>'));
  assert.equal(serializeXml(doc(out)), out, 'a fixpoint');
  assert.equal(serializeXml(doc('<a>\r\n</a>')), '<a>\n</a>', 'line ends normalized by parsing');
  assert.equal(serializeXml(doc('<a>&#xD;</a>')), '<a>&#xD;</a>', 'a referenced CR survives');
});

test('fragments are read in the namespace context of their parent and keep their own declarations (RFC 4825 §8.2.3)', () => {
  const d = doc('<r xmlns="urn:r" xmlns:p="urn:p"><p:list/></r>');
  const list = d.documentElement!.firstChild as Element;
  const frag = parseXcapFragment(Buffer.from('<p:item><entry/></p:item>'), list, LIMITS);
  assert.ok(!(frag instanceof XcapConflict));
  assert.equal(frag.namespaceURI, 'urn:p');
  assert.equal((frag.firstChild as Element).namespaceURI, 'urn:r', 'the default namespace of the context applies');
  assert.equal(serializeXml(frag), '<p:item><entry/></p:item>', 'no declaration added');
  const redundant = parseXcapFragment(Buffer.from('<p:item xmlns:p="urn:p" xmlns="urn:r"/>'), list, LIMITS);
  assert.equal(serializeXml(redundant as Element), '<p:item xmlns:p="urn:p" xmlns="urn:r"/>', 'redundant declarations kept');
  // At the document level nothing is in scope.
  assert.ok(parseXcapFragment(Buffer.from('<p:item/>'), d, LIMITS) instanceof XcapConflict);
  assert.deepEqual([...inScopeNamespaces(list)], [
    ['', 'urn:r'],
    ['p', 'urn:p'],
  ]);
  assert.deepEqual([...inScopeNamespaces(doc('<a xmlns="urn:a"><b xmlns=""/></a>').documentElement!.firstChild as Element)], [], 'xmlns="" undeclares');
});

test('AttValue bodies: either quote, references, normalization; GET writes them back as an AttValue', () => {
  const table: [string, string][] = [
    ['"plain"', 'plain'],
    ["'single \"inner\"'", 'single "inner"'],
    ['"&lt;&gt;&amp;&apos;&quot;&#65;&#x1F600;"', `<>&'"A\u{1F600}`],
    ['"a\tb\nc\r\nd"', 'a b c  d'],
    ['""', ''],
  ];
  for (const [body, value] of table) assert.equal(parseXcapAttributeValue(Buffer.from(body), 100), value, body);
  assert.ok(parseXcapAttributeValue(Buffer.from('"x"'), 2) instanceof XcapConflict);
  assert.equal(serializeAttributeValue(`<>&'"\t\n\r x`), '"&lt;>&amp;\'&quot;&#x9;&#xA;&#xD; x"');
});

test('namespaced attributes: an existing prefix of the document is used, else the selector prefix is declared', async () => {
  const w = await world();
  const url = `/xcap/test/users/${BILL}/index`;
  await w.request('PUT', url, { type: 'application/test+xml', body: '<r xmlns="urn:test:default-namespace" xmlns:d="urn:d"><e/></r>' });
  const att = 'application/xcap-att+xml';
  assert.equal((await w.request('PUT', `${url}/~~/r/e/@q:a?xmlns(q=urn:d)`, { type: att, body: '"1"' })).statusCode, 201);
  assert.equal((await w.request('PUT', `${url}/~~/r/e/@n:b?xmlns(n=urn:new)`, { type: att, body: '"2"' })).statusCode, 201);
  assert.equal((await w.request('PUT', `${url}/~~/r/e/@n:b?xmlns(n=urn:new)`, { type: att, body: '"3"' })).statusCode, 200);
  // The prefix "d" is taken by another namespace in scope: no way to declare it.
  const clash = await w.request('PUT', `${url}/~~/r/e/@d:c?xmlns(d=urn:other)`, { type: att, body: '"4"' });
  assert.equal(clash.statusCode, 409);
  assert.match(clash.body, /<cannot-insert /);
  assert.equal((await w.request('GET', `${url}/~~/r/e`)).body, '<e d:a="1" xmlns:n="urn:new" n:b="3"/>');
  assert.equal((await w.request('DELETE', `${url}/~~/r/e/@x:b?xmlns(x=urn:new)`)).statusCode, 200);
  assert.equal((await w.request('GET', `${url}/~~/r/e`)).body, '<e d:a="1" xmlns:n="urn:new"/>');
  await w.close();
});
