import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySubscriptionStore } from '../../../../src/store/memory/subscription-store.js';
import { BOB_AOR, cseqOf, notifiesOf, nthNotify, settle, setup, subscribe } from './fixture.js';
import type { Fixture } from './fixture.js';

/** The real memory store, counting the CSeqs taken through nextLocalCSeq. */
class CountingStore extends MemorySubscriptionStore {
  cseqWrites = 0;

  override async nextLocalCSeq(id: string): Promise<number | undefined> {
    this.cseqWrites++;
    return super.nextLocalCSeq(id);
  }
}

async function change(f: Fixture, state: string): Promise<void> {
  f.pkg.state.set(BOB_AOR, state);
  await f.notifier.notifyResource(BOB_AOR, 'x-test');
}

// RFC 3261 §12.2.1.1: a new subscription is stored with the CSeq of its first NOTIFY already taken, so
// that NOTIFY costs no store write of its own; every later one takes the next from the store.
describe('Notifier: the first NOTIFY CSeq is stored with the subscription', () => {
  let f: Fixture;
  afterEach(async () => {
    await f.close();
  });

  test('the first NOTIFY takes CSeq 1 without a CSeq write; the next ones take theirs from the store', async () => {
    const store = new CountingStore();
    f = await setup({ store });
    f.pkg.state.set(BOB_AOR, 'open');
    const { dialog } = await subscribe(f.alice);
    assert.equal(cseqOf(await nthNotify(dialog, 1)), 1);
    assert.equal(store.cseqWrites, 0);
    assert.equal((await store.get(dialog.remoteTag))?.localCSeq, 1);
    await change(f, 'closed');
    assert.equal(cseqOf(await nthNotify(dialog, 2)), 2);
    assert.equal(store.cseqWrites, 1);
    assert.equal((await store.get(dialog.remoteTag))?.localCSeq, 2);
    store.close();
  });

  test('a subscription whose first NOTIFY never went out continues after its stored CSeq once restarted', async () => {
    f = await setup({ limits: { maxNotifiesInFlight: 1 } });
    f.pkg.state.set(BOB_AOR, 'open');
    // Carol's first NOTIFY stays unanswered and fills the window: Alice's first one waits in line.
    f.carol.onRequest = () => undefined;
    await subscribe(f.carol);
    const { dialog } = await subscribe(f.alice);
    await settle();
    assert.equal(notifiesOf(dialog).length, 0);
    f.notifier.close(); // the process "dies" before Alice's first NOTIFY went
    f.carol.onRequest = () => 200;
    const next = f.restart();
    assert.deepEqual(await next.recover(), { active: 2, ended: 0 });
    f.pkg.state.set(BOB_AOR, 'closed');
    await next.notifyResource(BOB_AOR, 'x-test');
    const first = await nthNotify(dialog, 1);
    assert.equal(cseqOf(first), 2);
    assert.equal(first.body.toString(), 'closed');
  });
});
