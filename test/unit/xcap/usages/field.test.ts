import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { FieldNamer } from '../../../../src/xcap/usages/field.js';

const A = 'urn:example:a';
const B = 'urn:example:b';
const doc = new DOMParser().parseFromString(
  `<r xmlns="${A}" xmlns:b="${B}"><x/><b:x/><x><b:y/><b:y><b:z/></b:y></x><ü/></r>`,
  'application/xml',
);
const byName = (ns: string, name: string, i = 0): Element => doc.getElementsByTagNameNS(ns, name)[i]!;

test('RFC 4825 §11.1 fields: positional steps only among same-named siblings, percent-encoded brackets', () => {
  const fields = new FieldNamer(A, { b: B });
  assert.equal(fields.field(doc.documentElement!), 'r');
  assert.equal(fields.field(byName(A, 'x', 1), 'uri'), 'r/x%5B2%5D/@uri');
  assert.equal(fields.field(byName(B, 'x')), 'r/b:x?xmlns(b=urn:example:b)');
});

test('RFC 4825 §6.4: the query binds every prefix the selector uses; non-ASCII names are UTF-8 percent-encoded', () => {
  const fields = new FieldNamer(A, { b: B });
  assert.equal(fields.field(byName(B, 'z'), 'id'), 'r/x%5B2%5D/b:y%5B2%5D/b:z/@id?xmlns(b=urn:example:b)');
  assert.equal(fields.field(byName(A, 'ü')), 'r/%C3%BC');
  const other = new FieldNamer(B, { a: A });
  assert.equal(other.field(byName(B, 'y', 1)), 'a:r/a:x%5B2%5D/y%5B2%5D?xmlns(a=urn:example:a)');
  assert.throws(() => new FieldNamer(A).field(byName(B, 'x')), /no XCAP prefix for namespace urn:example:b/);
});
