import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerHeap } from '../../../src/util/timer-heap.js';
import type { HeapTimer } from '../../../src/util/timer-heap.js';

/** Takes every timer due at `now`, returning their labels in the order the heap gives them. */
function drain(heap: TimerHeap, now: number, labels: Map<HeapTimer, string>): string[] {
  const out: string[] = [];
  for (let t = heap.takeDue(now); t; t = heap.takeDue(now)) out.push(labels.get(t)!);
  return out;
}

test('timers come out by due time, equal times in the order they were added', () => {
  const heap = new TimerHeap();
  const labels = new Map<HeapTimer, string>();
  for (const [at, label] of [[30, 'c'], [10, 'a1'], [20, 'b'], [10, 'a2'], [40, 'd'], [10, 'a3']] as const) {
    labels.set(heap.add(at, () => {}), label);
  }
  assert.equal(heap.size, 6);
  assert.equal(labels.get(heap.peek()!), 'a1');
  assert.deepEqual(drain(heap, 9, labels), [], 'nothing is due before 10');
  assert.deepEqual(drain(heap, 20, labels), ['a1', 'a2', 'a3', 'b']);
  assert.deepEqual(drain(heap, 100, labels), ['c', 'd']);
  assert.equal(heap.size, 0);
  assert.equal(heap.peek(), undefined);
});

test('remove takes a pending timer out wherever it is; a second remove, a taken timer or another heap\'s timer changes nothing', () => {
  const heap = new TimerHeap();
  const other = new TimerHeap();
  const labels = new Map<HeapTimer, string>();
  const t = Array.from({ length: 7 }, (_, i) => {
    const timer = heap.add((i * 37) % 11, () => {});
    labels.set(timer, `t${i}`);
    return timer;
  });
  const foreign = other.add(0, () => {});
  assert.equal(heap.remove(t[3]!), true);
  assert.equal(heap.remove(t[3]!), false);
  assert.equal(heap.remove(foreign), false);
  assert.equal(other.size, 1);
  const first = heap.takeDue(0)!;
  assert.equal(labels.get(first), 't0');
  assert.equal(heap.remove(first), false, 'a timer already taken');
  assert.equal(heap.size, 5);
  // Due times (i * 37) % 11: t1 4, t2 8, t4 5, t5 9, t6 2.
  assert.deepEqual(drain(heap, 100, labels), ['t6', 't1', 't4', 't2', 't5']);
});

test('clear removes every timer and their handles no longer remove anything', () => {
  const heap = new TimerHeap();
  const a = heap.add(1, () => {});
  heap.add(2, () => {});
  heap.clear();
  assert.equal(heap.size, 0);
  assert.equal(heap.remove(a), false);
  assert.equal(heap.takeDue(10), undefined);
});

test('random adds and removes come out in the order of a sorted list (2,000 operations)', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const heap = new TimerHeap();
  let live: HeapTimer[] = [];
  for (let i = 0; i < 2000; i++) {
    if (live.length && random(3) === 0) {
      const victim = live.splice(random(live.length), 1)[0]!;
      assert.equal(heap.remove(victim), true);
    } else {
      live.push(heap.add(random(500), () => {}));
    }
  }
  assert.equal(heap.size, live.length);
  live = live.sort((x, y) => x.at - y.at || x.id - y.id);
  const out: HeapTimer[] = [];
  for (let t = heap.takeDue(Infinity); t; t = heap.takeDue(Infinity)) out.push(t);
  assert.deepEqual(out.map((t) => t.id), live.map((t) => t.id));
});
