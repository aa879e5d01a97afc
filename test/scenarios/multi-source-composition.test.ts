import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigInput } from '../../src/config/schema.js';
import type { SipRequest } from '../../src/sip/message/message.js';
import type { BuildPidfOptions } from '../../src/presence/pidf/build.js';
import { buildPidf, documentOf, tuplesOf } from './support/presence-doc.js';
import type { User, WatcherDialog } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * TS 23.141 §5.1 composition over the Annex A flows: Alice's two PUAs (phone and PC, A.2.3.4) and the
 * Presence Network Agent (A.2.3.2: it learns of her IMS registration and informs the PS) all publish
 * Alice's presence; Bob's NOTIFYs (A.2.4.1) carry one composed document.
 */

const ALICE = aorOf('alice');
const PNA = aorOf('pna');

let world: World;

afterEach(async () => {
  await world.close();
});

interface Stage {
  phone: User;
  pc: User;
  pna: User;
  bob: User;
  dialog: WatcherDialog;
  /** Waits for Bob's n-th NOTIFY. */
  notify(n: number): Promise<SipRequest>;
}

/** The PS with the PNA configured as network agent; Bob subscribed to Alice (first NOTIFY received). */
async function stage(presence: ConfigInput['presence'] = {}): Promise<Stage> {
  world = await World.start({ presence: { networkAgents: [PNA], ...presence } });
  const phone = await world.user('alice', 'alice-phone');
  const pc = await world.user('alice', 'alice-pc');
  const pna = await world.user('pna');
  const bob = await world.user('bob');
  const { dialog } = await bob.subscribe(ALICE);
  await bob.nthNotify(dialog, 1);
  return { phone, pc, pna, bob, dialog, notify: (n) => bob.nthNotify(dialog, n) };
}

function doc(opts: Omit<BuildPidfOptions, 'entity'>): Buffer {
  return buildPidf({ entity: ALICE, ...opts });
}

/** Publishes and returns the entity tag, after moving the clock so each publication is newer (ms). */
async function publish(u: User, body: Buffer | undefined, extra: { ifMatch?: string; expires?: number } = {}): Promise<string> {
  world.clock.advance(1000);
  const res = await u.publish({ ...(body ? { body } : {}), ...extra, to: ALICE });
  assert.equal(res.status, 200, `${u.peer.name}: ${res.status} ${res.reason}`);
  return res.headers.get('SIP-ETag')!;
}

test('§5.1: phone, PC and network agent compose into one document: every tuple by id, one person, open first', async () => {
  const s = await stage();
  await publish(s.pc, doc({ tupleId: 'pc', basic: 'closed', personId: 'alice', activities: ['away'] }));
  await s.notify(2);
  await publish(s.phone, doc({ tupleId: 'phone', basic: 'open', personId: 'alice', activities: ['on-the-phone'] }));
  await s.notify(3);
  await publish(s.pna, doc({ tupleId: 'ims', basic: 'closed' }));
  const n = await s.notify(4);

  // The PNA's PUBLISH counts as the network's (presence.networkAgents).
  const sources = (await world.stores.publications.listAll()).map((p) => `${p.publisher}:${p.source}`).sort();
  assert.deepEqual(sources, [`${ALICE}:user`, `${ALICE}:user`, `${PNA}:network`]);
  // All three tuples, the open one first (some watchers read only the first), then newest first.
  assert.deepEqual(tuplesOf(n), ['phone=open', 'ims=closed', 'pc=closed']);
  // RFC 4479 §3.5: one person occurrence; of the two user publications of it the newer one wins.
  const persons = documentOf(n).persons;
  assert.deepEqual(persons.map((p) => [p.id, p.activities]), [['alice', ['on-the-phone']]]);
});

test('§5.1: within a source the newest publication wins; removing a publication removes its tuple', async () => {
  const s = await stage();
  const pcTag = await publish(s.pc, doc({ tupleId: 'pc', basic: 'open', personId: 'alice', activities: ['away'] }));
  await publish(s.phone, doc({ tupleId: 'phone', basic: 'open', personId: 'alice', activities: ['on-the-phone'] }));
  await publish(s.pna, doc({ tupleId: 'ims', basic: 'open' }));
  await s.notify(4);

  // The PC modifies its publication: now it is the newest of the user's, and its person wins.
  const pcTag2 = await publish(s.pc, doc({ tupleId: 'pc', basic: 'open', personId: 'alice', activities: ['meeting'] }), { ifMatch: pcTag });
  const afterModify = await s.notify(5);
  assert.deepEqual(documentOf(afterModify).persons.map((p) => p.activities), [['meeting']]);

  // The PC goes away (Expires 0): its tuple leaves the document, Bob is told.
  await publish(s.pc, undefined, { ifMatch: pcTag2, expires: 0 });
  const afterRemove = await s.notify(6);
  assert.deepEqual(tuplesOf(afterRemove).sort(), ['ims=open', 'phone=open']);
  // The person now comes from the phone's publication, the only user one left.
  assert.deepEqual(documentOf(afterRemove).persons.map((p) => p.activities), [['on-the-phone']]);
  await settle();
  assert.equal(s.bob.notifies(s.dialog).length, 6);
});

/** The same tuple id from the phone (open) and then, newer, from the network agent (closed). */
async function sameTupleFromUserAndNetwork(s: Stage): Promise<void> {
  await publish(s.phone, doc({ tupleId: 'alice-mobile', basic: 'open' }));
  assert.deepEqual(tuplesOf(await s.notify(2)), ['alice-mobile=open']);
  await publish(s.pna, doc({ tupleId: 'alice-mobile', basic: 'closed' }));
}

test('§5.1 precedence: by default the user\'s tuple wins over the network\'s with the same id, even if older', async () => {
  const s = await stage();
  await sameTupleFromUserAndNetwork(s);
  await settle();
  // The composed document did not change, so the network's publication sent no NOTIFY.
  assert.equal(s.bob.notifies(s.dialog).length, 2);
  const { dialog } = await s.bob.subscribe(ALICE);
  assert.deepEqual(tuplesOf(await s.bob.nthNotify(dialog, 1)), ['alice-mobile=open']);
});

test('§5.1 precedence is configurable: network before user lets the network\'s tuple win', async () => {
  const s = await stage({ precedence: ['network', 'user', 'external'] });
  await sameTupleFromUserAndNetwork(s);
  assert.deepEqual(tuplesOf(await s.notify(3)), ['alice-mobile=closed']);
});

test('RFC 3903 §6 order of arrival: of two PUBLISHes in the same millisecond with the same tuple id, the later wins', async () => {
  const s = await stage();
  // No clock movement between them: both carry the same wall-clock time.
  for (const [u, basic] of [[s.phone, 'open'], [s.pc, 'closed']] as const) {
    const res = await u.publish({ body: doc({ tupleId: 'alice-shared', basic }), to: ALICE });
    assert.equal(res.status, 200);
  }
  await settle();
  const { dialog } = await s.bob.subscribe(ALICE);
  assert.deepEqual(tuplesOf(await s.bob.nthNotify(dialog, 1)), ['alice-shared=closed']);
});
