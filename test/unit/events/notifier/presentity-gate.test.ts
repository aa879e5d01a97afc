import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PresentityGate } from '../../../../src/events/notifier/presentity-gate.js';
import { FakeClock } from '../../../../src/util/clock.js';

const T0 = 1_700_000_000_000;

function harness(intervalMs: number) {
  const clock = new FakeClock(T0);
  const runs: Array<[number, string]> = [];
  const errors: string[] = [];
  const gate = new PresentityGate(clock, intervalMs, (err, key) => errors.push(`${key}: ${(err as Error).message}`));
  const round = (key: string, label: string) => gate.run(key, async () => {
    runs.push([clock.now() - T0, label]);
  });
  return { clock, runs, errors, gate, round };
}

describe('PresentityGate', () => {
  test('interval 0: every round runs at once', async () => {
    const h = harness(0);
    await h.round('alice', 'a');
    await h.round('alice', 'b');
    assert.deepEqual(h.runs, [[0, 'a'], [0, 'b']]);
    assert.equal(h.clock.pending, 0);
  });

  test('rounds within the interval coalesce into one at its end; then the gate closes', async () => {
    const h = harness(5000);
    await h.round('alice', 'a');
    h.clock.advance(100);
    await h.round('alice', 'b');
    await h.round('alice', 'c');
    assert.deepEqual(h.runs, [[0, 'a']]);
    h.clock.advance(4900);
    await Promise.resolve();
    assert.deepEqual(h.runs, [[0, 'a'], [5000, 'c']], 'the newest round runs when the interval ends');
    h.clock.advance(5000);
    assert.equal(h.gate.size, 0, 'no round waited: forgotten');
    await h.round('alice', 'd');
    assert.deepEqual(h.runs.at(-1), [10_000, 'd']);
  });

  test('presentities are independent', async () => {
    const h = harness(5000);
    await h.round('alice', 'a');
    await h.round('bob', 'b');
    assert.deepEqual(h.runs, [[0, 'a'], [0, 'b']]);
  });

  test('a deferred round that fails is reported; close() drops what waits', async () => {
    const h = harness(1000);
    await h.round('alice', 'a');
    await h.gate.run('alice', () => Promise.reject(new Error('store down')));
    h.clock.advance(1000);
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(h.errors, ['alice: store down']);
    await h.round('bob', 'b');
    await h.round('bob', 'c');
    h.gate.close();
    assert.equal(h.clock.pending, 0);
    assert.equal(h.gate.size, 0);
  });
});
