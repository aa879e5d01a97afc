import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '../../src/store/sqlite/sqlite-stores.js';
import { buildPidf, cseqOf, fromTagOf, stateOf, toTagOf, tuplesOf } from './support/presence-doc.js';
import type { User, WatcherDialog } from './support/user.js';
import { World, aorOf, until } from './support/world.js';

/**
 * A graceful restart of the PS in the middle of the Annex A flows, on the SQLite store (the embedded
 * default) in a temporary directory, shared by server #1 and server #2: subscriptions (A.2.2.1) keep
 * their dialogs and CSeqs (RFC 3261 §12.2.1.1), publications (A.2.3.4) keep their state and entity tags
 * (RFC 3903 §6), and what expired while the PS was down is ended at startup. The kill -9 variant is at
 * the store level (test/unit/store/sqlite-crash.test.ts).
 */

const ALICE = aorOf('alice');

let dir: string;
let world: World;
let phone: User;
let pc: User;
let bob: User;
let carol: User;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'presenced-restart-'));
  world = await World.start({ stores: openSqliteStores(join(dir, 'presenced.db')) });
  phone = await world.user('alice', 'alice-phone');
  pc = await world.user('alice', 'alice-pc');
  bob = await world.user('bob');
  carol = await world.user('carol');
});

afterEach(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

interface BeforeRestart {
  phoneTag: string;
  pcTag: string;
  bobs: WatcherDialog;
  carols: WatcherDialog;
}

/**
 * On server #1: Alice's phone publishes for an hour, her PC for 2 minutes; Bob subscribes for an hour,
 * Carol for 2 minutes. Each watcher has its first NOTIFY, with both tuples.
 */
async function beforeRestart(): Promise<BeforeRestart> {
  const p = await phone.publish({ body: buildPidf({ entity: ALICE, tupleId: 'phone', basic: 'open' }), expires: 3600 });
  const q = await pc.publish({ body: buildPidf({ entity: ALICE, tupleId: 'pc', basic: 'open' }), expires: 120 });
  assert.equal(q.status, 200);
  const { dialog: bobs } = await bob.subscribe(ALICE, { expires: 3600 });
  const { dialog: carols } = await carol.subscribe(ALICE, { expires: 120 });
  for (const [u, d] of [[bob, bobs], [carol, carols]] as const) {
    assert.deepEqual(tuplesOf(await u.nthNotify(d, 1)).sort(), ['pc=open', 'phone=open']);
  }
  return { phoneTag: p.headers.get('SIP-ETag')!, pcTag: q.headers.get('SIP-ETag')!, bobs, carols };
}

test('restart: the next NOTIFY continues the dialog with CSeq last + 1, and the stored publication is still composed', async () => {
  const { phoneTag, bobs } = await beforeRestart();
  const last = bob.notifies(bobs).at(-1)!;

  await world.restart(() => world.clock.advance(60_000));

  // A.2.3.4 on server #2: the phone modifies its publication with the entity tag server #1 gave it.
  const modify = await phone.publish({ body: buildPidf({ entity: ALICE, tupleId: 'phone', basic: 'closed' }), ifMatch: phoneTag });
  assert.equal(modify.status, 200);
  const next = await bob.nthNotify(bobs, 2);
  assert.equal(cseqOf(next), cseqOf(last) + 1);
  assert.equal(next.headers.get('Call-ID'), last.headers.get('Call-ID'));
  assert.equal(fromTagOf(next), bobs.remoteTag);
  assert.equal(toTagOf(next), bobs.localTag);
  assert.match(stateOf(next), /^active;expires=35\d\d$/);
  // The PC's publication (1 minute left) survived the restart and is still part of the document.
  assert.deepEqual(tuplesOf(next), ['pc=open', 'phone=closed']);
  // Bob's dialog is known to server #2: a refresh in it is accepted.
  assert.equal((await bob.resubscribe(bobs, { expires: 3600 })).status, 200);
  assert.equal(cseqOf(await bob.nthNotify(bobs, 3)), cseqOf(last) + 2);
});

test('restart: what expired while the PS was down is ended at startup', async () => {
  const { pcTag, bobs, carols } = await beforeRestart();
  const carolsLast = carol.notifies(carols).at(-1)!;

  // Down for 5 minutes: Carol's subscription and the PC's publication (2 minutes) run out meanwhile.
  await world.restart(() => world.clock.advance(300_000));

  // RFC 6665 §4.2.1.4: Carol's subscription ends with NOTIFY terminated;reason=timeout, in her dialog.
  const final = await carol.nthNotify(carols, 2);
  assert.equal(stateOf(final), 'terminated;reason=timeout');
  assert.equal(cseqOf(final), cseqOf(carolsLast) + 1);
  assert.equal(final.headers.get('Call-ID'), carols.callId);
  await until(async () => (await world.stores.subscriptions.listAll()).length === 1);
  assert.equal((await world.stores.subscriptions.listAll())[0]!.id, bobs.remoteTag);

  // The PC's publication is gone, and Bob, still subscribed, is told at startup (A.2.4.1, RFC 6665
  // §4.2.2), as he would have been had the PS been up when it expired.
  assert.deepEqual((await world.stores.publications.listAll()).map((p) => p.publisher), [ALICE]);
  const update = await bob.nthNotify(bobs, 2);
  assert.deepEqual(tuplesOf(update), ['phone=open']);
  assert.equal(cseqOf(update), cseqOf(bob.notifies(bobs)[0]!) + 1);
  // RFC 3903 §6 step 3: its entity tag matches nothing any more.
  assert.equal((await pc.publish({ ifMatch: pcTag, expires: 120 })).status, 412);
  const { res, dialog } = await carol.subscribe(ALICE);
  assert.equal(res.status, 200);
  assert.deepEqual(tuplesOf(await carol.nthNotify(dialog, 1)), ['phone=open']);
});
