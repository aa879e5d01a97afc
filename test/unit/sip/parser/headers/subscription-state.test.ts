import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionStateHeader } from '../../../../../src/sip/parser/headers/subscription-state.js';
import { defect, ok } from './grammar-helpers.js';

test('active with expires (RFC 4662 example)', () => {
  assert.deepEqual(ok(SubscriptionStateHeader, 'active;expires=7200'), { state: 'active', expires: 7200, params: new Map() });
});

test('terminated with reason and retry-after; state and reason lower-cased', () => {
  const st = ok(SubscriptionStateHeader, 'Terminated; reason=Probation ;retry-after=30');
  assert.equal(st.state, 'terminated');
  assert.equal(st.reason, 'probation');
  assert.equal(st.retryAfter, 30);
  assert.equal(st.expires, undefined);
  assert.equal(st.params.size, 0);
});

test('extension states and other parameters are kept', () => {
  const st = ok(SubscriptionStateHeader, 'waiting;expires=60;foo=bar;flag');
  assert.equal(st.state, 'waiting');
  assert.deepEqual([...st.params], [['foo', 'bar'], ['flag', null]]);
});

test('huge expires reads as 2^32-1', () => {
  assert.equal(ok(SubscriptionStateHeader, 'active;expires=99999999999999').expires, 0xffffffff);
});

test('malformed values are defects', () => {
  for (const v of ['', ';expires=1', 'active;expires=soon', 'active;expires', 'active;retry-after=-1', 'active;reason',
    'terminated;reason="timeout"', 'active, pending', 'active;expires=1;expires=2']) {
    assert.ok(defect(SubscriptionStateHeader, v), v);
  }
  assert.match(defect(SubscriptionStateHeader, 'active', 'active'), /more than one/);
});
