import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryHeap } from '../../../src/util/expiry-heap.js';
import type { HeapEntry } from '../../../src/util/expiry-heap.js';

interface Item extends HeapEntry {
  name: string;
}

/** A small deterministic PRNG (LCG), so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function expected(model: Set<Item>, now: number): string[] {
  return [...model]
    .filter((i) => i.expiresAt <= now)
    .sort((a, b) => a.expiresAt - b.expiresAt || a.seq - b.seq)
    .map((i) => i.name);
}

test('dueAt matches a naive scan through random inserts, removals and re-keys', () => {
  const random = rng(12345);
  const heap = new ExpiryHeap<Item>();
  const model = new Set<Item>();
  let seq = 0;
  for (let step = 0; step < 5_000; step++) {
    const r = random();
    const items = [...model];
    if (r < 0.5 || items.length === 0) {
      const item: Item = { name: `i${seq}`, seq: seq++, expiresAt: Math.floor(random() * 1_000), heapIndex: -1 };
      heap.insert(item);
      model.add(item);
    } else if (r < 0.75) {
      const item = items[Math.floor(random() * items.length)]!;
      heap.remove(item);
      model.delete(item);
      assert.equal(item.heapIndex, -1);
    } else {
      const item = items[Math.floor(random() * items.length)]!;
      item.expiresAt = Math.floor(random() * 1_000);
      heap.update(item);
    }
    if (step % 50 === 0) {
      const now = Math.floor(random() * 1_100) - 50;
      assert.deepEqual(heap.dueAt(now).map((i) => i.name), expected(model, now), `step ${step}, now ${now}`);
      assert.equal(heap.size, model.size);
    }
  }
});

test('equal expiry times come out in seq order; removing an entry twice or one never inserted is ignored', () => {
  const heap = new ExpiryHeap<Item>();
  const items: Item[] = [3, 1, 2, 0].map((seq) => ({ name: `s${seq}`, seq, expiresAt: 10, heapIndex: -1 }));
  for (const i of items) heap.insert(i);
  assert.deepEqual(heap.dueAt(10).map((i) => i.name), ['s0', 's1', 's2', 's3']);
  assert.deepEqual(heap.dueAt(9), []);
  heap.remove(items[0]!);
  heap.remove(items[0]!);
  heap.remove({ name: 'stranger', seq: 99, expiresAt: 10, heapIndex: 0 });
  assert.deepEqual(heap.dueAt(10).map((i) => i.name), ['s0', 's1', 's2']);
  heap.clear();
  assert.equal(heap.size, 0);
  assert.deepEqual(heap.dueAt(Number.MAX_SAFE_INTEGER), []);
  assert.ok(items.every((i) => i.heapIndex === -1));
});

test('dueAt reads only the due entries and their children, not the whole heap', () => {
  let reads = 0;
  const counted = (name: string, seq: number, at: number): Item => {
    let value = at;
    return {
      name,
      seq,
      heapIndex: -1,
      get expiresAt() {
        reads++;
        return value;
      },
      set expiresAt(v: number) {
        value = v;
      },
    };
  };
  const heap = new ExpiryHeap<Item>();
  for (let i = 0; i < 100_000; i++) heap.insert(counted(`n${i}`, i, 1_000_000 + i));
  heap.insert(counted('due', 100_000, 5));
  heap.insert(counted('due too', 100_001, 6));
  reads = 0;
  assert.deepEqual(heap.dueAt(6).map((i) => i.name), ['due', 'due too']);
  assert.ok(reads < 30, `read expiresAt ${reads} times`);
});
