import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipETagHeader, SipIfMatchHeader } from '../../../../../src/sip/parser/headers/etag.js';
import { defect, ok } from './grammar-helpers.js';

test('SIP-ETag and SIP-If-Match: one token, kept as is (RFC 3903 §11.3)', () => {
  assert.equal(ok(SipETagHeader, 'dx200xyz'), 'dx200xyz');
  assert.equal(ok(SipIfMatchHeader, 'kwj449x'), 'kwj449x');
  assert.equal(ok(SipETagHeader, 'A1.b-2_C!%*+`\'~'), 'A1.b-2_C!%*+`\'~');
});

test('not a token, empty, or two lines: defects', () => {
  for (const g of [SipETagHeader, SipIfMatchHeader]) {
    for (const v of ['', 'a b', '"quoted"', 'a,b', 'a;b']) assert.ok(defect(g, v), v);
    assert.match(defect(g, 'a', 'b'), /more than one/);
  }
});
