import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, cseqOf, stateOf, tuplesOf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { World, aorOf, settle, until } from './support/world.js';

/**
 * Lifetimes over the Annex A flows, on the FakeClock: a publication not refreshed (A.2.3.4) expires
 * (RFC 3903 §4.3) and the watchers are told (A.2.4.1); a subscription not refreshed (A.2.2.1 step 1:
 * "the length of time this periodic subscription should last") ends with NOTIFY terminated;reason=timeout
 * (RFC 6665 §4.2.1.4); refreshing keeps both.
 */

const ALICE = aorOf('alice');

let world: World;
let alice: User;
let bob: User;

beforeEach(async () => {
  world = await World.start();
  alice = await world.user('alice');
  bob = await world.user('bob');
});

afterEach(async () => {
  await world.close();
});

const OPEN = (): Buffer => buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open' });

test('an unrefreshed publication expires: the watcher is notified with its tuple gone', async () => {
  const { dialog } = await bob.subscribe(ALICE);
  await bob.nthNotify(dialog, 1);
  assert.equal((await alice.publish({ body: OPEN(), expires: 120 })).status, 200);
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 2)), ['alice-phone=open']);

  await world.elapse(119);
  assert.equal(bob.notifies(dialog).length, 2);
  await world.elapse(1);
  const n = await bob.nthNotify(dialog, 3);
  assert.deepEqual(tuplesOf(n), []);
  assert.match(stateOf(n), /^active;/);
  assert.deepEqual(await world.stores.publications.listAll(), []);
});

test('an unrefreshed subscription ends with NOTIFY terminated;reason=timeout', async () => {
  const { res, dialog } = await bob.subscribe(ALICE, { expires: 120 });
  assert.equal(res.headers.get('Expires'), '120');
  await bob.nthNotify(dialog, 1);

  await world.elapse(119);
  assert.equal(bob.notifies(dialog).length, 1);
  await world.elapse(1);
  const last = await bob.nthNotify(dialog, 2);
  assert.equal(stateOf(last), 'terminated;reason=timeout');
  assert.equal(cseqOf(last), 2);
  await until(async () => (await world.stores.subscriptions.listAll()).length === 0);
  assert.equal(world.server.notifier.size, 0);
  // The subscription is gone: a late refresh gets 481 (RFC 6665 §4.1.2.2 tells Bob to subscribe anew).
  assert.equal((await bob.resubscribe(dialog, { expires: 120 })).status, 481);
});

test('refreshing the publication and the subscription keeps both past their first expiry', async () => {
  const { dialog } = await bob.subscribe(ALICE, { expires: 120 });
  await bob.nthNotify(dialog, 1);
  const etag = (await alice.publish({ body: OPEN(), expires: 120 })).headers.get('SIP-ETag')!;
  await bob.nthNotify(dialog, 2);

  await world.elapse(100);
  // RFC 3903 §4.3: a refresh has no body, only SIP-If-Match and the new Expires; no NOTIFY (state unchanged).
  const refreshed = await alice.publish({ ifMatch: etag, expires: 120 });
  assert.equal(refreshed.status, 200);
  await settle();
  assert.equal(bob.notifies(dialog).length, 2);
  // RFC 6665 §4.2.1.2: an accepted refresh is answered with a NOTIFY of the current state.
  assert.equal((await bob.resubscribe(dialog, { expires: 300 })).status, 200);
  const afterRefresh = await bob.nthNotify(dialog, 3);
  assert.equal(stateOf(afterRefresh), 'active;expires=300');
  assert.deepEqual(tuplesOf(afterRefresh), ['alice-phone=open']);

  // t = 200 s: past both original expiries (120 s), both are alive and nothing was sent.
  await world.elapse(100);
  assert.equal(bob.notifies(dialog).length, 3);
  assert.equal((await world.stores.publications.listAll()).length, 1);
  assert.equal(world.server.notifier.size, 1);

  // t = 220 s: the refreshed publication runs out; t = 400 s: the refreshed subscription does.
  await world.elapse(20);
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 4)), []);
  await world.elapse(179);
  assert.equal(bob.notifies(dialog).length, 4);
  await world.elapse(1);
  assert.equal(stateOf(await bob.nthNotify(dialog, 5)), 'terminated;reason=timeout');
  assert.deepEqual(bob.notifies(dialog).map(cseqOf), [1, 2, 3, 4, 5]);
});
