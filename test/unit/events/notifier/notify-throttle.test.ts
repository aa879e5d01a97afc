import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotifyQueue } from '../../../../src/events/notifier/notify-queue.js';
import { NotifyThrottle } from '../../../../src/events/notifier/notify-throttle.js';
import { NO_RATE_POLICY } from '../../../../src/events/notifier/rate-control.js';
import type { RateControlPolicy, Rates } from '../../../../src/events/notifier/rate-control.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';
import { FakeClock } from '../../../../src/util/clock.js';

interface Job {
  final: boolean;
  urgent?: boolean;
  record: SubscriptionRecord;
  text: string;
}

const T0 = 1_700_000_000_000;

/** A queue paced by a throttle; deliveries end at once; sent NOTIFYs are recorded with their time. */
function harness(rates: Rates, policy: RateControlPolicy = NO_RATE_POLICY) {
  const clock = new FakeClock(T0);
  const sent: Array<[number, string]> = [];
  const record = { extra: { rates } } as unknown as SubscriptionRecord;
  let state = 's0';
  let idle = 0;
  const throttle: NotifyThrottle<Job> = new NotifyThrottle<Job>(clock, policy, (key) => {
    idle++;
    queue.push(key, { final: false, urgent: true, record, text: state });
  });
  const queue: NotifyQueue<Job> = new NotifyQueue<Job>(async (_key, job) => {
    sent.push([clock.now() - T0, job.text]);
  }, throttle);
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    clock, sent, throttle, queue, flush,
    get idle() {
      return idle;
    },
    /** The state changes to `text` at the current time (a NOTIFY not exempt from rate control). */
    async change(text: string): Promise<void> {
      state = text;
      queue.push('w', { final: false, record, text });
      await flush();
    },
    async advance(ms: number): Promise<void> {
      // In small steps, so deliveries settle between timers like on a real event loop.
      for (let left = ms; left > 0; left -= 10) {
        clock.advance(Math.min(10, left));
        await flush();
      }
    },
  };
}

/** The smallest gap between consecutive sends, ms. */
function minGap(sent: Array<[number, string]>): number {
  let min = Infinity;
  for (let i = 1; i < sent.length; i++) min = Math.min(min, sent[i]![0] - sent[i - 1]![0]);
  return min;
}

describe('NotifyThrottle: max-rate (RFC 6446 §5.2)', () => {
  test('a burst never goes faster than max-rate and ends with the newest state', async () => {
    const h = harness({ maxRate: 1 });
    await h.change('s1');
    for (let i = 2; i <= 50; i++) {
      await h.advance(20);
      await h.change(`s${i}`);
    }
    await h.advance(2000);
    assert.ok(minGap(h.sent) >= 1000, `gaps ${JSON.stringify(h.sent)}`);
    assert.equal(h.sent[0]![1], 's1');
    assert.equal(h.sent.at(-1)![1], 's50', 'the final state of the burst is delivered');
    assert.ok(h.sent.length <= 3, `${h.sent.length} NOTIFYs for a 1 s burst`);
    assert.equal(h.clock.pending, 0, 'no timer left without min-rate');
  });

  test('a change during the quiet period goes out exactly when it ends', async () => {
    const h = harness({ maxRate: 0.5 });
    await h.change('a');
    await h.advance(300);
    await h.change('b');
    await h.advance(1000);
    await h.change('c');
    await h.advance(1000);
    assert.deepEqual(h.sent, [[0, 'a'], [2000, 'c']]);
  });

  test('a change after the quiet period goes out at once', async () => {
    const h = harness({ maxRate: 1 });
    await h.change('a');
    await h.advance(5000);
    await h.change('b');
    assert.deepEqual(h.sent, [[0, 'a'], [5000, 'b']]);
  });

  test('the final NOTIFY is never delayed, and replaces what waited', async () => {
    const h = harness({ maxRate: 0.1 });
    await h.change('a');
    await h.advance(100);
    await h.change('b');
    h.queue.push('w', { final: true, record: { extra: {} } as unknown as SubscriptionRecord, text: 'terminated' });
    await h.flush();
    assert.deepEqual(h.sent, [[0, 'a'], [100, 'terminated']]);
    assert.equal(h.throttle.size, 0, 'forgotten after the final NOTIFY');
    assert.equal(h.clock.pending, 0);
  });

  test('an urgent NOTIFY (answer to a SUBSCRIBE, pending to active) goes at once, even if replaced', async () => {
    const h = harness({ maxRate: 0.1 });
    await h.change('a');
    await h.advance(100);
    const record = { extra: { rates: { maxRate: 0.1 } } } as unknown as SubscriptionRecord;
    h.queue.hold('w');
    h.queue.push('w', { final: false, urgent: true, record, text: 'refresh' });
    h.queue.push('w', { final: false, record, text: 'newer' });
    h.queue.release('w');
    await h.flush();
    assert.deepEqual(h.sent, [[0, 'a'], [100, 'newer']]);
  });

  test('the local minimum interval per watcher limits subscriptions without max-rate', async () => {
    const h = harness({}, { minIntervalPerWatcherMs: 500, minIntervalPerPresentityMs: 0 });
    await h.change('a');
    for (let i = 0; i < 10; i++) {
      await h.advance(100);
      await h.change(`b${i}`);
    }
    await h.advance(500);
    assert.ok(minGap(h.sent) >= 500, JSON.stringify(h.sent));
    assert.equal(h.sent.at(-1)![1], 'b9');
  });

  test('a subscription without rates nor local interval keeps no state; an urgent NOTIFY with max-rate starts it', async () => {
    const h = harness({});
    await h.change('a');
    await h.advance(10);
    await h.change('b');
    assert.deepEqual(h.sent, [[0, 'a'], [10, 'b']]);
    assert.equal(h.throttle.size, 0);
    assert.equal(h.clock.pending, 0);
    // A refresh agreeing max-rate: its NOTIFY goes at once, and the next change waits 1 / max-rate after it.
    const paced = { extra: { rates: { maxRate: 1 } } } as unknown as SubscriptionRecord;
    h.queue.push('w', { final: false, urgent: true, record: paced, text: 'refresh' });
    await h.flush();
    assert.equal(h.throttle.size, 1);
    await h.advance(100);
    h.queue.push('w', { final: false, record: paced, text: 'c' });
    await h.advance(1000);
    assert.deepEqual(h.sent, [[0, 'a'], [10, 'b'], [10, 'refresh'], [1010, 'c']]);
  });

  test('rates agreed after a NOTIFY sent without rate state are paced from it (noteSent)', async () => {
    const h = harness({});
    await h.change('a');
    await h.advance(200);
    h.throttle.noteSent('w', h.clock.now() - 200);
    h.throttle.noteSent('w', h.clock.now());
    const paced = { extra: { rates: { maxRate: 1 } } } as unknown as SubscriptionRecord;
    h.queue.push('w', { final: false, record: paced, text: 'b' });
    await h.advance(1000);
    assert.deepEqual(h.sent, [[0, 'a'], [1000, 'b']], 'paced from the first noteSent, the second one changes nothing');
  });

  test('dropping a subscription cancels its wake-up', async () => {
    const h = harness({ maxRate: 1 });
    await h.change('a');
    await h.change('b');
    h.queue.drop('w');
    await h.advance(2000);
    assert.deepEqual(h.sent, [[0, 'a']]);
    assert.equal(h.clock.pending, 0);
  });
});

describe('NotifyThrottle: min-rate (RFC 6446 §6.2)', () => {
  test('without changes the current state is sent again every 1 / min-rate', async () => {
    const h = harness({ minRate: 0.1 });
    await h.change('a');
    await h.advance(35_000);
    assert.deepEqual(h.sent, [[0, 'a'], [10_000, 'a'], [20_000, 'a'], [30_000, 'a']]);
    assert.equal(h.idle, 3);
  });

  test('a change restarts the period', async () => {
    const h = harness({ minRate: 0.1 });
    await h.change('a');
    await h.advance(6000);
    await h.change('b');
    await h.advance(12_000);
    assert.deepEqual(h.sent, [[0, 'a'], [6000, 'b'], [16_000, 'b']]);
  });

  test('close() stops the periodic NOTIFYs', async () => {
    const h = harness({ minRate: 0.5 });
    await h.change('a');
    h.queue.close();
    assert.equal(h.clock.pending, 0);
  });
});

describe('NotifyThrottle: adaptive-min-rate (RFC 6446 §7.4)', () => {
  test('without changes the timeout is 1 / adaptive-min-rate', async () => {
    const h = harness({ adaptiveMinRate: 0.1 });
    await h.change('a');
    await h.advance(31_000);
    assert.deepEqual(h.sent.map(([t]) => t), [0, 10_000, 20_000, 30_000]);
  });

  test('after a burst of NOTIFYs the timeout grows (count / (amr^2 * period)), then shrinks back', async () => {
    const h = harness({ adaptiveMinRate: 0.1 });
    await h.change('a');
    for (let i = 0; i < 5; i++) {
      await h.advance(1000);
      await h.change(`b${i}`);
    }
    // 5 s: 9 virtual + 6 real NOTIFYs in the 100 s period: timeout 15 / (0.01 * 100) = 15 s.
    await h.advance(14_999);
    assert.equal(h.sent.length, 6);
    await h.advance(1);
    assert.deepEqual(h.sent.at(-1), [20_000, 'b4']);
    // The burst ages out of the period: the timeout shrinks, and the pace settles near adaptive-min-rate.
    await h.advance(200_000);
    const times = h.sent.map(([t]) => t);
    assert.equal(times[7]! - times[6]!, 14_000, '14 real and virtual NOTIFYs in the period at 20 s');
    const lastPeriod = times.filter((t) => t > 120_000);
    assert.ok(lastPeriod.length >= 9 && lastPeriod.length <= 11, `${lastPeriod.length} NOTIFYs in the last 100 s`);
  });

  test('with max-rate the timeout is never below 1 / max-rate (equation 2)', async () => {
    const h = harness({ adaptiveMinRate: 0.2, maxRate: 0.2 });
    await h.change('a');
    await h.advance(16_000);
    assert.deepEqual(h.sent.map(([t]) => t), [0, 5000, 10_000, 15_000]);
  });
});
