import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedQueue } from '../../../src/util/keyed-queue.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('KeyedQueue', () => {
  test('operations of one key run one after another, in order, even when one fails', async () => {
    const chain = new KeyedQueue();
    const log: string[] = [];
    const op = (name: string, fail = false) => async (): Promise<string> => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const a = chain.run('k', op('a'));
    const b = chain.run('k', op('b', true));
    const c = chain.run('k', op('c'));
    assert.equal(await a, 'a');
    await assert.rejects(b, /b/);
    assert.equal(await c, 'c');
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    await tick();
    assert.equal(chain.lengthOf('k'), 0);
  });

  test('different keys do not wait for each other', async () => {
    const chain = new KeyedQueue();
    const log: string[] = [];
    let release!: () => void;
    const blocked = chain.run('x', () => new Promise<void>((r) => { release = r; }));
    await chain.run('y', async () => {
      log.push('y ran');
    });
    assert.deepEqual(log, ['y ran']);
    release();
    await blocked;
  });

  test('tryRun refuses a task once a key holds maxLength tasks; run never does', async () => {
    const q = new KeyedQueue(2);
    let release!: () => void;
    const first = q.run('k', () => new Promise<void>((r) => { release = r; }));
    const second = q.tryRun('k', async () => 'second');
    assert.ok(second);
    assert.equal(q.tryRun('k', async () => 'third'), undefined);
    assert.equal(q.lengthOf('k'), 2);
    const forced = q.run('k', async () => 'forced');
    await tick();
    release();
    await first;
    assert.equal(await second, 'second');
    assert.equal(await forced, 'forced');
    await q.drain();
    assert.equal(q.lengthOf('k'), 0);
    assert.throws(() => new KeyedQueue(0), RangeError);
  });
});
