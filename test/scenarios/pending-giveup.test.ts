import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, stateOf, tuplesOf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * Issue 4 item 4: a subscription not yet authorised is held pending until the rules change or the
 * configured timer (presence.pendingTimeoutSeconds) expires, then ended with reason=giveup (RFC 6665
 * §4.1.3: "the notifier could not obtain authorization in a timely fashion"; RFC 3857 §4.7.1). Bob
 * refreshes while pending: the timer runs from his first SUBSCRIBE all the same.
 */

const ALICE = aorOf('alice');

let world: World;
let alice: User;
let bob: User;

afterEach(async () => {
  await world.close();
});

async function stage(): Promise<void> {
  world = await World.start({ presence: { defaultSubHandling: 'confirm', pendingTimeoutSeconds: 7200 } });
  alice = await world.user('alice');
  bob = await world.user('bob');
  assert.equal((await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open' }) })).status, 200);
}

test('Bob, never approved, is held pending through his refreshes, then ended with reason=giveup', async () => {
  await stage();
  const { res, dialog } = await bob.subscribe(ALICE, { expires: 3600 });
  assert.equal(res.status, 200);
  assert.equal(stateOf(await bob.nthNotify(dialog, 1)), 'pending;expires=3600');

  await world.elapse(3000);
  assert.equal((await bob.resubscribe(dialog, { expires: 3600 })).status, 200);
  assert.equal(stateOf(await bob.nthNotify(dialog, 2)), 'pending;expires=3600');

  await world.elapse(3000);
  assert.equal((await bob.resubscribe(dialog, { expires: 3600 })).status, 200);
  assert.equal(stateOf(await bob.nthNotify(dialog, 3)), 'pending;expires=3600');

  await world.elapse(1199);
  assert.equal(bob.notifies(dialog).length, 3);
  await world.elapse(1);
  const last = await bob.nthNotify(dialog, 4);
  assert.equal(stateOf(last), 'terminated;reason=giveup');
  assert.doesNotMatch(last.body.toString(), /alice-phone/);
  await settle();
  assert.deepEqual(await world.stores.subscriptions.listAll(), []);
  // The subscription is gone: a refresh finds no dialog.
  assert.equal((await bob.resubscribe(dialog, { expires: 3600 })).status, 481);
});

test('approved before the timer runs out, Bob stays subscribed past it', async () => {
  await stage();
  const { dialog } = await bob.subscribe(ALICE, { expires: 3600 });
  await bob.nthNotify(dialog, 1);
  await world.elapse(600);
  const res = await world.server.http!.inject({
    method: 'PUT',
    url: `/xcap/pres-rules/users/${encodeURIComponent(ALICE)}/index`,
    headers: { 'content-type': 'application/auth-policy+xml' },
    payload: `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
  <cr:rule id="bob">
    <cr:conditions><cr:identity><cr:one id="${aorOf('bob')}"/></cr:identity></cr:conditions>
    <cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions>
    <cr:transformations><pr:provide-services><pr:all-services/></pr:provide-services></cr:transformations>
  </cr:rule>
</cr:ruleset>
`,
  });
  assert.equal(res.statusCode, 201, res.body);
  const active = await bob.nthNotify(dialog, 2);
  assert.match(stateOf(active), /^active;/);
  assert.deepEqual(tuplesOf(active), ['alice-phone=open']);

  await world.elapse(2400);
  assert.equal((await bob.resubscribe(dialog, { expires: 3600 })).status, 200);
  assert.match(stateOf(await bob.nthNotify(dialog, 3)), /^active;/);
  await world.elapse(3000);
  assert.equal((await bob.resubscribe(dialog, { expires: 3600 })).status, 200);
  assert.match(stateOf(await bob.nthNotify(dialog, 4)), /^active;/);
  // Past the time a pending subscription would have been given up (7200 s after the first SUBSCRIBE).
  // (Alice's publication expired meanwhile: that is notified, but nothing ends the subscription.)
  await world.elapse(2000);
  for (const n of bob.notifies(dialog).slice(1)) assert.match(stateOf(n), /^active;/);
  assert.equal((await world.stores.subscriptions.get(dialog.remoteTag))?.state, 'active');
});
