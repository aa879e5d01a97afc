import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFamily, addressKey, sameAddress, unmapIPv4 } from '../../../../src/sip/transport/address.js';

test('addressKey brings IPv6 spellings to one form', () => {
  assert.equal(addressKey('[2001:DB8:0:0::1]'), '2001:db8:0:0:0:0:0:1');
  assert.equal(addressKey('::1'), '0:0:0:0:0:0:0:1');
  assert.equal(addressKey('::'), '0:0:0:0:0:0:0:0');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0:0:0:0:1');
  assert.equal(addressKey('64:ff9b::192.0.2.33'), '64:ff9b:0:0:0:0:c000:221');
  assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(addressKey('Host.Example'), 'host.example');
});

test('sameAddress', () => {
  assert.ok(sameAddress('[::1]', '0:0:0:0:0:0:0:1'));
  assert.ok(sameAddress('::ffff:127.0.0.1', '127.0.0.1'));
  assert.ok(!sameAddress('127.0.0.1', '127.0.0.2'));
  assert.ok(!sameAddress('example.com', '192.0.2.1'));
});

test('unmapIPv4 and addressFamily', () => {
  assert.equal(unmapIPv4('::FFFF:10.0.0.1'), '10.0.0.1');
  assert.equal(unmapIPv4('::ffff:abcd'), '::ffff:abcd');
  assert.deepEqual(['10.0.0.1', '[::1]', '::1', 'host'].map(addressFamily), [4, 6, 6, 0]);
});
