import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllowHeader,
  ProxyRequireHeader,
  RequireHeader,
  SupportedHeader,
  UnsupportedHeader,
} from '../../../../../src/sip/parser/headers/option-tags.js';
import { defect, ok, parseLines } from './grammar-helpers.js';

test('Supported: option tags lower-cased, merged across lines; compact form k', () => {
  assert.deepEqual(ok(SupportedHeader, 'eventlist, 100REL', 'path'), ['eventlist', '100rel', 'path']);
  const r = parseLines(SupportedHeader, ['k', 'eventlist']);
  assert.ok(r.ok);
  assert.deepEqual(r.value, ['eventlist']);
});

test('an empty Supported or Allow is legal and lists nothing', () => {
  assert.deepEqual(ok(SupportedHeader, ''), []);
  assert.deepEqual(ok(SupportedHeader, '', 'timer'), ['timer']);
  assert.deepEqual(ok(AllowHeader, ''), []);
});

test('Require, Proxy-Require and Unsupported need at least one option tag', () => {
  assert.deepEqual(ok(RequireHeader, 'recipient-list-subscribe'), ['recipient-list-subscribe']);
  assert.deepEqual(ok(ProxyRequireHeader, 'sec-agree, Foo'), ['sec-agree', 'foo']);
  assert.deepEqual(ok(UnsupportedHeader, 'eventlist'), ['eventlist']);
  for (const g of [RequireHeader, ProxyRequireHeader, UnsupportedHeader]) assert.ok(defect(g, ''), g.name);
});

test('Allow: methods keep their case (RFC 3261 §7.1)', () => {
  assert.deepEqual(ok(AllowHeader, 'INVITE, ACK, SUBSCRIBE, NOTIFY, PUBLISH', 'foo'), ['INVITE', 'ACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'foo']);
});

test('tokens only, separated by commas', () => {
  for (const g of [SupportedHeader, RequireHeader, AllowHeader]) {
    for (const v of ['a b', 'a,', ',a', 'a;b', '"a"']) assert.ok(defect(g, v), `${g.name} ${v}`);
  }
});
