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

test('laned timers come out by due time among plain ones and other lanes; one due before its lane\'s tail still comes out in order', () => {
  const heap = new TimerHeap();
  const labels = new Map<HeapTimer, string>();
  const add = (at: number, label: string, lane?: number): HeapTimer => {
    const t = heap.add(at, () => {}, lane);
    labels.set(t, label);
    return t;
  };
  add(10, 'e1', 500);
  add(40, 'f1', 32_000);
  add(12, 'e2', 500);
  add(12, 'plain');
  add(11, 'early', 500); // before its lane's tail (12)
  add(12, 'e3', 500);
  add(41, 'f2', 32_000);
  assert.equal(heap.size, 7);
  assert.equal(labels.get(heap.peek()!), 'e1');
  assert.deepEqual(drain(heap, 12, labels), ['e1', 'early', 'e2', 'plain', 'e3']);
  assert.deepEqual(drain(heap, 100, labels), ['f1', 'f2']);
  assert.equal(heap.size, 0);
});

test('removing a lane\'s head, middle or tail keeps the order; removed and foreign timers are refused', () => {
  const heap = new TimerHeap();
  const other = new TimerHeap();
  const labels = new Map<HeapTimer, string>();
  const t = [10, 20, 30, 40, 50].map((at, i) => {
    const timer = heap.add(at, () => {}, 7);
    labels.set(timer, `t${i}`);
    return timer;
  });
  labels.set(heap.add(25, () => {}, 3), 'x');
  const foreign = other.add(1, () => {}, 7);
  assert.equal(heap.remove(t[0]!), true, 'head');
  assert.equal(heap.remove(t[2]!), true, 'middle');
  assert.equal(heap.remove(t[4]!), true, 'tail');
  assert.equal(heap.remove(t[2]!), false);
  assert.equal(heap.remove(foreign), false);
  assert.equal(other.size, 1);
  assert.equal(heap.size, 3);
  assert.equal(labels.get(heap.peek()!), 't1');
  const late = heap.add(60, () => {}, 7);
  labels.set(late, 'late');
  assert.deepEqual(drain(heap, 100, labels), ['t1', 'x', 't3', 'late']);
  assert.equal(heap.remove(late), false, 'a timer already taken');
});

test('clear empties the lanes too: their handles no longer remove anything and new timers still run', () => {
  const heap = new TimerHeap();
  const a = heap.add(1, () => {}, 5);
  heap.add(2, () => {}, 5);
  heap.clear();
  assert.equal(heap.size, 0);
  assert.equal(heap.remove(a), false);
  const b = heap.add(3, () => {}, 5);
  assert.equal(heap.takeDue(10), b);
});

test('random laned and plain adds and removes come out in the order of a sorted list (3,000 operations)', () => {
  let seed = 11;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const heap = new TimerHeap();
  let live: HeapTimer[] = [];
  let now = 0;
  for (let i = 0; i < 3000; i++) {
    now += random(3);
    if (live.length && random(3) === 0) {
      const victim = live.splice(random(live.length), 1)[0]!;
      assert.equal(heap.remove(victim), true);
    } else if (random(4) === 0) {
      live.push(heap.add(random(900), () => {}));
    } else {
      // Mostly in order per lane (now + delay), sometimes not (a delay shorter than the lane key).
      const lane = [100, 500, 5000][random(3)]!;
      live.push(heap.add(now + (random(10) === 0 ? random(lane) : lane), () => {}, lane));
    }
  }
  assert.equal(heap.size, live.length);
  live = live.sort((x, y) => x.at - y.at || x.id - y.id);
  const out: HeapTimer[] = [];
  for (let t = heap.takeDue(Infinity); t; t = heap.takeDue(Infinity)) out.push(t);
  assert.deepEqual(out.map((t) => t.id), live.map((t) => t.id));
});
