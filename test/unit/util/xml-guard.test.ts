import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenXml } from '../../../src/util/xml-guard.js';
import type { ScreenFailureKind } from '../../../src/util/xml-guard.js';

const LIMITS = { maxBytes: 200, maxDepth: 3, maxElements: 5 };

test('screenXml: each refusal says its kind, and the defect carries the caller\'s label', () => {
  const table: [Buffer | string, ScreenFailureKind, 400 | 413, string][] = [
    ['x'.repeat(201), 'too-large', 413, 'XCAP: body larger than 200 bytes'],
    [Buffer.from([0xff, 0xfe, 0x3c, 0x00]), 'not-utf-8', 400, 'XCAP: encoding must be UTF-8'],
    [Buffer.from([0x3c, 0x61, 0xc3, 0x28, 0x2f, 0x3e]), 'not-utf-8', 400, 'XCAP: body is not valid UTF-8'],
    ['<?xml version="1.0" encoding="latin1"?><a/>', 'not-utf-8', 400, 'XCAP: encoding must be UTF-8'],
    ['<!DOCTYPE a><a/>', 'forbidden', 400, 'XCAP: DOCTYPE not allowed'],
    ['<a>&x;</a>', 'forbidden', 400, 'XCAP: entity reference not allowed'],
    ['<a b="&x;"/>', 'forbidden', 400, 'XCAP: entity reference not allowed'],
    ['<?pi x?><a/>', 'forbidden', 400, 'XCAP: processing instruction not allowed'],
    ['<a><b><c><d/></c></b></a>', 'forbidden', 400, 'XCAP: elements nested deeper than 3'],
    ['<a><b/><b/><b/><b/><b/></a>', 'forbidden', 400, 'XCAP: more than 5 elements'],
    ['<a>&</a>', 'not-well-formed', 400, "XCAP: not well-formed XML: bare '&'"],
    ['<a>\u0001</a>', 'not-well-formed', 400, 'XCAP: character not allowed in XML'],
    ['<a><!-- x</a>', 'not-well-formed', 400, 'XCAP: not well-formed XML: unterminated comment'],
  ];
  for (const [body, kind, status, defect] of table) {
    const r = screenXml(typeof body === 'string' ? Buffer.from(body) : body, LIMITS, 'XCAP');
    assert.deepEqual(r, { ok: false, status, kind, defect }, String(body));
  }
  assert.deepEqual(screenXml(Buffer.from('\ufeff<a>&amp;</a>'), LIMITS, 'X'), { ok: true, text: '<a>&amp;</a>' });
});

test('screenXml: a character XML does not allow is found anywhere, and comes before every other defect', () => {
  const illegal = { ok: false, status: 400, kind: 'not-well-formed', defect: 'X: character not allowed in XML' };
  const bodies = [
    '<a><!-- \u0001 --></a>',
    '<a><![CDATA[\uFFFE]]></a>',
    '<a b="\u0002"/>',
    "<a b='x\u001F'/>",
    '<a\u0001/>',
    '<a>\uFFFF</a>',
    // A defect found first in the text still yields to the character after it.
    '<!DOCTYPE a><a>\u0001</a>',
    '<a>&x;</a>\u0001',
    '<?pi?><a/>\u0001',
    '<a><!-- x\u0001',
    '<a b="&x;"/>\u0001',
    '<a b="x\u0001',
    '<a b="x/>\u0001',
    '<?xml version="1.0" encoding="latin1"?><a>\u0001</a>',
    '<?xml version="1.0" what?><a>\u0001</a>',
  ];
  for (const body of bodies) assert.deepEqual(screenXml(Buffer.from(body), LIMITS, 'X'), illegal, JSON.stringify(body));
  // Without one, the first defect in the text, or a start tag that never ends is left to the parser.
  assert.deepEqual(screenXml(Buffer.from('<!DOCTYPE a><a>&x;</a>'), LIMITS, 'X'), { ok: false, status: 400, kind: 'forbidden', defect: 'X: DOCTYPE not allowed' });
  assert.deepEqual(screenXml(Buffer.from('<a b="&x;'), LIMITS, 'X'), { ok: true, text: '<a b="&x;' });
  assert.deepEqual(screenXml(Buffer.from('<a b="1>2"><c/></a>'), LIMITS, 'X'), { ok: true, text: '<a b="1>2"><c/></a>' });
});
