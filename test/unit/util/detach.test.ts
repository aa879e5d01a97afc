import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detach } from '../../../src/util/detach.js';

test('detach returns an equal string for slices, concatenations and property-like names', () => {
  const head = `${'X'.repeat(300)}Call-ID: 1-1234@127.0.0.1-abcdefgh\r\n${'é'.repeat(50)}`;
  const sliced = head.slice(309, 334);
  for (const s of [sliced, `sip:${sliced}@example.com`, '', '0', '12345', '__proto__', 'constructor', 'toString', head.slice(336), '😀 ü']) {
    assert.equal(detach(s), s);
  }
});
