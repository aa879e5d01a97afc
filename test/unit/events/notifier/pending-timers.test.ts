import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingTimers } from '../../../../src/events/notifier/pending-timers.js';
import { FakeClock } from '../../../../src/util/clock.js';

const DAY = 86_400_000;

function timers(timeoutMs: number): { clock: FakeClock; due: string[]; t: PendingTimers } {
  const clock = new FakeClock();
  const due: string[] = [];
  return { clock, due, t: new PendingTimers(clock, timeoutMs, (id) => due.push(id)) };
}

test('a pending subscription is due timeoutMs after its creation, once; tracking it again does not move that', () => {
  const { clock, due, t } = timers(60_000);
  const created = clock.now();
  t.track('a', created, 'pending');
  clock.advance(30_000);
  t.track('a', clock.now(), 'pending');
  clock.advance(29_999);
  assert.deepEqual(due, []);
  clock.advance(1);
  assert.deepEqual(due, ['a']);
  clock.advance(120_000);
  assert.deepEqual(due, ['a']);
});

test('leaving the pending state, cancel() and clear() stop the timer; 0 arms none', () => {
  const { clock, due, t } = timers(60_000);
  t.track('a', clock.now(), 'pending');
  t.track('b', clock.now(), 'pending');
  t.track('c', clock.now(), 'pending');
  t.track('a', clock.now(), 'active');
  t.cancel('b');
  clock.advance(60_000);
  assert.deepEqual(due, ['c']);
  t.track('d', clock.now(), 'pending');
  t.clear();
  clock.advance(60_000);
  assert.deepEqual(due, ['c']);
  const none = timers(0);
  none.t.track('a', none.clock.now(), 'pending');
  none.clock.advance(365 * DAY);
  assert.deepEqual(none.due, []);
});

test('a subscription created before a restart is due at its original time; one already overdue at once', () => {
  const { clock, due, t } = timers(60_000);
  t.track('old', clock.now() - 90_000, 'pending');
  t.track('mid', clock.now() - 30_000, 'pending');
  clock.advance(0);
  assert.deepEqual(due, ['old']);
  clock.advance(30_000);
  assert.deepEqual(due, ['old', 'mid']);
});

test('timeouts beyond the longest timer (2^31-1 ms, about 24.8 days) re-arm until due', () => {
  const { clock, due, t } = timers(30 * DAY);
  t.track('a', clock.now(), 'pending');
  clock.advance(30 * DAY - 1);
  assert.deepEqual(due, []);
  clock.advance(1);
  assert.deepEqual(due, ['a']);
});
