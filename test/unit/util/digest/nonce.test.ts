import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../src/util/clock.js';
import { NonceIssuer } from '../../../../src/util/digest/nonce.js';
import { NonceCounts } from '../../../../src/util/digest/nonce-counts.js';

const secret = Buffer.alloc(32, 7);

function issuer(clock: FakeClock, opts: { realm?: string; key?: Buffer } = {}): NonceIssuer {
  return new NonceIssuer({ secret: opts.key ?? secret, realm: opts.realm ?? 'example.com', ttlMs: 300_000, clock });
}

test('a nonce is 40 base64url characters, unique, fresh until its lifetime ends, then expired', () => {
  const clock = new FakeClock();
  const n = issuer(clock);
  const a = n.issue();
  assert.match(a, /^[A-Za-z0-9_-]{40}$/);
  assert.notEqual(n.issue(), a);
  assert.deepEqual(n.check(a), { kind: 'fresh', issuedAt: clock.now(), expiresAt: clock.now() + 300_000 });
  clock.advance(299_999);
  assert.equal(n.check(a).kind, 'fresh');
  clock.advance(1);
  assert.equal(n.check(a).kind, 'expired');
});

test('a nonce changed in any character, of another realm or another secret is invalid', () => {
  const clock = new FakeClock();
  const a = issuer(clock).issue();
  for (let i = 0; i < a.length; i++) {
    const c = a[i] === 'A' ? 'B' : 'A';
    const tampered = a.slice(0, i) + c + a.slice(i + 1);
    assert.deepEqual(issuer(clock).check(tampered), { kind: 'invalid' }, `position ${i}`);
  }
  assert.deepEqual(issuer(clock, { realm: 'other.example.com' }).check(a), { kind: 'invalid' });
  assert.deepEqual(issuer(clock, { key: Buffer.alloc(32, 8) }).check(a), { kind: 'invalid' });
  assert.deepEqual(issuer(clock).check(a.slice(1)), { kind: 'invalid' });
  assert.deepEqual(issuer(clock).check(`${a.slice(0, 39)}=`), { kind: 'invalid' });
  assert.deepEqual(issuer(clock).check('dcd98b7102dd2f0e8b11d0f600bfb0c093'), { kind: 'invalid' });
});

test('a short secret or a non-positive lifetime is a configuration bug', () => {
  const clock = new FakeClock();
  assert.throws(() => new NonceIssuer({ secret: Buffer.alloc(15), realm: 'r', ttlMs: 1, clock }), /16 bytes/);
  assert.throws(() => new NonceIssuer({ secret, realm: 'r', ttlMs: 0, clock }), /positive/);
});

test('nonce counts: each count must exceed the last; keys are independent', () => {
  const counts = new NonceCounts({ maxEntries: 10, bucketMs: 1000 });
  assert.equal(counts.advance('n1', 1, 0, 300_000, 0), true);
  assert.equal(counts.advance('n1', 1, 0, 300_000, 0), false);
  assert.equal(counts.advance('n1', 3, 0, 300_000, 0), true);
  assert.equal(counts.advance('n1', 2, 0, 300_000, 0), false);
  assert.equal(counts.advance('n2', 1, 0, 300_000, 0), true);
  assert.equal(counts.advance('n3', 0, 0, 300_000, 0), false);
  assert.equal(counts.size, 2);
});

test('nonce counts: entries are dropped once their nonce has expired', () => {
  const counts = new NonceCounts({ maxEntries: 10, bucketMs: 1000 });
  counts.advance('a', 1, 0, 10_000, 0);
  counts.advance('b', 1, 5_000, 15_000, 5_000);
  assert.equal(counts.size, 2);
  counts.advance('c', 1, 9_000, 19_000, 10_999);
  assert.equal(counts.size, 3);
  counts.advance('c', 2, 9_000, 19_000, 11_000);
  assert.equal(counts.size, 2);
  counts.advance('c', 3, 9_000, 19_000, 16_000);
  assert.equal(counts.size, 1);
});

test('nonce counts: memory is bounded; nonces issued before an evicted live entry are refused', () => {
  const counts = new NonceCounts({ maxEntries: 3, bucketMs: 1000 });
  for (let i = 0; i < 3; i++) assert.equal(counts.advance(`n${i}`, 1, i * 1000, i * 1000 + 300_000, 5_000), true);
  // Full: n0 (earliest expiry) is evicted to make room.
  assert.equal(counts.advance('n3', 1, 4_000, 304_000, 5_000), true);
  assert.equal(counts.size, 3);
  // n0's count is gone, so n0 (and any unseen nonce issued no later) is refused rather than replayable.
  assert.equal(counts.advance('n0', 2, 0, 300_000, 5_000), false);
  assert.equal(counts.advance('unseen', 1, 0, 300_000, 5_000), false);
  // Nonces still held, and newer ones, carry on.
  assert.equal(counts.advance('n1', 2, 1_000, 301_000, 5_000), true);
  assert.equal(counts.advance('n5', 1, 5_000, 305_000, 5_000), true);
  assert.equal(counts.size, 3);
  // A bounded number of inserts never exceeds the bound.
  for (let i = 0; i < 1000; i++) counts.advance(`m${i}`, 1, 6_000 + i, 306_000 + i, 6_000 + i);
  assert.equal(counts.size, 3);
});
