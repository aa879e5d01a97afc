import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, documentOf, stateOf, tuplesOf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * TS 23.141 Annex A.2.2.1 step 8 ("the presence server performs the necessary authorisation checks …
 * In the case where the privacy/authorisation checks fail, then a negative acknowledgement is sent")
 * with the default sub-handling of presence.defaultSubHandling until pres-rules exist (TS 23.141 §7):
 * confirm holds Bob pending (RFC 6665 §4.2.1.3; A.2.5 shows the confirmation), block refuses him; Alice
 * may always watch herself.
 */

const ALICE = aorOf('alice');

let world: World;
let alice: User;
let bob: User;

afterEach(async () => {
  await world.close();
});

async function stage(defaultSubHandling: 'confirm' | 'block'): Promise<void> {
  world = await World.start({ presence: { defaultSubHandling } });
  alice = await world.user('alice');
  bob = await world.user('bob');
  // Alice is online: what a pending or blocked watcher must not learn.
  const res = await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open', note: 'in Paris' }) });
  assert.equal(res.status, 200);
}

test('confirm: Bob is accepted pending and sees only the "authorization pending" document', async () => {
  await stage('confirm');
  const { res, dialog } = await bob.subscribe(ALICE, { expires: 600 });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('Expires'), '600');

  const first = await bob.nthNotify(dialog, 1);
  assert.equal(stateOf(first), 'pending;expires=600');
  // RFC 3856 §6.6: a textual note of the pending status, and no real presence.
  const doc = documentOf(first);
  assert.deepEqual(tuplesOf(first), ['pending=closed']);
  assert.equal(doc.tuples[0]!.notes[0]!.text, 'Presence authorization pending');
  assert.doesNotMatch(first.body.toString(), /alice-phone|Paris|open/);
  assert.equal((await world.stores.subscriptions.get(dialog.remoteTag))?.state, 'pending');

  // Alice's updates change nothing Bob may see: no NOTIFY.
  assert.equal((await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'alice-pc', basic: 'open' }) })).status, 200);
  await settle();
  assert.equal(bob.notifies(dialog).length, 1);
});

test('block: Bob gets 403, nothing is stored and no NOTIFY is sent', async () => {
  await stage('block');
  const { res, dialog } = await bob.subscribe(ALICE);
  assert.equal(res.status, 403);
  await settle();
  assert.equal(bob.notifies(dialog).length, 0);
  assert.deepEqual(await world.stores.subscriptions.listAll(), []);
  assert.equal(world.server.notifier.size, 0);
});

for (const handling of ['confirm', 'block'] as const) {
  test(`${handling}: Alice watching herself is always active and sees her presence`, async () => {
    await stage(handling);
    const { res, dialog } = await alice.subscribe(ALICE);
    assert.equal(res.status, 200);
    const first = await alice.nthNotify(dialog, 1);
    assert.match(stateOf(first), /^active;/);
    assert.deepEqual(tuplesOf(first), ['alice-phone=open']);
  });
}
