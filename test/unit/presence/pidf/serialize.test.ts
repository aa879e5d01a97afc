import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PresenceDocument } from '../../../../src/presence/pidf/model.js';
import { NS } from '../../../../src/presence/pidf/namespaces.js';
import { parsePidf } from '../../../../src/presence/pidf/parse.js';
import { childElements } from '../../../../src/util/xml-dom.js';
import { serializePidf } from '../../../../src/presence/pidf/serialize.js';
import { captureBodies, fixture, fixtureNames, parseOk, pidf, plain, qname } from './helpers.js';

/** Parse, serialise, parse again: same model; serialising again gives the same bytes. */
function roundTrip(name: string, body: Buffer): string {
  const first = parseOk(body);
  const out = serializePidf(first);
  const again = parsePidf(out);
  assert.ok(again.ok, `${name}: ${again.ok ? '' : again.defect}\n${out.toString()}`);
  assert.deepEqual(plain(again.value), plain(first), name);
  for (const uri of first.namespaces.keys()) if (uri !== NS.pidf) assert.ok(again.value.namespaces.has(uri), `${name}: ${uri} declared`);
  assert.equal(serializePidf(again.value).toString(), out.toString(), `${name}: stable`);
  return out.toString();
}

const REJECTED_AS_PRINTED = new Set(['rfc4479-7.1.xml', 'rfc4482-4-cipid.xml']);

test('every RFC example and the OMA document round-trip', () => {
  const names = fixtureNames().filter((f) => !REJECTED_AS_PRINTED.has(f));
  assert.ok(names.length >= 12, `found ${names.length}`);
  for (const f of names) roundTrip(f, fixture(f));
});

test('every capture body round-trips with vendor elements intact', () => {
  for (const [name, body] of captureBodies()) roundTrip(name, body);
  const linphone = captureBodies().find(([n]) => n === 'linphone-02-PUBLISH-initial.txt')![1];
  const out = roundTrip('linphone', linphone);
  assert.match(out, /xmlns:pidfonline="http:\/\/www\.linphone\.org\/xsds\/pidfonline\.xsd"/);
  assert.match(out, /<status>\n {3}<basic>open<\/basic>\n {3}<pidfonline:online\/>\n {2}<\/status>/);
});

test('output: XML declaration, PIDF as default namespace, known prefixes, declarations on the root only', () => {
  const out = roundTrip('rfc5196', fixture('rfc5196-5.xml'));
  assert.ok(out.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" '));
  // The publisher's `mod` prefix for the data model becomes the conventional `dm`.
  assert.match(out, /<dm:device id="hgt67">/);
  assert.doesNotMatch(out, /mod:/);
  assert.equal(out.match(/xmlns[:=]/g)!.length, 3, out);
  const prefixed = roundTrip('rfc3863 §4.2.2', fixture('rfc3863-4.2.2-prefixed.xml'));
  assert.match(prefixed, /<tuple id="sg89ae">/);
  assert.doesNotMatch(prefixed, /impp/);
});

test('an attribute in the PIDF namespace gets the pidf prefix (RFC 3863 §4.3.3 mustUnderstand)', () => {
  const out = roundTrip('rfc3863 §4.3.3', fixture('rfc3863-4.3.3.xml'));
  assert.match(out, / xmlns:pidf="urn:ietf:params:xml:ns:pidf"/);
  assert.match(out, /<myex:ex1 pidf:mustUnderstand="1">val1<\/myex:ex1>/);
  const doc = parseOk(Buffer.from(out));
  const ex1 = doc.tuples[0]!.extensions[0]!.getElementsByTagNameNS('http://id.mycompany.com/presence/', 'ex1')[0]!;
  assert.equal(ex1.getAttributeNS(NS.pidf, 'mustUnderstand'), '1');
});

test('top-level order follows the schema: tuples, notes, then persons, devices and other extensions', () => {
  const body = pidf(
    '<x:top xmlns:x="urn:x"/><dm:device id="d"><dm:deviceID>urn:d</dm:deviceID></dm:device><note>n</note><dm:person id="p"/><tuple id="t"><status><basic>open</basic></status></tuple>',
  );
  const out = serializePidf(parseOk(body)).toString();
  const order = ['<tuple id="t">', '<note>n</note>', '<dm:person id="p"/>', '<dm:device id="d">', '<x:top/>'].map((s) => out.indexOf(s));
  assert.ok(order.every((v, i) => v > 0 && (i === 0 || v > order[i - 1]!)), out);
});

test('an empty document is <presence/> with its entity', () => {
  const doc: PresenceDocument = { entity: 'sip:bob@example.com', tuples: [], persons: [], devices: [], notes: [], extensions: [], attributes: [], namespaces: new Map() };
  assert.equal(serializePidf(doc).toString(), '<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:bob@example.com"/>\n');
  assert.deepEqual(plain(parseOk(serializePidf(doc))), plain(doc));
});

test('prefix clashes between documents: each namespace keeps one prefix, unknown ones never take a known prefix', () => {
  const a = parseOk(pidf('<tuple id="a"><status><basic>open</basic></status><v:x xmlns:v="urn:vendor-a">1</v:x></tuple>'));
  const b = parseOk(pidf('<tuple id="b"><status><basic>open</basic></status><v:x xmlns:v="urn:vendor-b">2</v:x><rpid:y xmlns:rpid="urn:not-rpid"/></tuple>'));
  const merged: PresenceDocument = { ...a, tuples: [...a.tuples, ...b.tuples], namespaces: new Map([...a.namespaces, ...b.namespaces]) };
  const out = serializePidf(merged).toString();
  const again = parseOk(Buffer.from(out));
  assert.deepEqual(again.tuples[0]!.extensions.map(qname), ['{urn:vendor-a}x']);
  assert.deepEqual(again.tuples[1]!.extensions.map(qname), ['{urn:vendor-b}x', '{urn:not-rpid}y']);
  assert.match(out, /xmlns:v="urn:vendor-a"/);
  assert.match(out, /xmlns:ns\d+="urn:vendor-b"/);
  assert.match(out, /xmlns:ns\d+="urn:not-rpid"/);
  assert.match(out, /xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"/);
});

test('elements in no namespace and default-namespace extensions survive', () => {
  const body = pidf(
    '<tuple id="a"><status><basic>open</basic></status><ext xmlns="urn:ext"><inner a="1"><bare xmlns=""><deeper/></bare></inner></ext></tuple>',
  );
  const out = roundTrip('no namespace', body);
  const ext = parseOk(Buffer.from(out)).tuples[0]!.extensions[0]!;
  assert.equal(qname(ext), '{urn:ext}ext');
  const bare = ext.getElementsByTagName('bare')[0]!;
  assert.equal(bare.namespaceURI, null);
  assert.equal(childElements(bare)[0]!.namespaceURI, null);
  assert.match(out, /<bare xmlns="">/);
  // A PIDF element below an element without namespace declares the default namespace again.
  const back = roundTrip('pidf below no namespace', pidf(`<tuple id="a"><status><basic>open</basic></status><x xmlns=""><note xmlns="${NS.pidf}">n</note></x></tuple>`));
  assert.match(back, new RegExp(`<x xmlns=""><note xmlns="${NS.pidf}">n</note></x>`));
});

test('text, attributes and comments are escaped and kept', () => {
  const body = pidf(
    `<tuple id="a&quot;b"><status><basic>open</basic></status><!-- kept --><note>a &amp; b &lt;c&gt; ]]&gt; &#13;</note><x:y xmlns:x="urn:x" v="tab&#9;nl&#10;q&quot;lt&lt;amp&amp;"/></tuple>`,
  );
  const out = roundTrip('escaping', body);
  const doc = parseOk(Buffer.from(out));
  assert.equal(doc.tuples[0]!.id, 'a"b');
  assert.equal(doc.tuples[0]!.notes[0]!.text, 'a & b <c> ]]> \r');
  assert.equal(doc.tuples[0]!.extensions[0]!.getAttribute('v'), 'tab\tnl\nq"lt<amp&');
  assert.match(out, /<!-- kept -->/);
});

test('root attributes and xml:lang are written back', () => {
  const out = roundTrip('schemaLocation', fixture('rfc4482-4-rpid-cipid.xml'));
  assert.match(out, / xsi:schemaLocation="urn:ietf:params:xml:ns:pidf pidf\.xsd /);
  assert.match(out, / xmlns:xsi="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance"/);
  const lang = roundTrip('lang', Buffer.from(`<presence xmlns="${NS.pidf}" xml:lang="fr" entity="sip:a@b"><note>Bonjour</note></presence>`));
  assert.match(lang, /entity="sip:a@b" xml:lang="fr">/);
});

test('a namespace only used in a value (declared, never used by a name) is still declared', () => {
  const body = pidf('<tuple id="a"><status><basic>open</basic></status><x:t xmlns:x="urn:x" xmlns:q="urn:q">q:value</x:t></tuple>');
  assert.match(roundTrip('qname value', body), /xmlns:q="urn:q"/);
});
