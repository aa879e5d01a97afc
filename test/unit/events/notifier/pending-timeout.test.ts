import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BOB_AOR, notifiesOf, nthNotify, resubscribe, settle, setup, subscribe, until } from './fixture.js';
import type { Fixture } from './fixture.js';

const ALICE = 'sip:alice@alice.test';

// RFC 3857 §4.7.1, RFC 6665 §4.1.3: a subscription still pending when its giveup timer fires is ended
// with reason=giveup; the timer runs from its creation and leaving the pending state cancels it.
describe('Notifier: pending timeout (giveup)', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  test('a subscription still pending after pendingTimeoutMs ends with NOTIFY terminated;reason=giveup; refreshes do not prolong it', async () => {
    f = await setup({ pendingTimeoutMs: 300_000 });
    f.pkg.state.set(BOB_AOR, 'open');
    f.pkg.decisions.set(ALICE, 'pending');
    const { dialog } = await subscribe(f.alice);
    assert.equal((await nthNotify(dialog, 1)).headers.get('Subscription-State'), 'pending;expires=600');
    await settle();
    f.clock.advance(200_000);
    assert.equal((await resubscribe(dialog, { expires: 600 })).status, 200);
    assert.equal((await nthNotify(dialog, 2)).headers.get('Subscription-State'), 'pending;expires=600');
    await settle();
    f.clock.advance(99_000);
    await settle();
    assert.equal(notifiesOf(dialog).length, 2);
    f.clock.advance(1_000);
    const last = await nthNotify(dialog, 3);
    assert.equal(last.headers.get('Subscription-State'), 'terminated;reason=giveup');
    assert.equal(last.body.length, 0);
    await until(async () => (await f!.store.listAll()).length === 0);
    assert.equal(f.notifier.size, 0);
    assert.equal((await resubscribe(dialog, { expires: 600 })).status, 481);
  });

  test('authorised before the timer runs out: no giveup, the subscription goes on', async () => {
    f = await setup({ pendingTimeoutMs: 300_000 });
    f.pkg.state.set(BOB_AOR, 'open');
    f.pkg.decisions.set(ALICE, 'pending');
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    await settle();
    f.clock.advance(100_000);
    f.pkg.decisions.set(ALICE, 'active');
    await f.notifier.reauthorize(BOB_AOR, 'x-test');
    assert.equal((await nthNotify(dialog, 2)).headers.get('Subscription-State'), 'active;expires=500');
    await settle();
    f.clock.advance(250_000);
    await settle();
    assert.equal(notifiesOf(dialog).length, 2);
    assert.equal((await f.store.get(dialog.remoteTag))?.state, 'active');
  });

  test('without pendingTimeoutMs a pending subscription lasts until it expires (reason=timeout)', async () => {
    f = await setup();
    f.pkg.decisions.set(ALICE, 'pending');
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    await settle();
    f.clock.advance(599_000);
    await settle();
    assert.equal(notifiesOf(dialog).length, 1);
    f.clock.advance(1_000);
    assert.equal((await nthNotify(dialog, 2)).headers.get('Subscription-State'), 'terminated;reason=timeout');
  });

  test('after a restart the timer is armed again from the subscription\'s creation', async () => {
    f = await setup({ pendingTimeoutMs: 300_000 });
    f.pkg.decisions.set(ALICE, 'pending');
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    await settle();
    f.notifier.close();
    f.clock.advance(200_000);
    const successor = f.restart();
    assert.deepEqual(await successor.recover(), { active: 1, ended: 0 });
    f.clock.advance(99_000);
    await settle();
    assert.equal(notifiesOf(dialog).length, 1);
    f.clock.advance(1_000);
    assert.equal((await nthNotify(dialog, 2)).headers.get('Subscription-State'), 'terminated;reason=giveup');
  });

  test('a pending fetch gets its one NOTIFY terminated;reason=timeout with no state, and no timer (RFC 6665 §4.4.3)', async () => {
    f = await setup({ pendingTimeoutMs: 300_000 });
    f.pkg.state.set(BOB_AOR, 'open');
    f.pkg.decisions.set(ALICE, 'pending');
    const { res, dialog } = await subscribe(f.alice, { expires: 0 });
    assert.equal(res.status, 200);
    const n = await nthNotify(dialog, 1);
    assert.equal(n.headers.get('Subscription-State'), 'terminated;reason=timeout');
    // The test package renders nothing for a pending watcher: the state stays hidden.
    assert.equal(n.body.length, 0);
    f.clock.advance(300_000);
    await settle();
    assert.equal(notifiesOf(dialog).length, 1);
  });
});
