import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4Address, isIPv6Address, normalizeIPv6 } from '../../../../src/sip/parser/ip.js';

test('IPv4address: four parts of 1-3 digits, each at most 255 (RFC 3261 §25.1)', () => {
  for (const ok of ['192.0.2.1', '0.0.0.0', '255.255.255.255', '01.002.3.4']) assert.equal(isIPv4Address(ok), true, ok);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1234.1.1.1', '1..2.3', '1.2.3.4.', 'a.b.c.d', ' 1.2.3.4']) {
    assert.equal(isIPv4Address(bad), false, bad);
  }
  assert.equal(isIPv4Address('x192.0.2.1y', 1, 10), true);
});

test('IPv6address: the RFC 4291 §2.2 text forms, without zone or brackets', () => {
  const ok = [
    '::', '::1', '1::', '2001:db8::9:1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
    '::ffff:192.0.2.1', '1:2:3:4:5:6:192.0.2.1', '2001:db8::192.0.2.1', '::192.0.2.1', 'FE80::ABCD',
  ];
  for (const a of ok) assert.equal(isIPv6Address(a), true, a);
  const bad = [
    '', '1', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:192.0.2.1', ':1::', '1:',
    '::192.0.2.256', 'fe80::1%eth0', '2001:db8:::192.0.2.1', '1:2:3:4:5:6:7:8::', '[::1]', '192.0.2.1',
  ];
  for (const a of bad) assert.equal(isIPv6Address(a), false, a);
});

test('normalizeIPv6 lower-cases and drops the extra colon of RFC 5118 §4.10', () => {
  assert.equal(normalizeIPv6('2001:DB8::9:1'), '2001:db8::9:1');
  assert.equal(normalizeIPv6('2001:db8:::192.0.2.1'), '2001:db8::192.0.2.1');
  assert.equal(normalizeIPv6(':::192.0.2.1'), '::192.0.2.1');
  assert.equal(normalizeIPv6(':::1'), undefined);
  assert.equal(normalizeIPv6('2001:db8:::9'), undefined);
  assert.equal(normalizeIPv6('example.com'), undefined);
});
