import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiresHeader, MinExpiresHeader, deltaSeconds } from '../../../../../src/sip/parser/headers/expires.js';
import { defect, ok } from './grammar-helpers.js';

test('Expires and Min-Expires: delta-seconds from 0 to 2^32-1', () => {
  for (const g of [ExpiresHeader, MinExpiresHeader]) {
    assert.equal(ok(g, '3600'), 3600);
    assert.equal(ok(g, '0'), 0);
    assert.equal(ok(g, '007'), 7);
    assert.equal(ok(g, '4294967295'), 4294967295);
  }
});

test('a value above 2^32-1 is a defect (RFC 3261 §20.19, RFC 4475 scalar02)', () => {
  assert.match(defect(ExpiresHeader, '4294967296'), /2\^32-1/);
  assert.match(defect(ExpiresHeader, `1${'0'.repeat(100)}`), /2\^32-1/);
  assert.match(defect(MinExpiresHeader, '99999999999'), /2\^32-1/);
});

test('anything but digits, or more than one line, is a defect', () => {
  for (const v of ['', '-1', '1.5', '60 s', 'Thu, 01 Dec 1994 16:00:00 GMT', '0x10']) assert.ok(defect(ExpiresHeader, v), v);
  assert.match(defect(ExpiresHeader, '60', '60'), /more than one/);
});

test('deltaSeconds reads 1*DIGIT only', () => {
  assert.equal(deltaSeconds('42'), 42);
  assert.equal(deltaSeconds(''), undefined);
  assert.equal(deltaSeconds(null), undefined);
  assert.equal(deltaSeconds(undefined), undefined);
  assert.equal(deltaSeconds('4 2'), undefined);
});
