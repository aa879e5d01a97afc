import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruCache } from '../../../src/util/lru.js';

test('LruCache.has tells whether a key is cached without making it the most recently used', () => {
  const c = new LruCache<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.has('a'), true);
  assert.equal(c.has('z'), false);
  // 'a' is still the least recently used: the next insertion evicts it, not 'b'.
  c.set('c', 3);
  assert.equal(c.has('a'), false);
  assert.equal(c.get('b'), 2);
  assert.equal(c.get('c'), 3);
});
