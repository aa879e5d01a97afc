import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, cseqOf, tuplesOf } from './support/presence-doc.js';
import type { User, WatcherDialog } from './support/user.js';
import { World, aorOf, settle, until } from './support/world.js';

/**
 * TS 23.141 Annex A.2.4.1 (the PS notifying watchers of updates): "The Presence Server determines which
 * authorised watchers are entitled to receive the updates … For each appropriate watcher, the presence
 * server sends a NotifyPresUp". Bob, Carol and Alice herself watch Alice.
 */

const ALICE = aorOf('alice');

let world: World;
let alice: User;
let bob: User;
let carol: User;

beforeEach(async () => {
  world = await World.start();
  alice = await world.user('alice');
  bob = await world.user('bob');
  carol = await world.user('carol');
});

afterEach(async () => {
  await world.close();
});

/** Bob, Carol and Alice subscribe to Alice (A.2.2.1) and each has had the first NOTIFY. */
async function threeWatchers(): Promise<Array<[User, WatcherDialog]>> {
  const watchers: Array<[User, WatcherDialog]> = [];
  for (const u of [bob, carol, alice]) {
    const { res, dialog } = await u.subscribe(ALICE);
    assert.equal(res.status, 200, `${u.aor} subscribes`);
    await u.nthNotify(dialog, 1);
    watchers.push([u, dialog]);
  }
  return watchers;
}

function update(basic: 'open' | 'closed', note: string): Buffer {
  return buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic, note });
}

test('A.2.4.1 step 1: one update, one NOTIFY to each authorised watcher, all with the same document', async () => {
  const watchers = await threeWatchers();
  assert.equal((await alice.publish({ body: update('open', 'at work') })).status, 200);

  const notifies = await Promise.all(watchers.map(([u, d]) => u.nthNotify(d, 2)));
  await settle();
  for (const [u, d] of watchers) assert.equal(u.notifies(d).length, 2, `${u.aor}: exactly one NOTIFY for the update`);
  assert.deepEqual(tuplesOf(notifies[0]!), ['alice-phone=open']);
  for (const n of notifies.slice(1)) assert.deepEqual(n.body, notifies[0]!.body);
});

test('A.2.4.1 steps 4-6: a watcher answering 481 loses only its own subscription', async () => {
  const watchers = await threeWatchers();
  const [, carolsDialog] = watchers[1]!;
  // Carol's UE has forgotten the subscription: its MsgAck is a 481 (RFC 6665 §4.2.2: the PS MUST remove it).
  carol.answerNotifiesWith(carolsDialog, 481);

  const etag = (await alice.publish({ body: update('open', 'first') })).headers.get('SIP-ETag')!;
  for (const [u, d] of watchers) await u.nthNotify(d, 2);
  await until(async () => (await world.stores.subscriptions.get(carolsDialog.remoteTag)) === undefined);

  assert.equal((await alice.publish({ body: update('closed', 'second'), ifMatch: etag })).status, 200);
  for (const [u, d] of [watchers[0]!, watchers[2]!]) {
    const n = await u.nthNotify(d, 3);
    assert.deepEqual(tuplesOf(n), ['alice-phone=closed'], u.aor);
    assert.equal(cseqOf(n), 3);
  }
  await settle();
  // No NOTIFY for Carol after the failure, not even a terminating one.
  assert.equal(carol.notifies(carolsDialog).length, 2);
  assert.equal(world.server.notifier.size, 2);
  // Her dialog is gone: a refresh in it gets 481 (RFC 3261 §12.2.2).
  assert.equal((await carol.resubscribe(carolsDialog, { expires: 600 })).status, 481);
  const left = (await world.stores.subscriptions.listAll()).map((s) => s.watcher).sort();
  assert.deepEqual(left, [ALICE, aorOf('bob')]);
});
