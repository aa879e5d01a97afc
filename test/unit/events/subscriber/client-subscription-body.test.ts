import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';
import { BOB, setup } from './fixture.js';
import type { Fixture } from './fixture.js';
import { until } from './watcher.js';

/** The subscription the notifier keeps for Alice (there must be exactly one). */
async function serverRecord(f: Fixture): Promise<SubscriptionRecord> {
  const all = await f.store.listByResource(BOB, 'x-state');
  assert.equal(all.length, 1, `${all.length} subscriptions stored`);
  return all[0]!;
}

const FILTER = { contentType: 'application/x-filter', content: Buffer.from('only-busy') };

// The initial SUBSCRIBE's body (an event filter, RFC 4660 §5.2) and refreshNow(), used by presenced watchers.
describe('ClientSubscription: a SUBSCRIBE body and refreshNow()', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
    f.pkg.state.set(BOB, 'open');
    f.pkg.subscribeBodyTypes.push(FILTER.contentType);
  });
  afterEach(() => f.close());

  test('the body and its Content-Type go with the initial SUBSCRIBE; a refresh without one keeps it (RFC 4660 §5.2.2)', async () => {
    const w = f.watch({ body: FILTER });
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    assert.deepEqual((await serverRecord(f)).body, { contentType: FILTER.contentType, data: FILTER.content });

    await w.sub.refreshNow();
    // RFC 6665 §4.2.1.2: a refresh is answered with a NOTIFY of the current state.
    await until(() => w.notifies.length === 2, 'NOTIFY after the refresh');
    assert.equal(w.sub.dialog!.localSeq, 2, 'the refresh went in the dialog with the next CSeq');
    assert.deepEqual((await serverRecord(f)).body, { contentType: FILTER.contentType, data: FILTER.content });
  });

  test('without a body none is sent; refreshNow() before a dialog or after stop() sends nothing', async () => {
    const w = f.watch();
    await w.sub.refreshNow();
    assert.equal(f.alice.transactions.size.client, 0, 'no dialog yet: nothing sent');
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    assert.equal((await serverRecord(f)).body, undefined);
    await w.sub.stop();
    const seq = w.sub.dialog?.localSeq;
    await w.sub.refreshNow();
    assert.equal(w.sub.dialog?.localSeq, seq, 'terminated: no refresh');
  });
});
