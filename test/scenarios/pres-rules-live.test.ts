import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, documentOf, stateOf, tuplesOf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * Issue 4 item 6 and TS 23.141 A.2.5 steps 6-8 end to end over SIP and HTTP in one process: Alice's PUA
 * changes her pres-rules with XCAP (RFC 4825, RFC 5025) and the change reaches Bob's existing
 * subscription at once, without any new SUBSCRIBE: pending to active sends the allowed view, a
 * transformation change sends the new view, active to blocked ends it with reason=rejected.
 */

const ALICE = aorOf('alice');
const BOB = aorOf('bob');

let world: World;
let alice: User;
let bob: User;

afterEach(async () => {
  await world.close();
});

/** A pres-rules document giving Bob `handling` and, when allowed, the services with `extra` attributes. */
function rules(handling: 'allow' | 'block' | 'polite-block', extra = '<pr:provide-all-attributes/>'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
  <cr:rule id="bob">
    <cr:conditions><cr:identity><cr:one id="${BOB}"/></cr:identity></cr:conditions>
    <cr:actions><pr:sub-handling>${handling}</pr:sub-handling></cr:actions>
    <cr:transformations>
      <pr:provide-services><pr:all-services/></pr:provide-services>
      <pr:provide-persons><pr:all-persons/></pr:provide-persons>
      ${extra}
    </cr:transformations>
  </cr:rule>
</cr:ruleset>
`;
}

/** Alice's PUA writes her pres-rules document over XCAP (auth none: the URL names the user). */
async function putRules(body: string): Promise<number> {
  const res = await world.server.http!.inject({
    method: 'PUT',
    url: `/xcap/pres-rules/users/${encodeURIComponent(ALICE)}/index`,
    headers: { 'content-type': 'application/auth-policy+xml' },
    payload: body,
  });
  assert.ok(res.statusCode === 200 || res.statusCode === 201, `${res.statusCode} ${res.body}`);
  return res.statusCode;
}

async function stage(): Promise<void> {
  world = await World.start({ presence: { defaultSubHandling: 'confirm' } });
  alice = await world.user('alice');
  bob = await world.user('bob');
  const published = await alice.publish({
    body: buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open', note: 'in Paris' }),
  });
  assert.equal(published.status, 200);
}

test('pending to active: a rule allowing Bob sends him Alice\'s presence at once', async () => {
  await stage();
  const { dialog } = await bob.subscribe(ALICE, { expires: 600 });
  assert.equal(stateOf(await bob.nthNotify(dialog, 1)), 'pending;expires=600');

  assert.equal(await putRules(rules('allow')), 201);
  const second = await bob.nthNotify(dialog, 2);
  assert.match(stateOf(second), /^active;expires=/);
  assert.deepEqual(tuplesOf(second), ['alice-phone=open']);
  assert.equal(documentOf(second).tuples[0]!.notes[0]?.text, 'in Paris');
});

test('a transformation change sends the new view; a blocked watcher is ended with reason=rejected', async () => {
  await stage();
  await putRules(rules('allow'));
  const { dialog } = await bob.subscribe(ALICE, { expires: 600 });
  const first = await bob.nthNotify(dialog, 1);
  assert.equal(documentOf(first).tuples[0]!.notes[0]?.text, 'in Paris');

  // Without provide-note (nor provide-all-attributes) Bob no longer sees the note (RFC 5025 §3.3.14).
  await putRules(rules('allow', ''));
  const second = await bob.nthNotify(dialog, 2);
  assert.deepEqual(tuplesOf(second), ['alice-phone=open']);
  assert.doesNotMatch(second.body.toString(), /Paris/);

  await putRules(rules('block'));
  const third = await bob.nthNotify(dialog, 3);
  assert.equal(stateOf(third), 'terminated;reason=rejected');
  assert.doesNotMatch(third.body.toString(), /Paris|alice-phone/);
  await settle();
  assert.equal(await world.stores.subscriptions.get(dialog.remoteTag), undefined);
});

test('polite blocking: Bob\'s subscription stays active but shows nothing real (RFC 3856 §6.6)', async () => {
  await stage();
  await putRules(rules('polite-block'));
  const { res, dialog } = await bob.subscribe(ALICE, { expires: 600 });
  assert.equal(res.status, 200);
  const first = await bob.nthNotify(dialog, 1);
  assert.match(stateOf(first), /^active;expires=/);
  assert.doesNotMatch(first.body.toString(), /Paris|alice-phone|open/);
});
