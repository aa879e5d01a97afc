import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, cseqOf, documentOf, tuplesOf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * TS 23.141 Annex A.2.3.4 (updating presence information via the Pep interface): Alice's PUA publishes
 * (RFC 3903 §4.2), modifies (§4.4), refreshes (§4.3) and removes (§4.5) her state; Bob watches and is
 * notified per A.2.4.1 whenever the state changed, and only then.
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

function phone(basic: 'open' | 'closed'): Buffer {
  return buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic });
}

test('A.2.3.4: publish, modify, refresh and remove; the watcher sees open, closed, nothing for the refresh, then empty', async () => {
  const { dialog } = await bob.subscribe(ALICE);
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 1)), []);

  // Steps 1-4: the PUA sends its PresUpdateMsg (initial PUBLISH); the PS authorises, processes and acks.
  const initial = await alice.publish({ body: phone('open'), expires: 600 });
  assert.equal(initial.status, 200);
  assert.equal(initial.headers.get('Expires'), '600');
  const etag1 = initial.headers.get('SIP-ETag')!;
  assert.ok(etag1);
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 2)), ['alice-phone=open']);

  // Modify: SIP-If-Match names the publication; the PS gives it a new entity tag (RFC 3903 §6 step 6).
  const modify = await alice.publish({ body: phone('closed'), ifMatch: etag1, expires: 600 });
  assert.equal(modify.status, 200);
  const etag2 = modify.headers.get('SIP-ETag')!;
  assert.ok(etag2 && etag2 !== etag1);
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 3)), ['alice-phone=closed']);
  // RFC 3903 §4.1: the replaced entity tag is no longer valid.
  assert.equal((await alice.publish({ body: phone('open'), ifMatch: etag1 })).status, 412);

  // Refresh: no body, only a new lifetime; the state is unchanged, so no NOTIFY (RFC 6665 §4.2.2).
  const refresh = await alice.publish({ ifMatch: etag2, expires: 900 });
  assert.equal(refresh.status, 200);
  assert.equal(refresh.headers.get('Expires'), '900');
  const etag3 = refresh.headers.get('SIP-ETag')!;
  assert.ok(etag3 && etag3 !== etag2);
  await settle();
  assert.equal(bob.notifies(dialog).length, 3);
  const [stored] = await world.stores.publications.listAll();
  assert.equal(stored!.etag, etag3);
  assert.equal(stored!.expiresAt, world.clock.now() + 900_000);

  // Remove: Expires 0 with the current tag (RFC 3903 §4.5); the composed document is empty again.
  const remove = await alice.publish({ ifMatch: etag3, expires: 0 });
  assert.equal(remove.status, 200);
  assert.equal(remove.headers.get('Expires'), '0');
  const last = await bob.nthNotify(dialog, 4);
  const doc = documentOf(last);
  assert.equal(doc.entity, ALICE);
  assert.equal(doc.tuples.length, 0);
  assert.deepEqual(bob.notifies(dialog).map(cseqOf), [1, 2, 3, 4]);
  assert.deepEqual(await world.stores.publications.listAll(), []);
});

test('A.2.3.4: a modify that publishes the same document again sends no NOTIFY', async () => {
  const { dialog } = await bob.subscribe(ALICE);
  await bob.nthNotify(dialog, 1);
  const etag = (await alice.publish({ body: phone('open') })).headers.get('SIP-ETag')!;
  await bob.nthNotify(dialog, 2);
  assert.equal((await alice.publish({ body: phone('open'), ifMatch: etag })).status, 200);
  await settle();
  assert.equal(bob.notifies(dialog).length, 2);
});
