import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipResponse } from '../../src/sip/message/message.js';
import { buildPidf } from './support/presence-doc.js';
import type { User, WatcherDialog } from './support/user.js';
import { World, aorOf, settle, snapshot } from './support/world.js';

/**
 * DESIGN.md §4: "Every request that cannot be served gets the precise SIP error … and changes nothing."
 * Over the Annex A flows: Alice has published (A.2.3.4) and Bob watches her (A.2.2.1); each bad PUBLISH or
 * SUBSCRIBE gets its precise response, the stores hold exactly what they held before, and Bob is sent
 * nothing.
 */

const ALICE = aorOf('alice');
const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';
const MAX_DOCUMENT_BYTES = 2048;

let world: World;
let alice: User;
let bob: User;
let etag: string;
let bobs: WatcherDialog;

beforeEach(async () => {
  world = await World.start({ presence: { maxDocumentBytes: MAX_DOCUMENT_BYTES } });
  alice = await world.user('alice');
  bob = await world.user('bob');
  const pub = await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open' }) });
  assert.equal(pub.status, 200);
  etag = pub.headers.get('SIP-ETag')!;
  bobs = (await bob.subscribe(ALICE)).dialog;
  await bob.nthNotify(bobs, 1);
  await settle();
});

afterEach(async () => {
  await world.close();
});

/** Sends a bad request and checks that it changed nothing: same stores, no NOTIFY to Bob. */
async function rejected(send: () => Promise<SipResponse>): Promise<SipResponse> {
  const before = await snapshot(world.stores);
  const res = await send();
  await settle();
  assert.deepEqual(await snapshot(world.stores), before, 'the stored state is unchanged');
  assert.equal(bob.notifies(bobs).length, 1, 'no NOTIFY was sent');
  return res;
}

/** A PIDF document of Alice with `inner` as the content of <presence>. */
function pidf(inner: string, prolog = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${prolog}<presence xmlns="${PIDF_NS}" entity="${ALICE}">${inner}</presence>`;
}

describe('PUBLISH (RFC 3903 §6) with a bad document: 400 naming the defect', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not well-formed', pidf('<tuple id="t1"><status><basic>open</basic></status>'), /^PIDF: not well-formed XML/],
    ['a tuple without id', pidf('<tuple><status><basic>open</basic></status></tuple>'), /^PIDF: tuple without id$/],
    ['a basic status neither open nor closed', pidf('<tuple id="t1"><status><basic>maybe</basic></status></tuple>'), /^PIDF: invalid basic/],
    ['a root outside the PIDF namespace', `<presence entity="${ALICE}"><tuple id="t1"/></presence>`, /^PIDF: root element is not <presence>/],
    // XML guard: no DTD, so no entity expansion ("billion laughs") and no external entities.
    ['a DOCTYPE', pidf('<tuple id="t1"><status><basic>open</basic></status><note>&x;</note></tuple>', '<!DOCTYPE presence [<!ENTITY x "boom">]>'), /^PIDF: DOCTYPE not allowed$/],
  ];
  for (const [what, body, defect] of cases) {
    test(what, async () => {
      const res = await rejected(() => alice.publish({ body, ifMatch: etag }));
      assert.equal(res.status, 400);
      assert.match(res.reason, defect);
    });
  }
});

test('PUBLISH with a document over presence.maxDocumentBytes: 413', async () => {
  const big = buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open', note: 'x'.repeat(MAX_DOCUMENT_BYTES) });
  const res = await rejected(() => alice.publish({ body: big, ifMatch: etag }));
  assert.equal(res.status, 413);
});

test('PUBLISH of a type the presence package does not take: 415 with Accept (RFC 3903 §6 step 5)', async () => {
  const res = await rejected(() => alice.publish({ body: 'online', contentType: 'text/plain' }));
  assert.equal(res.status, 415);
  assert.equal(res.headers.get('Accept'), 'application/pidf+xml, application/pidf-diff+xml');
});

test('PUBLISH for an unknown event package: 489 with Allow-Events (RFC 3903 §6 step 2)', async () => {
  const res = await rejected(() => alice.publish({ body: buildPidf({ entity: ALICE, basic: 'open' }), event: 'dialog' }));
  assert.equal(res.status, 489);
  assert.match(res.headers.get('Allow-Events') ?? '', /\bpresence\b/);
});

test('PUBLISH without an Event header: 489 with Allow-Events (RFC 3903 §6 step 2)', async () => {
  const res = await rejected(() => alice.publish({ body: buildPidf({ entity: ALICE, basic: 'open' }), event: null }));
  assert.equal(res.status, 489);
  assert.match(res.headers.get('Allow-Events') ?? '', /\bpresence\b/);
});

test('PUBLISH with a SIP-If-Match that matches no publication of the presentity: 412 (RFC 3903 §6 step 3)', async () => {
  const unknown = await rejected(() => alice.publish({ body: buildPidf({ entity: ALICE, basic: 'closed' }), ifMatch: 'ps1.doesnotexist' }));
  assert.equal(unknown.status, 412);
  // Alice's entity tag, used by Bob for his own presence: no match among Bob's.
  const foreign = await rejected(() => bob.publish({ ifMatch: etag, expires: 600 }));
  assert.equal(foreign.status, 412);
});

test('PUBLISH of another presentity\'s presence by a user who is no configured agent: 403 (TS 23.141 A.2.3.4 step 4)', async () => {
  const res = await rejected(() => alice.publish({ to: aorOf('bob'), body: buildPidf({ entity: aorOf('bob'), basic: 'open' }) }));
  assert.equal(res.status, 403);
  assert.match(res.reason, /may not publish the presence of/);
});

test('PUBLISH with Expires below the minimum: 423 with Min-Expires (RFC 3903 §6 step 4)', async () => {
  for (const ifMatch of [undefined, etag]) {
    const res = await rejected(() => alice.publish({ body: buildPidf({ entity: ALICE, basic: 'closed' }), expires: 30, ...(ifMatch ? { ifMatch } : {}) }));
    assert.equal(res.status, 423);
    assert.equal(res.headers.get('Min-Expires'), '60');
  }
});

test('SUBSCRIBE with Expires below the minimum: 423 with Min-Expires (RFC 6665 §4.2.1.1), initial and refresh', async () => {
  const carol = await world.user('carol');
  const initial = await rejected(async () => (await carol.subscribe(ALICE, { expires: 30 })).res);
  assert.equal(initial.status, 423);
  assert.equal(initial.headers.get('Min-Expires'), '60');
  const refresh = await rejected(() => bob.resubscribe(bobs, { expires: 30 }));
  assert.equal(refresh.status, 423);
  assert.equal(refresh.headers.get('Min-Expires'), '60');
});

test('SUBSCRIBE for an unknown event package: 489 with Allow-Events (RFC 6665 §4.2.1.1)', async () => {
  const carol = await world.user('carol');
  const res = await rejected(async () => (await carol.subscribe(ALICE, { event: 'dialog' })).res);
  assert.equal(res.status, 489);
  assert.match(res.headers.get('Allow-Events') ?? '', /\bpresence\b/);
});

test('SUBSCRIBE in a dialog the PS does not know: 481 (RFC 3261 §12.2.2, RFC 6665 §4.2.1.2)', async () => {
  const res = await rejected(() => bob.resubscribe(bobs, { toTag: 'no-such-dialog', expires: 600 }));
  assert.equal(res.status, 481);
});
