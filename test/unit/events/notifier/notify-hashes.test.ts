import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotifyHashes } from '../../../../src/events/notifier/notify-job.js';

describe('NotifyHashes', () => {
  test('equal state and body give equal hashes, whether the body is the same Buffer or a copy', () => {
    const hashes = new NotifyHashes();
    const body = { contentType: 'application/pidf+xml', body: Buffer.from('<presence/>') };
    const h = hashes.of({ state: 'active', body });
    assert.equal(hashes.of({ state: 'active', body }), h);
    assert.equal(hashes.of({ state: 'active', body: { ...body, body: Buffer.from('<presence/>') } }), h);
    assert.equal(new NotifyHashes().of({ state: 'active', body }), h);
  });

  test('the state, the Content-Type and the bytes each change the hash', () => {
    const hashes = new NotifyHashes();
    const bytes = Buffer.from('<presence/>');
    const active = hashes.of({ state: 'active', body: { contentType: 'application/pidf+xml', body: bytes } });
    const seen = new Set([
      active,
      hashes.of({ state: 'pending', body: { contentType: 'application/pidf+xml', body: bytes } }),
      // The same Buffer under another Content-Type.
      hashes.of({ state: 'active', body: { contentType: 'application/xpidf+xml', body: bytes } }),
      hashes.of({ state: 'active', body: { contentType: 'application/pidf+xml', body: Buffer.from('<presence x=""/>') } }),
      hashes.of({ state: 'active' }),
      hashes.of({ state: 'pending' }),
    ]);
    assert.equal(seen.size, 6);
    assert.equal(hashes.of({ state: 'active', body: { contentType: 'application/pidf+xml', body: bytes } }), active);
  });
});
