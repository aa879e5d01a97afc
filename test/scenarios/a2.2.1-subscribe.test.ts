import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, cseqOf, documentOf, fromTagOf, stateOf, toTagOf, tuplesOf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { World, aorOf } from './support/world.js';

/**
 * TS 23.141 Annex A.2.2.1 (IMS watcher subscribing to presence event notification), then A.2.3.4 /
 * A.2.4.1 for the first update: Bob is the watcher, Alice the presentity. The CSCFs of the figure are
 * not in the path (Note-ii: the S-CSCF does not stay in the dialog), so Bob's UE talks to the PS.
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

test('A.2.2.1: Bob subscribes to Alice, gets the 200 and at once a NOTIFY with her current state', async () => {
  // Step 1: SubscribePres with the events wanted and how long the subscription should last.
  const { res, dialog } = await bob.subscribe(ALICE, { expires: 600 });

  // Step 8: the PS authorises Bob and accepts (MsgAck = 200, RFC 6665 §4.2.1.1 with the granted Expires).
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('Expires'), '600');
  assert.match(res.headers.get('Contact') ?? '', /^<sips?:[^>]+>/);
  assert.ok(dialog.remoteTag, 'the 200 carries a To tag: the dialog is established');

  // Step 13: right after accepting, NotifyPresUp with the full current state. Nothing is published yet,
  // so the document is empty but names the presentity (RFC 3856 §6.8 still asks for a document).
  const first = await bob.nthNotify(dialog, 1);
  assert.equal(first.headers.get('Event'), 'presence');
  // The FakeClock has not moved: the whole granted duration is left.
  assert.equal(stateOf(first), 'active;expires=600');
  const doc = documentOf(first);
  assert.equal(doc.entity, ALICE);
  assert.deepEqual([doc.tuples.length, doc.persons.length, doc.devices.length], [0, 0, 0]);
  // The NOTIFY is in the SUBSCRIBE dialog: same Call-ID, the PS's tag as From tag, Bob's as To tag.
  assert.equal(fromTagOf(first), dialog.remoteTag);
  assert.equal(toTagOf(first), dialog.localTag);
  // Steps 16-18 (MsgAck to the NOTIFY) are Bob's 200, sent by the SIP peer.

  // A.2.3.4 step 1-4: Alice's PUA publishes; the PS takes it (200 with an entity tag, RFC 3903 §6 step 6).
  const pub = await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open', note: 'Ready' }) });
  assert.equal(pub.status, 200);
  assert.ok(pub.headers.get('SIP-ETag'));

  // A.2.4.1 step 1: the PS notifies the authorised watcher of the update, in the same dialog.
  const second = await bob.nthNotify(dialog, 2);
  assert.deepEqual(tuplesOf(second), ['alice-phone=open']);
  assert.equal(documentOf(second).tuples[0]!.notes[0]!.text, 'Ready');
  assert.match(stateOf(second), /^active;expires=\d+$/);
  assert.equal(second.headers.get('Call-ID'), first.headers.get('Call-ID'));
  assert.equal(fromTagOf(second), dialog.remoteTag);
  assert.equal(toTagOf(second), dialog.localTag);
  // RFC 3261 §12.2.1.1: the PS's CSeq increases by one per request in the dialog.
  assert.equal(cseqOf(second), cseqOf(first) + 1);
  assert.equal(bob.notifies(dialog).length, 2);
});

test('A.2.2.1 step 13: a subscription made after the publication gets the published state in its first NOTIFY', async () => {
  assert.equal((await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'closed' }) })).status, 200);
  const { res, dialog } = await bob.subscribe(ALICE);
  assert.equal(res.status, 200);
  // RFC 3856 §6.4: no Expires asked, the default (3600 s) is granted.
  assert.equal(res.headers.get('Expires'), '3600');
  const first = await bob.nthNotify(dialog, 1);
  assert.deepEqual(tuplesOf(first), ['alice-phone=closed']);
});
