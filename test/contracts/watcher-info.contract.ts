import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stores } from '../../src/store/ports.js';
import { T0, watcherInfo } from './fixtures.js';

/** The WatcherInfoStore part of the store contract; `stores()` is the adapter under test. */
export function watcherInfoContract(stores: () => Stores): void {
  test('watcher info: entries read back exactly, in append order, per presentity and package', async () => {
    const w = stores().watcherInfo;
    const a = watcherInfo(3, { displayName: 'Bob B', status: 'active', event: 'approved' });
    const b = watcherInfo(1, { fetch: true, status: 'terminated', event: 'timeout', watcher: 'sip:anonymous@anonymous.invalid' });
    const other = watcherInfo(2, { presentity: 'sip:carol@example.com' });
    const otherPackage = watcherInfo(2, { package: 'message-summary' });
    for (const r of [a, other, b, otherPackage]) await w.append(r);
    assert.deepEqual(await w.listByPresentity('sip:alice@example.com', 'presence', 0), [a, b]);
    assert.deepEqual(await w.listByPresentity('sip:carol@example.com', 'presence', 0), [other]);
    assert.deepEqual(await w.listByPresentity('sip:dave@example.com', 'presence', 0), []);
    assert.equal('displayName' in (await w.listByPresentity('sip:alice@example.com', 'presence', 0))[1]!, false);
  });

  test('watcher info: since bounds the list (inclusive); purgeBefore removes older entries of everyone', async () => {
    const w = stores().watcherInfo;
    for (const n of [1, 2, 3]) await w.append(watcherInfo(n));
    await w.append(watcherInfo(1, { presentity: 'sip:carol@example.com' }));
    assert.deepEqual((await w.listByPresentity('sip:alice@example.com', 'presence', T0 + 2)).map((r) => r.at), [T0 + 2, T0 + 3]);
    assert.equal(await w.purgeBefore(T0 + 2), 2);
    assert.deepEqual((await w.listByPresentity('sip:alice@example.com', 'presence', 0)).map((r) => r.at), [T0 + 2, T0 + 3]);
    assert.deepEqual(await w.listByPresentity('sip:carol@example.com', 'presence', 0), []);
    assert.equal(await w.purgeBefore(T0 + 2), 0);
  });

  test('watcher info: a caller changing a record it appended or read changes nothing stored', async () => {
    const w = stores().watcherInfo;
    const r = watcherInfo(1);
    await w.append(r);
    r.status = 'active';
    const [read] = await w.listByPresentity('sip:alice@example.com', 'presence', 0);
    assert.equal(read!.status, 'pending');
    read!.status = 'terminated';
    assert.equal((await w.listByPresentity('sip:alice@example.com', 'presence', 0))[0]!.status, 'pending');
  });
}
