import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSet, parseCidr } from '../../../src/util/cidr.js';

test('parseCidr reads IPv4 and IPv6 networks and bare addresses; refuses the rest', () => {
  assert.deepEqual(parseCidr('127.0.0.0/8'), { address: '127.0.0.0', prefix: 8, family: 'ipv4' });
  assert.deepEqual(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' });
  assert.deepEqual(parseCidr('127.0.0.2'), { address: '127.0.0.2', prefix: 32, family: 'ipv4' });
  for (const bad of ['127.0.0.0/33', '::1/129', '127.0.0.0/', '127.0.0.0/x', 'host.example.com', '127.0.0.0/8/1', '']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('AddressSet matches addresses in its networks, IPv4-mapped IPv6 included; names never match', () => {
  const set = new AddressSet(['127.0.0.0/30', '::1']);
  assert.equal(set.has('127.0.0.1'), true);
  assert.equal(set.has('127.0.0.3'), true);
  assert.equal(set.has('127.0.0.4'), false);
  assert.equal(set.has('::ffff:127.0.0.2'), true);
  assert.equal(set.has('::1'), true);
  assert.equal(set.has('::2'), false);
  assert.equal(set.has('localhost'), false);
  assert.equal(new AddressSet([]).has('127.0.0.1'), false);
  assert.throws(() => new AddressSet(['127.0.0.1', 'nope']), /"nope" is not an IP address or CIDR network/);
});
