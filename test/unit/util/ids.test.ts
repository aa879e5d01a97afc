import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newBranch, newCallId, newTag, randomToken } from '../../../src/util/ids.js';

const ALPHANUMERIC = /^[A-Za-z0-9]*$/;

describe('random tokens', () => {
  test('have the asked length and only letters and digits, across refills of the random pool', () => {
    // 3,000 tokens of 12 to 24 characters draw more octets than one pool block holds, several times over.
    for (let i = 0; i < 3000; i++) {
      const length = 12 + (i % 13);
      const t = randomToken(length);
      assert.equal(t.length, length);
      assert.match(t, ALPHANUMERIC);
    }
    assert.equal(randomToken(0), '');
    assert.equal(randomToken().length, 16);
  });

  test('a token longer than the pool is drawn in several refills', () => {
    const t = randomToken(10_000);
    assert.equal(t.length, 10_000);
    assert.match(t, ALPHANUMERIC);
    // 10,000 characters over 62 symbols: every symbol appears (missing one by chance: ~62·e^-161).
    assert.equal(new Set(t).size, 62);
  });

  test('never hand out the same randomness twice: no tag repeats over many refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const t = newTag();
      assert.ok(!seen.has(t), `tag ${t} repeated`);
      seen.add(t);
    }
  });

  test('SIP identifiers: branch with the magic cookie, 12-character tag, Call-ID at the host', () => {
    assert.match(newBranch(), /^z9hG4bK[A-Za-z0-9]{20}$/);
    assert.match(newTag(), /^[A-Za-z0-9]{12}$/);
    assert.match(newCallId('example.com'), /^[A-Za-z0-9]{24}@example\.com$/);
  });
});
