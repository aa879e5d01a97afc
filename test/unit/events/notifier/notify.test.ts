import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PackageRegistry } from '../../../../src/events/package-registry.js';
import type { SubscriptionStore } from '../../../../src/store/ports.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import { serialize } from '../../../../src/sip/message/serialize.js';
import { SipPeer } from '../../../support/sip-peer.js';
import {
  BOB_AOR, PS, cseqOf, notifiesOf, nthNotify, resubscribe, settle, setup, subscribe, until,
} from './fixture.js';
import type { Dialog, Fixture } from './fixture.js';

/** Both Alice and Carol subscribed to Bob, each with the first NOTIFY answered. */
async function twoWatchers(f: Fixture): Promise<{ a: Dialog; c: Dialog }> {
  const { dialog: a } = await subscribe(f.alice);
  const { dialog: c } = await subscribe(f.carol);
  await nthNotify(a, 1);
  await nthNotify(c, 1);
  await settle();
  return { a, c };
}

async function change(f: Fixture, state: string): Promise<void> {
  f.pkg.state.set(BOB_AOR, state);
  await f.notifier.notifyResource(BOB_AOR, 'x-test');
}

// RFC 6665 §4.2.2: sending state, and what NOTIFY failures do to a subscription.
describe('Notifier: NOTIFY', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });
  afterEach(async () => {
    await f.close();
  });

  test('notifyResource sends only when the rendered state changed', async () => {
    f.pkg.state.set(BOB_AOR, 'open');
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    await change(f, 'open');
    await change(f, 'open');
    await change(f, 'closed');
    const n = await nthNotify(dialog, 2);
    // CSeq 2: nothing was sent for the two unchanged renderings.
    assert.equal(cseqOf(n), 2);
    assert.equal(n.body.toString(), 'closed');
    await settle();
    assert.equal(notifiesOf(dialog).length, 2);
  });

  test('a NOTIFY answered 481 ends that subscription only (RFC 6665 §4.2.2)', async () => {
    const { a, c } = await twoWatchers(f);
    f.alice.onRequest = (req) => (req.headers.get('Call-ID') === a.callId ? 481 : 200);
    await change(f, 'one');
    await nthNotify(a, 2);
    await nthNotify(c, 2);
    await until(async () => (await f.store.get(a.remoteTag)) === undefined);
    await change(f, 'two');
    assert.equal((await nthNotify(c, 3)).body.toString(), 'two');
    await settle();
    // No further NOTIFY, not even a terminated one, for the failed subscription.
    assert.equal(notifiesOf(a).length, 2);
    assert.equal(f.notifier.size, 1);
    assert.equal((await resubscribe(a, { expires: 600 })).status, 481);
  });

  test('other failures (500, 503) keep the subscription', async () => {
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    f.alice.onRequest = () => 503;
    await change(f, 'x');
    await nthNotify(dialog, 2);
    await settle();
    f.alice.onRequest = () => 200;
    await change(f, 'y');
    assert.equal(cseqOf(await nthNotify(dialog, 3)), 3);
    assert.ok(await f.store.get(dialog.remoteTag));
  });

  test('a NOTIFY without response ends that subscription at Timer F', async () => {
    const { a, c } = await twoWatchers(f);
    f.alice.onRequest = (req) => (req.headers.get('Call-ID') === a.callId ? undefined : 200);
    await change(f, 'one');
    await nthNotify(a, 2);
    await nthNotify(c, 2);
    await settle();
    assert.ok(await f.store.get(a.remoteTag));
    f.clock.advance(64 * 500); // Timer F = 64*T1
    await until(async () => (await f.store.get(a.remoteTag)) === undefined);
    await change(f, 'two');
    assert.equal((await nthNotify(c, 3)).body.toString(), 'two');
    await settle();
    assert.equal(notifiesOf(a).length, 2);
  });

  test('a NOTIFY that cannot be sent (subscriber gone) ends that subscription', async () => {
    const dave = await SipPeer.start(f.net, 'dave');
    const { dialog: d } = await subscribe(dave);
    const { dialog: c } = await subscribe(f.carol);
    await nthNotify(d, 1);
    await nthNotify(c, 1);
    await settle();
    await dave.close();
    await change(f, 'one');
    await until(async () => (await f.store.get(d.remoteTag)) === undefined);
    assert.equal((await nthNotify(c, 2)).body.toString(), 'one');
    assert.equal(f.notifier.size, 1);
  });

  test('expiry: NOTIFY terminated;reason=timeout at the granted time, then the subscription is gone', async () => {
    f.pkg.state.set(BOB_AOR, 'open');
    const { dialog } = await subscribe(f.alice, { expires: 120 });
    await nthNotify(dialog, 1);
    await settle();
    f.clock.advance(119_000);
    await settle();
    assert.equal(notifiesOf(dialog).length, 1);
    f.clock.advance(1_000);
    const last = await nthNotify(dialog, 2);
    assert.equal(last.headers.get('Subscription-State'), 'terminated;reason=timeout');
    assert.equal(cseqOf(last), 2);
    assert.equal(last.body.length, 0);
    assert.equal(await f.store.get(dialog.remoteTag), undefined);
    assert.equal(f.notifier.size, 0);
  });

  test('a refresh moves the expiry', async () => {
    const { dialog } = await subscribe(f.alice, { expires: 120 });
    await nthNotify(dialog, 1);
    await settle();
    f.clock.advance(100_000);
    await resubscribe(dialog, { expires: 120 });
    await nthNotify(dialog, 2);
    await settle();
    f.clock.advance(100_000);
    await settle();
    assert.equal(notifiesOf(dialog).length, 2);
    f.clock.advance(20_000);
    assert.equal((await nthNotify(dialog, 3)).headers.get('Subscription-State'), 'terminated;reason=timeout');
  });

  test('terminate and terminateResource send terminated with the reason (and retry-after)', async () => {
    const { a, c } = await twoWatchers(f);
    assert.equal(await f.notifier.terminate(a.remoteTag, 'probation', 30), true);
    assert.equal((await nthNotify(a, 2)).headers.get('Subscription-State'), 'terminated;reason=probation;retry-after=30');
    assert.equal(await f.notifier.terminate(a.remoteTag, 'probation'), false);
    await f.notifier.terminateResource(BOB_AOR, 'x-test', 'noresource');
    assert.equal((await nthNotify(c, 2)).headers.get('Subscription-State'), 'terminated;reason=noresource');
    assert.deepEqual(await f.store.listAll(), []);
    assert.equal(f.notifier.size, 0);
  });

  test('a final NOTIFY waits for the one in progress: CSeqs stay in order', async () => {
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    f.alice.onRequest = () => undefined;
    await change(f, 'x');
    const second = await nthNotify(dialog, 2);
    await f.notifier.terminate(dialog.remoteTag, 'deactivated');
    await settle();
    assert.equal(notifiesOf(dialog).length, 2);
    // The 200 to NOTIFY 2 (sent by hand: Alice left it unanswered) lets the final NOTIFY go.
    await f.alice.transport.send(PS, serialize(createResponse(second, 200)));
    await nthNotify(dialog, 3);
    const all = notifiesOf(dialog);
    assert.deepEqual(all.map(cseqOf), [1, 2, 3]);
    assert.equal(all[2]!.headers.get('Subscription-State'), 'terminated;reason=deactivated');
  });
});

// Restart recovery: a second notifier over the same store takes over.
describe('Notifier: recover', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });
  afterEach(async () => {
    await f.close();
  });

  test('expired subscriptions are ended, live ones continue with the stored CSeq', async () => {
    f.pkg.state.set(BOB_AOR, 'open');
    const { dialog: long } = await subscribe(f.alice, { expires: 3600 });
    const { dialog: short } = await subscribe(f.carol, { expires: 60 });
    await nthNotify(long, 1);
    await nthNotify(short, 1);
    await change(f, 'moved');
    await nthNotify(long, 2);
    await nthNotify(short, 2);
    await settle();
    f.notifier.close(); // the process "dies": no NOTIFY, the store keeps everything
    f.clock.advance(120_000);
    await settle();
    assert.equal(notifiesOf(short).length, 2);

    const next = f.restart();
    assert.deepEqual(await next.recover(), { active: 1, ended: 1 });
    const end = await nthNotify(short, 3);
    assert.equal(end.headers.get('Subscription-State'), 'terminated;reason=timeout');
    assert.equal(cseqOf(end), 3);
    assert.equal(await f.store.get(short.remoteTag), undefined);
    // The live one: the next NOTIFY continues the CSeq, and in-dialog requests reach it.
    f.pkg.state.set(BOB_AOR, 'back');
    await next.notifyResource(BOB_AOR, 'x-test');
    const n = await nthNotify(long, 3);
    assert.equal(cseqOf(n), 3);
    assert.equal(n.headers.get('Subscription-State'), 'active;expires=3480');
    assert.equal((await resubscribe(long, { expires: 600 })).status, 200);
    assert.equal(cseqOf(await nthNotify(long, 4)), 4);
    // Its expiry timer is back.
    await settle();
    f.clock.advance(600_000);
    assert.equal((await nthNotify(long, 5)).headers.get('Subscription-State'), 'terminated;reason=timeout');
  });

  test('a refresh arriving while the stored subscriptions are read waits for them (no 481)', async () => {
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    await settle();
    f.notifier.close();
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const slow: SubscriptionStore = {
      get: (id) => f.store.get(id),
      listByResource: (r, e) => f.store.listByResource(r, e),
      put: (r) => f.store.put(r),
      nextLocalCSeq: (id) => f.store.nextLocalCSeq(id),
      remove: (id) => f.store.remove(id),
      listExpired: (now) => f.store.listExpired(now),
      listAll: async () => {
        await gate;
        return f.store.listAll();
      },
    };
    const next = f.restart({ store: slow });
    const recovered = next.recover();
    let answered = 0;
    const refresh = resubscribe(dialog, { expires: 600 }).then((res) => {
      answered = res.status;
      return res;
    });
    await settle();
    assert.equal(answered, 0);
    open();
    assert.deepEqual(await recovered, { active: 1, ended: 0 });
    assert.equal((await refresh).status, 200);
    assert.equal(cseqOf(await nthNotify(dialog, 2)), 2);
  });

  test('subscriptions of a package no longer served are ended with reason=noresource', async () => {
    const { dialog } = await subscribe(f.alice, { event: 'x-plain' });
    await nthNotify(dialog, 1);
    await settle();
    f.notifier.close();
    const registry = new PackageRegistry();
    registry.register(f.pkg);
    const next = f.restart({ registry });
    assert.deepEqual(await next.recover(), { active: 0, ended: 1 });
    assert.equal((await nthNotify(dialog, 2)).headers.get('Subscription-State'), 'terminated;reason=noresource');
  });
});
