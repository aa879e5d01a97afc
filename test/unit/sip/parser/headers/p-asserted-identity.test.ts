import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PAssertedIdentityHeader,
  PPreferredIdentityHeader,
} from '../../../../../src/sip/parser/headers/p-asserted-identity.js';
import type { SipUri, TelUri } from '../../../../../src/sip/message/types.js';
import { defect, ok } from './grammar-helpers.js';

test('RFC 3325 §9.1: one sip identity, or a sip and a tel identity', () => {
  const [one] = ok(PAssertedIdentityHeader, '"Cullen Jennings" <sip:fluffy@cisco.com>');
  assert.equal(one!.displayName, 'Cullen Jennings');
  assert.equal((one!.uri as SipUri).user, 'fluffy');
  const two = ok(PAssertedIdentityHeader, '<sip:fluffy@cisco.com>', 'tel:+14085264000');
  assert.equal(two.length, 2);
  assert.equal((two[1]!.uri as TelUri).number, '+14085264000');
  assert.equal(ok(PPreferredIdentityHeader, 'tel:+14085264000, <sips:fluffy@cisco.com>').length, 2);
});

test('addr-spec form keeps its uri-parameters: the value has no header parameters', () => {
  const [v] = ok(PAssertedIdentityHeader, 'sip:+14085264000@cisco.com;user=phone');
  assert.equal((v!.uri as SipUri).params.get('user'), 'phone');
  assert.equal(v!.params.size, 0);
  const [t] = ok(PAssertedIdentityHeader, 'tel:+14085264000;phone-context=example.com, <sip:a@cisco.com>');
  assert.equal((t!.uri as TelUri).params.get('phone-context'), 'example.com');
  assert.match(defect(PAssertedIdentityHeader, '<sip:fluffy@cisco.com>;foo=bar'), /no header parameters/);
});

test('scheme and count rules of RFC 3325 §9.1 and §9.2', () => {
  for (const g of [PAssertedIdentityHeader, PPreferredIdentityHeader]) {
    assert.match(defect(g, '<mailto:fluffy@cisco.com>'), /sip, sips or tel/);
    assert.match(defect(g, '<sip:a@cisco.com>, <sips:b@cisco.com>'), /one tel/);
    assert.match(defect(g, 'tel:+1234, tel:+5678'), /one tel/);
    assert.match(defect(g, '<sip:a@cisco.com>, tel:+1234, <sip:b@cisco.com>'), /more than two/);
    assert.ok(defect(g, ''));
    assert.ok(defect(g, '<sip:a@cisco.com'));
  }
});
