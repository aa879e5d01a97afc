import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, documentOf, stateOf, tuplesOf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { World, aorOf } from './support/world.js';

/**
 * Issue 4 item 2, RFC 4827: Alice's hard-state presence, her pidf-manipulation document written over
 * XCAP (users/<aor>/index, §9), is one input of her composed document next to what her PUAs publish
 * (§3); a change of it reaches her watchers at once, and deleting it takes its tuples away.
 */

const ALICE = aorOf('alice');
const HARD_STATE = `/xcap/pidf-manipulation/users/${encodeURIComponent(ALICE)}/index`;

let world: World;
let alice: User;
let bob: User;

afterEach(async () => {
  await world.close();
});

/** Alice's XCAP client writes (or removes) her hard state (auth none: the URL names the user). */
async function xcap(method: 'PUT' | 'DELETE', body?: Buffer): Promise<number> {
  const res = await world.server.http!.inject({
    method,
    url: HARD_STATE,
    ...(body ? { headers: { 'content-type': 'application/pidf+xml' }, payload: body } : {}),
  });
  return res.statusCode;
}

async function stage(): Promise<void> {
  world = await World.start();
  alice = await world.user('alice');
  bob = await world.user('bob');
}

test('hard state is composed with published soft state, notified on change, gone when deleted', async () => {
  await stage();
  const { dialog } = await bob.subscribe(ALICE, { expires: 3600 });
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 1)), []);

  // RFC 4827 §11: away, reachable by e-mail only — with no device publishing, the sole input.
  const email = buildPidf({ entity: ALICE, tupleId: 'alice-email', basic: 'open', note: 'on vacation: e-mail only' });
  assert.equal(await xcap('PUT', email), 201);
  const hard = await bob.nthNotify(dialog, 2);
  assert.match(stateOf(hard), /^active;/);
  assert.deepEqual(tuplesOf(hard), ['alice-email=open']);
  assert.equal(documentOf(hard).tuples[0]!.notes[0]!.text, 'on vacation: e-mail only');

  // Her phone publishes: both inputs are in the composed document.
  const published = await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'closed' }) });
  assert.equal(published.status, 200);
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 3)).sort(), ['alice-email=open', 'alice-phone=closed']);

  // Deleting the document takes its tuple away; the published one stays.
  assert.equal(await xcap('DELETE'), 200);
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 4)), ['alice-phone=closed']);
});

test('on the same tuple id the more recent of hard and soft state wins', async () => {
  await stage();
  const published = await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open' }) });
  assert.equal(published.status, 200);
  const { dialog } = await bob.subscribe(ALICE, { expires: 3600 });
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 1)), ['alice-phone=open']);
  await world.elapse(10);
  assert.equal(await xcap('PUT', buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'closed' })), 201);
  assert.deepEqual(tuplesOf(await bob.nthNotify(dialog, 2)), ['alice-phone=closed']);
});
