import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryTimers } from '../../../../src/events/notifier/expiry-timers.js';
import { FakeClock } from '../../../../src/util/clock.js';

function harness(): { clock: FakeClock; timers: ExpiryTimers; fired: Array<[string, number]> } {
  const clock = new FakeClock();
  const fired: Array<[string, number]> = [];
  const timers = new ExpiryTimers(clock, (id) => fired.push([id, clock.now()]));
  return { clock, timers, fired };
}

// RFC 6665 §4.2.1.4: each subscription ends when its time is up; one clock timer serves them all.
describe('ExpiryTimers', () => {
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
