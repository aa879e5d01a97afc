import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveSubscriptions } from '../../../../src/events/notifier/live-subscriptions.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';
import { subscription } from '../../../contracts/fixtures.js';

const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';

function added(live: LiveSubscriptions, r: SubscriptionRecord): void {
  live.adjust(r.resource, r.event, 1);
  live.add(r);
}

test('LiveSubscriptions: ids per resource and event in the order added, through one and many', () => {
  const live = new LiveSubscriptions();
  const [a, b, c] = [subscription(1), subscription(2), subscription(3)];
  added(live, a);
  assert.deepEqual(live.idsOf(ALICE, 'presence'), ['sub-1']);
  added(live, b);
  added(live, c);
  added(live, subscription(4, { resource: BOB }));
  added(live, subscription(5, { event: 'presence.winfo' }));
  assert.deepEqual(live.idsOf(ALICE, 'presence'), ['sub-1', 'sub-2', 'sub-3']);
  assert.deepEqual(live.idsOf(BOB, 'presence'), ['sub-4']);
  assert.deepEqual(live.idsOf(ALICE, 'presence.winfo'), ['sub-5']);
  assert.equal(live.running, 5);

  live.end(live.get('sub-2')!);
  assert.deepEqual(live.idsOf(ALICE, 'presence'), ['sub-1', 'sub-3']);
  live.end(live.get('sub-1')!);
  assert.deepEqual(live.idsOf(ALICE, 'presence'), ['sub-3']);
  assert.equal(live.countOf(ALICE, 'presence'), 1);
  added(live, subscription(6));
  assert.deepEqual(live.idsOf(ALICE, 'presence'), ['sub-3', 'sub-6']);
  live.end(live.get('sub-6')!);
  live.end(live.get('sub-3')!);
  assert.deepEqual(live.idsOf(ALICE, 'presence'), []);
  assert.equal(live.countOf(ALICE, 'presence'), 0);
  assert.equal(live.running, 2);
  assert.equal(live.get('sub-3')!.ended, true, 'an ended one stays until deleted');
  live.delete('sub-3');
  assert.equal(live.has('sub-3'), false);
});

test('LiveSubscriptions: counts include subscriptions being created; ending one twice counts once', () => {
  const live = new LiveSubscriptions();
  live.adjust(ALICE, 'presence', 1);
  live.adjust(ALICE, 'presence', 1);
  assert.equal(live.countOf(ALICE, 'presence'), 2);
  assert.deepEqual(live.idsOf(ALICE, 'presence'), []);
  assert.equal(live.running, 0);
  live.add(subscription(1));
  live.adjust(ALICE, 'presence', -1);
  assert.equal(live.countOf(ALICE, 'presence'), 1);
  assert.equal(live.running, 1);
  live.adjust(ALICE, 'presence', 1);
  live.add(subscription(2));
  const one = live.get('sub-1')!;
  live.end(one);
  live.end(one);
  assert.equal(live.countOf(ALICE, 'presence'), 1);
  assert.equal(live.running, 1);
  live.end(live.get('sub-2')!);
  assert.equal(live.countOf(ALICE, 'presence'), 0);
  assert.equal(live.running, 0);
  assert.throws(() => live.add(subscription(3)), /without its count/);
});

test('LiveSubscriptions: clear forgets everything', () => {
  const live = new LiveSubscriptions();
  added(live, subscription(1));
  added(live, subscription(2));
  live.clear();
  assert.equal(live.running, 0);
  assert.equal(live.has('sub-1'), false);
  assert.equal(live.countOf(ALICE, 'presence'), 0);
  assert.deepEqual(live.idsOf(ALICE, 'presence'), []);
});
