import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NS } from '../../../../src/presence/pidf/namespaces.js';
import { parsePidf } from '../../../../src/presence/pidf/parse.js';
import { parseOk, pidf } from './helpers.js';

const ROOT = `<presence xmlns="${NS.pidf}" entity="sip:a@b">`;

function rejects(body: Buffer | string, defect: string, status: 400 | 413 = 400, limits = {}): void {
  const r = parsePidf(typeof body === 'string' ? Buffer.from(body) : body, limits);
  assert.deepEqual(r, { ok: false, status, defect });
}

/** Runs `fn` and returns how long it took, in ms. */
function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

test('billion laughs is rejected at the DOCTYPE, quickly', () => {
  let dtd = '<!ENTITY lol "lol">';
  for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  const body = `<?xml version="1.0"?><!DOCTYPE presence [${dtd}]>${ROOT}<note>&lol9;</note></presence>`;
  const ms = timed(() => rejects(body, 'PIDF: DOCTYPE not allowed'));
  assert.ok(ms < 50, `${ms} ms`);
});

test('external entities (XXE) and external DTDs are rejected', () => {
  rejects(`<?xml version="1.0"?><!DOCTYPE presence [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${ROOT}<note>&xxe;</note></presence>`, 'PIDF: DOCTYPE not allowed');
  rejects(`<!DOCTYPE presence SYSTEM "http://127.0.0.1/evil.dtd">${ROOT}</presence>`, 'PIDF: DOCTYPE not allowed');
  rejects(`<?xml version="1.0"?>\n<!DOCTYPE presence PUBLIC "-//x//y" "http://127.0.0.1/x.dtd">${ROOT}</presence>`, 'PIDF: DOCTYPE not allowed');
  // Without a DTD, an undeclared entity reference is refused before the parser would guess at it.
  rejects(`${ROOT}<note>&xxe;</note></presence>`, 'PIDF: entity reference not allowed');
  rejects(`${ROOT}<note>&nbsp;</note></presence>`, 'PIDF: entity reference not allowed');
  rejects(`<presence xmlns="${NS.pidf}" entity="&ent;"/>`, 'PIDF: entity reference not allowed');
  rejects(`${ROOT}<!ENTITY x "y"></presence>`, 'PIDF: markup declaration not allowed');
});

test('predefined entities and character references are accepted', () => {
  const doc = parseOk(Buffer.from(`${ROOT}<note>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;</note></presence>`));
  assert.equal(doc.notes[0]!.text, '<>&\'"AB\u{1F600}');
});

test('character references and characters XML does not allow are rejected', () => {
  rejects(`${ROOT}<note>&#1;</note></presence>`, 'PIDF: character reference to a character not allowed in XML');
  rejects(`${ROOT}<note>&#x110000;</note></presence>`, 'PIDF: character reference to a character not allowed in XML');
  rejects(`${ROOT}<note>&#xD800;</note></presence>`, 'PIDF: character reference to a character not allowed in XML');
  rejects(`${ROOT}<note>\u0001</note></presence>`, 'PIDF: character not allowed in XML');
  rejects(`${ROOT}<note>\uFFFF</note></presence>`, 'PIDF: character not allowed in XML');
  rejects(`${ROOT}<note>a & b</note></presence>`, "PIDF: not well-formed XML: bare '&'");
  rejects(`${ROOT}<note>&#;</note></presence>`, "PIDF: not well-formed XML: bare '&'");
});

test('processing instructions other than the XML declaration are rejected', () => {
  rejects(`<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?>${ROOT}</presence>`, 'PIDF: processing instruction not allowed');
  rejects(`${ROOT}<?php echo 1; ?></presence>`, 'PIDF: processing instruction not allowed');
  rejects(` <?xml version="1.0"?>${ROOT}</presence>`, 'PIDF: XML declaration not at the start');
  rejects(`${ROOT}</presence><?xml version="1.0"?>`, 'PIDF: XML declaration not at the start');
  rejects(`<?xml encoding="UTF-8"?>${ROOT}</presence>`, 'PIDF: malformed XML declaration');
  rejects(`<?xml version="1.0" standalone="maybe"?>${ROOT}</presence>`, 'PIDF: malformed XML declaration');
});

test('comments and CDATA are not markup: their content is not screened, and it parses', () => {
  const doc = parseOk(Buffer.from(`<?xml version='1.0' encoding='utf-8' standalone='yes'?>${ROOT}<!-- <!DOCTYPE x> &x; <?pi?> --><note><![CDATA[<b> &amp; ]]></note></presence>`));
  assert.equal(doc.notes[0]!.text, '<b> &amp; ');
  rejects(`${ROOT}<!-- unterminated </presence>`, 'PIDF: not well-formed XML: unterminated comment');
  rejects(`${ROOT}<note><![CDATA[ x </note></presence>`, 'PIDF: not well-formed XML: unterminated CDATA section');
});

test('only UTF-8 is accepted (RFC 3863 §4.1: the encoding every implementation MUST accept)', () => {
  rejects(`<?xml version="1.0" encoding="ISO-8859-1"?>${ROOT}</presence>`, 'PIDF: encoding must be UTF-8');
  rejects(`<?xml version="1.0" encoding="UTF-16"?>${ROOT}</presence>`, 'PIDF: encoding must be UTF-8');
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${ROOT}</presence>`, 'utf16le')]);
  rejects(utf16, 'PIDF: encoding must be UTF-8');
  const be = Buffer.from(`${ROOT}</presence>`, 'utf16le').swap16();
  rejects(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'PIDF: encoding must be UTF-8');
  rejects(Buffer.concat([Buffer.from(`${ROOT}<note>`), Buffer.from([0xc3, 0x28]), Buffer.from('</note></presence>')]), 'PIDF: body is not valid UTF-8');
  rejects(Buffer.from(`${ROOT}<note>caf\xe9</note></presence>`, 'latin1'), 'PIDF: body is not valid UTF-8');
  // A UTF-8 byte order mark is fine, and so are the case variants of the label.
  const bom = parseOk(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version="1.0" encoding="utf-8"?>${ROOT}<note>café</note></presence>`)]));
  assert.equal(bom.notes[0]!.text, 'café');
});

test('size limit: 413 over 64 KiB by default, configurable', () => {
  const filler = `<note>${'x'.repeat(1000)}</note>`;
  const big = Buffer.from(`${ROOT}${filler.repeat(66)}</presence>`);
  assert.ok(big.length > 65536);
  rejects(big, 'PIDF: body larger than 65536 bytes', 413);
  const small = pidf('<tuple id="a"><status><basic>open</basic></status></tuple>');
  rejects(small, `PIDF: body larger than 100 bytes`, 413, { maxBytes: 100 });
  assert.equal(parsePidf(small, { maxBytes: small.length }).ok, true);
  assert.equal(parsePidf(big, { maxBytes: 1 << 20 }).ok, true);
});

test('depth limit: nesting deeper than 32 is rejected, configurable; very deep nesting is rejected quickly', () => {
  const nest = (levels: number, attr = '') => `${ROOT}${`<x:a xmlns:x="urn:x"${attr}>`.repeat(levels)}${'</x:a>'.repeat(levels)}</presence>`;
  assert.equal(parsePidf(Buffer.from(nest(31))).ok, true);
  rejects(nest(32), 'PIDF: elements nested deeper than 32');
  // A '>' or '/>' inside an attribute value neither ends the tag nor makes it empty.
  assert.equal(parsePidf(Buffer.from(nest(31, ` v="/>" w='a>b'`))).ok, true);
  rejects(nest(32, ` v="/>" w='a>b'`), 'PIDF: elements nested deeper than 32');
  // Empty elements count at their depth too.
  rejects(`${ROOT}${'<x:a xmlns:x="urn:x">'.repeat(31)}<x:b/>${'</x:a>'.repeat(31)}</presence>`, 'PIDF: elements nested deeper than 32');
  rejects(nest(5), 'PIDF: elements nested deeper than 4', 400, { maxDepth: 4 });
  const deep = Buffer.from(`${ROOT}${'<a>'.repeat(7000)}${'</a>'.repeat(7000)}</presence>`);
  assert.ok(deep.length < 65536);
  // Refused by the scan, before any DOM is built.
  const ms = timed(() => rejects(deep, 'PIDF: elements nested deeper than 32'));
  assert.ok(ms < 50, `${ms} ms`);
});

test('element count limit: more than 10,000 elements is rejected, configurable', () => {
  const many = (n: number) => Buffer.from(`${ROOT}<x:l xmlns:x="urn:x">${'<x:i/>'.repeat(n)}</x:l></presence>`);
  assert.equal(parsePidf(many(9998)).ok, true);
  rejects(many(9999), 'PIDF: more than 10000 elements');
  rejects(many(10), 'PIDF: more than 5 elements', 400, { maxElements: 5 });
});
