import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryAfterHeader } from '../../../../../src/sip/parser/headers/retry-after.js';
import { defect, ok } from './grammar-helpers.js';

test('RFC 3261 §20.33 examples', () => {
  const a = ok(RetryAfterHeader, '18000;duration=3600');
  assert.equal(a.seconds, 18000);
  assert.equal(a.duration, 3600);
  assert.equal(a.params.get('duration'), '3600');
  const b = ok(RetryAfterHeader, "120 (I'm in a meeting)");
  assert.equal(b.seconds, 120);
  assert.equal(b.comment, "I'm in a meeting");
  assert.equal(b.duration, undefined);
});

test('nested comments, escapes and extra parameters', () => {
  const r = ok(RetryAfterHeader, '60 (back (maybe) \\) soon) ; duration=10;foo=bar');
  assert.equal(r.comment, 'back (maybe) \\) soon');
  assert.equal(r.duration, 10);
  assert.equal(r.params.get('foo'), 'bar');
});

test('RFC 4475 scalarlg: an unreasonably large value reads as 2^32-1', () => {
  assert.equal(ok(RetryAfterHeader, '949302838503028349304023988').seconds, 0xffffffff);
});

test('malformed values are defects', () => {
  for (const v of ['', 'soon', '-1', '120 (unterminated', '120;duration=x', '120;duration', '120 junk', '120, 130']) {
    assert.ok(defect(RetryAfterHeader, v), v);
  }
  assert.match(defect(RetryAfterHeader, '1', '2'), /more than one/);
});
