import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryQueue } from '../../../src/util/expiry-queue.js';
import { FakeClock } from '../../../src/util/clock.js';

function setup() {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  const queue = new ExpiryQueue<string>(clock, (key, value) => fired.push(`${key}=${value}`));
  return { clock, fired, queue };
}

describe('ExpiryQueue', () => {
  test('keys fall due in due order, keys due together in the order they were set, with one clock timer', () => {
    const { clock, fired, queue } = setup();
    queue.set('c', 'C', 300);
    queue.set('a', 'A', 100);
    queue.set('b2', 'B2', 200);
    queue.set('b1', 'B1', 200);
    assert.equal(queue.size, 4);
    assert.equal(clock.pending, 1);
    clock.advance(199);
    assert.deepEqual(fired, ['a=A']);
    clock.advance(1);
    assert.deepEqual(fired, ['a=A', 'b2=B2', 'b1=B1']);
    clock.advance(1000);
    assert.deepEqual(fired, ['a=A', 'b2=B2', 'b1=B1', 'c=C']);
    assert.equal(queue.size, 0);
    assert.equal(clock.pending, 0);
  });

  test('setting a key again replaces its time and value; a deleted key never falls due; clear stops the timer', () => {
    const { clock, fired, queue } = setup();
    queue.set('a', 'old', 100);
    queue.set('b', 'B', 150);
    queue.set('a', 'new', 400);
    assert.equal(queue.delete('b'), true);
    assert.equal(queue.delete('b'), false);
    clock.advance(399);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ['a=new']);
    queue.set('x', 'X', 1000);
    queue.set('y', 'Y', 2000);
    queue.clear();
    assert.equal(clock.pending, 0);
    clock.advance(5000);
    assert.deepEqual(fired, ['a=new']);
  });

  test('a key may be set again from its own callback, and a time past the longest timer re-arms', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const queue: ExpiryQueue<number> = new ExpiryQueue<number>(clock, (key, n) => {
      fired.push(clock.now());
      if (n < 2) queue.set(key, n + 1, clock.now() + 10);
    });
    queue.set('k', 0, 5);
    clock.advance(100);
    assert.deepEqual(fired, [5, 15, 25]);
    const far = 2 ** 31 + 1000;
    queue.set('far', 9, far);
    clock.advance(2 ** 31);
    assert.deepEqual(fired, [5, 15, 25], 'the timer woke up early and armed again');
    assert.equal(clock.pending, 1);
    clock.advance(far);
    assert.deepEqual(fired, [5, 15, 25, far]);
  });

  test('agrees with a plain list under random sets and deletes', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    const queue = new ExpiryQueue<number>(clock, (key) => fired.push(key));
    // The model: every waiting key with its time and set order; due keys leave by (time, order).
    const model = new Map<string, { at: number; seq: number }>();
    const expected: string[] = [];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let seq = 0;
    for (let step = 0; step < 3000; step++) {
      const key = `k${random(200)}`;
      const op = random(10);
      if (op < 6) {
        const at = clock.now() + random(500);
        queue.set(key, step, at);
        model.set(key, { at, seq: seq++ });
      } else if (op < 9) {
        assert.equal(queue.delete(key), model.delete(key));
      } else {
        const until = clock.now() + random(100);
        const due = [...model].filter(([, e]) => e.at <= until).sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq);
        for (const [k] of due) {
          model.delete(k);
          expected.push(k);
        }
        clock.advance(until - clock.now());
        assert.deepEqual(fired, expected, `step ${step}`);
      }
      assert.equal(queue.size, model.size);
    }
  });
});

function harness(): { clock: FakeClock; timers: { set(id: string, at: number): void; cancel(id: string): void; clear(): void }; fired: Array<[string, number]> } {
  const clock = new FakeClock();
  const fired: Array<[string, number]> = [];
  const queue = new ExpiryQueue<undefined>(clock, (id) => fired.push([id, clock.now()]));
  // The notifier's use: a subscription id and its expiry time, nothing else.
  const timers = { set: (id: string, at: number) => queue.set(id, undefined, at), cancel: (id: string) => queue.delete(id), clear: () => queue.clear() };
  return { clock, timers, fired };
}

// RFC 6665 §4.2.1.4: each subscription ends when its time is up; one clock timer serves them all.
describe('ExpiryQueue as the subscriptions\' expiry clock', () => {
  test('each time fires once, exactly when due, earliest first; ties in the order they were set', () => {
    const { clock, timers, fired } = harness();
    const t0 = clock.now();
    timers.set('c', t0 + 3000);
    timers.set('a', t0 + 1000);
    timers.set('b', t0 + 3000);
    timers.set('d', t0 + 2000);
    assert.equal(clock.pending, 1);
    clock.advance(999);
    assert.equal(fired.length, 0);
    clock.advance(10_000);
    assert.deepEqual(fired, [['a', t0 + 1000], ['d', t0 + 2000], ['c', t0 + 3000], ['b', t0 + 3000]]);
    assert.equal(clock.pending, 0);
  });

  test('a refresh moves the time (later or earlier); cancel and clear forget', () => {
    const { clock, timers, fired } = harness();
    const t0 = clock.now();
    timers.set('a', t0 + 1000);
    timers.set('b', t0 + 5000);
    timers.set('c', t0 + 1500);
    timers.set('a', t0 + 4000);
    timers.set('b', t0 + 2000);
    timers.cancel('c');
    clock.advance(3000);
    assert.deepEqual(fired, [['b', t0 + 2000]]);
    clock.advance(2000);
    assert.deepEqual(fired, [['b', t0 + 2000], ['a', t0 + 4000]]);
    timers.set('d', clock.now() + 1000);
    timers.clear();
    clock.advance(10_000);
    assert.equal(fired.length, 2);
    assert.equal(clock.pending, 0);
  });

  test('a past time fires at once; times beyond one clock timer are reached in steps', () => {
    const { clock, timers, fired } = harness();
    timers.set('late', clock.now() - 10);
    clock.advance(0);
    assert.deepEqual(fired.map(([id]) => id), ['late']);
    const far = clock.now() + 3 * 0x7fffffff;
    timers.set('far', far);
    clock.advance(2 * 0x7fffffff);
    assert.equal(fired.length, 1);
    clock.advance(0x7fffffff);
    assert.deepEqual(fired.at(-1), ['far', far]);
  });

  test('many refreshes of the same subscriptions leave one live time each (stale entries are dropped)', () => {
    const { clock, timers, fired } = harness();
    const t0 = clock.now();
    for (let round = 1; round <= 50; round++) {
      for (let i = 0; i < 100; i++) timers.set(`s${i}`, t0 + 60_000 * round + i);
    }
    clock.advance(60_000 * 49 + 1000);
    assert.equal(fired.length, 0);
    clock.advance(60_000);
    assert.equal(fired.length, 100);
    assert.deepEqual(fired.map(([id]) => id), Array.from({ length: 100 }, (_, i) => `s${i}`));
  });
});
