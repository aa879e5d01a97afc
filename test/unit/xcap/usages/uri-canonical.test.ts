import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalUri } from '../../../../src/xcap/usages/uri-canonical.js';

test('RFC 4826 §5 step 2: needless percent-encoding is removed, needed encoding kept (the RFC\'s example)', () => {
  assert.equal(canonicalUri('sip:%6aoe%20smith@example.com'), 'sip:joe%20smith@example.com');
  assert.equal(canonicalUri('sip:a%3ab%40c@example.com'), 'sip:a%3Ab%40c@example.com');
});

test('RFC 4826 §5 steps 1, 3, 4: host and tokens lower-cased, parameters ordered by name, headers dropped', () => {
  assert.equal(canonicalUri('SIP:Alice@Example.COM:5060;Transport=UDP;lr;maddr=10.0.0.1?Subject=hi'), 'sip:Alice@example.com:5060;lr;maddr=10.0.0.1;transport=udp');
  assert.equal(canonicalUri('sips:alice;day=tuesday@example.com;user=phone'), 'sips:alice;day=tuesday@example.com;user=phone');
  assert.equal(canonicalUri('sip:example.com;b=1;a=2'), 'sip:example.com;a=2;b=1');
  assert.equal(canonicalUri('sip:bob@example.com;%74ransport=tcp'), 'sip:bob@example.com;transport=tcp');
});

test('other schemes: only the scheme is lower-cased', () => {
  assert.equal(canonicalUri('TEL:+1-212-555-1234'), 'tel:+1-212-555-1234');
  assert.equal(canonicalUri('pres:Bob@Example.com'), 'pres:Bob@Example.com');
  assert.equal(canonicalUri('not a uri'), 'not a uri');
});
