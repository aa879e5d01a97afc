import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotifyQueue } from '../../../../src/events/notifier/notify-queue.js';

interface Job {
  final: boolean;
  text: string;
}

/** A queue whose deliveries finish only when the test says so. */
function harness(): { queue: NotifyQueue<Job>; sent: string[]; finish: () => Promise<void> } {
  const sent: string[] = [];
  const open: Array<() => void> = [];
  const queue = new NotifyQueue<Job>((key, job) => {
    sent.push(`${key}:${job.text}`);
    return new Promise<void>((resolve) => open.push(resolve));
  });
  return {
    queue,
    sent,
    async finish() {
      open.shift()?.();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

const job = (text: string, final = false): Job => ({ text, final });

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
});
