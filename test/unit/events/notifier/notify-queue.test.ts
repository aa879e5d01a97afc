import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotifyQueue } from '../../../../src/events/notifier/notify-queue.js';

interface Job {
  final: boolean;
  urgent?: boolean;
  text: string;
}

interface Harness {
  queue: NotifyQueue<Job>;
  sent: string[];
  /** Ends the oldest delivery in progress. */
  finish: () => Promise<void>;
  /** Most deliveries in progress at once so far. */
  peak: () => number;
}

/** A queue whose deliveries finish only when the test says so; `maxInFlight` as the queue's. */
function harness(maxInFlight?: number): Harness {
  const sent: string[] = [];
  const open: Array<() => void> = [];
  let peak = 0;
  const queue = new NotifyQueue<Job>((key, job) => {
    sent.push(`${key}:${job.text}`);
    peak = Math.max(peak, open.length + 1);
    return new Promise<void>((resolve) => open.push(resolve));
  }, undefined, maxInFlight);
  return {
    queue,
    sent,
    async finish() {
      open.shift()?.();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
    peak: () => peak,
  };
}

const job = (text: string, final = false, urgent = false): Job => ({ text, final, urgent });

describe('NotifyQueue', () => {
  test('one delivery at a time per key; what waits coalesces to the newest', async () => {
    const { queue, sent, finish } = harness();
    queue.push('a', job('1'));
    queue.push('a', job('2'));
    queue.push('a', job('3'));
    assert.deepEqual(sent, ['a:1']);
    await finish();
    assert.deepEqual(sent, ['a:1', 'a:3']);
    await finish();
    assert.deepEqual(sent, ['a:1', 'a:3']);
    assert.equal(queue.size, 0);
  });

  test('keys are independent', () => {
    const { queue, sent } = harness();
    queue.push('a', job('1'));
    queue.push('b', job('1'));
    assert.deepEqual(sent, ['a:1', 'b:1']);
  });

  test('hold keeps jobs waiting until release', async () => {
    const { queue, sent } = harness();
    queue.hold('a');
    queue.push('a', job('early'));
    queue.push('a', job('first'));
    assert.deepEqual(sent, []);
    queue.release('a');
    assert.deepEqual(sent, ['a:first']);
  });

  test('a final job replaces what waits and seals the key', async () => {
    const { queue, sent, finish } = harness();
    queue.push('a', job('1'));
    queue.push('a', job('2'));
    assert.equal(queue.push('a', job('end', true)), true);
    assert.equal(queue.push('a', job('late')), false);
    await finish();
    assert.deepEqual(sent, ['a:1', 'a:end']);
  });

  test('drop discards what waits and refuses more; close refuses everything', async () => {
    const { queue, sent, finish } = harness();
    queue.push('a', job('1'));
    queue.push('a', job('2'));
    queue.drop('a');
    assert.equal(queue.push('a', job('3')), false);
    await finish();
    assert.deepEqual(sent, ['a:1']);
    queue.close();
    assert.equal(queue.push('b', job('1')), false);
    assert.deepEqual(sent, ['a:1']);
  });

  test('a failing delivery does not stop the queue', async () => {
    const sent: string[] = [];
    const queue = new NotifyQueue<Job>(async (_key, j) => {
      sent.push(j.text);
      throw new Error('boom');
    });
    queue.push('a', job('1'));
    queue.push('a', job('2'));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    assert.deepEqual(sent, ['1', '2']);
  });

  test('at most maxInFlight deliveries at once; the others wait in line and all go, in order', async () => {
    const h = harness(3);
    for (let i = 0; i < 10; i++) h.queue.push(`k${i}`, job('1'));
    assert.deepEqual(h.sent, ['k0:1', 'k1:1', 'k2:1']);
    assert.equal(h.queue.active, 3);
    for (let i = 0; i < 10; i++) await h.finish();
    assert.deepEqual(h.sent, Array.from({ length: 10 }, (_, i) => `k${i}:1`));
    assert.equal(h.peak(), 3);
    assert.equal(h.queue.active, 0);
    assert.equal(h.queue.size, 0);
  });

  test('a full window is filled again once half of it has ended; meanwhile new NOTIFYs line up', async () => {
    const h = harness(4);
    for (let i = 0; i < 6; i++) h.queue.push(`k${i}`, job('1'));
    assert.deepEqual(h.sent, ['k0:1', 'k1:1', 'k2:1', 'k3:1']);
    await h.finish();
    // Room for one, but k4 and k5 wait for the refill, and k6 lines up behind them.
    h.queue.push('k6', job('1'));
    assert.equal(h.sent.length, 4);
    await h.finish();
    assert.deepEqual(h.sent.slice(4), ['k4:1', 'k5:1']);
    await h.finish();
    await h.finish();
    assert.deepEqual(h.sent.slice(6), ['k6:1']);
    assert.equal(h.peak(), 4);
  });

  test('a key waiting for the window coalesces to its newest state; its final NOTIFY is never lost', async () => {
    const h = harness(1);
    h.queue.push('a', job('1'));
    h.queue.push('b', job('1'));
    h.queue.push('c', job('1'));
    h.queue.push('b', job('2'));
    h.queue.push('c', job('2'));
    h.queue.push('c', job('end', true));
    assert.equal(h.queue.push('c', job('late')), false);
    for (let i = 0; i < 3; i++) await h.finish();
    // c's final NOTIFY goes before b, which waited first: final NOTIFYs take the urgent line.
    assert.deepEqual(h.sent, ['a:1', 'c:end', 'b:2']);
    assert.equal(h.peak(), 1);
  });

  test('a key whose NOTIFY ended waits in line behind the keys already waiting', async () => {
    const h = harness(2);
    h.queue.push('a', job('1'));
    h.queue.push('b', job('1'));
    h.queue.push('c', job('1'));
    h.queue.push('a', job('2'));
    for (let i = 0; i < 4; i++) await h.finish();
    assert.deepEqual(h.sent, ['a:1', 'b:1', 'c:1', 'a:2']);
  });

  test('urgent and final NOTIFYs get the window before the others waiting', async () => {
    const h = harness(1);
    h.queue.push('a', job('1'));
    h.queue.push('b', job('1'));
    h.queue.push('c', job('first', false, true));
    h.queue.push('d', job('end', true));
    // b waited first, but then its NOTIFY became urgent: it moves to the urgent line.
    h.queue.push('e', job('1'));
    h.queue.push('b', job('2', false, true));
    for (let i = 0; i < 5; i++) await h.finish();
    assert.deepEqual(h.sent, ['a:1', 'c:first', 'd:end', 'b:2', 'e:1']);
  });

  test('a dropped key leaves the line; held keys take no place in the window', async () => {
    const h = harness(1);
    h.queue.push('a', job('1'));
    h.queue.push('b', job('1'));
    h.queue.hold('c');
    h.queue.push('c', job('1'));
    h.queue.push('d', job('1'));
    h.queue.drop('b');
    await h.finish();
    assert.deepEqual(h.sent, ['a:1', 'd:1']);
    h.queue.release('c');
    await h.finish();
    assert.deepEqual(h.sent, ['a:1', 'd:1', 'c:1']);
    await h.finish();
    assert.equal(h.queue.size, 0);
  });

  test('the window must be a positive integer or Infinity', () => {
    const deliver = async (): Promise<void> => undefined;
    assert.throws(() => new NotifyQueue<Job>(deliver, undefined, 0), RangeError);
    assert.throws(() => new NotifyQueue<Job>(deliver, undefined, 2.5), RangeError);
    assert.doesNotThrow(() => new NotifyQueue<Job>(deliver, undefined, Infinity));
  });

  test('under any order of completion, every key ends with its newest state and the window holds', async () => {
    // A fixed pseudo-random sequence (xorshift), so that a failure can be replayed.
    let seed = 0x9e3779b9;
    const random = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const open: Array<() => void> = [];
    const last = new Map<string, string>();
    let peak = 0;
    const queue = new NotifyQueue<Job>((key, j) => {
      last.set(key, j.text);
      peak = Math.max(peak, open.length + 1);
      return new Promise<void>((resolve) => open.push(resolve));
    }, undefined, 8);
    const newest = new Map<string, string>();
    for (let step = 0; step < 3000; step++) {
      const key = `k${random(200)}`;
      const final = random(50) === 0;
      const text = `${step}`;
      if (queue.push(key, job(text, final, random(10) === 0))) newest.set(key, text);
      // Some transactions end meanwhile, in any order.
      for (let n = random(3); n > 0 && open.length; n--) open.splice(random(open.length), 1)[0]!();
      if (step % 50 === 0) await Promise.resolve();
    }
    for (let i = 0; i < 10_000 && (open.length || queue.size); i++) {
      open.splice(random(Math.max(1, open.length)), 1)[0]?.();
      for (let k = 0; k < 3; k++) await Promise.resolve();
    }
    assert.equal(queue.size, 0);
    assert.equal(queue.active, 0);
    assert.equal(peak, 8);
    assert.deepEqual(last, newest);
  });
});
