import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SipRequest } from '../../src/sip/message/message.js';
import { PIDF_DIFF } from '../../src/presence/partial/pidf-diff.js';
import { PartialWatcherCopy } from '../support/partial-watcher.js';
import { canonical } from '../unit/presence/partial/canonical.js';
import { buildPidf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * Partial notification (RFC 5263) and partial publication (RFC 5264) end to end: Bob accepts
 * application/pidf-diff+xml, Carol only PIDF; Alice publishes full and partial documents.
 */

const ALICE = aorOf('alice');
const ACCEPT_DIFF: Array<[string, string]> = [['Accept', PIDF_DIFF]];
const NS = 'xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff"';

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

/** Alice's document with ten tuples; `changed` gives tuple 4 another status. */
function tenTuples(changed = false): string {
  const tuples = Array.from({ length: 10 }, (_, i) =>
    `<tuple id="t${i}"><status><basic>${changed && i === 4 ? 'closed' : 'open'}</basic></status><contact priority="0.${i}">sip:alice-device-${i}@home1.net</contact><note>device number ${i} of Alice</note></tuple>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}">${tuples}</presence>`;
}

function contentType(n: SipRequest): string | undefined {
  return n.headers.get('Content-Type') ?? undefined;
}

describe('partial notification (RFC 5263)', () => {
  it('full state first, then diffs with versions up by one, full state again after a refresh; PIDF-only watchers get PIDF', async () => {
    const { dialog } = await bob.subscribe(ALICE, { headers: ACCEPT_DIFF });
    const { dialog: carolDialog } = await carol.subscribe(ALICE);
    const copy = new PartialWatcherCopy();
    const first = await bob.nthNotify(dialog, 1);
    assert.equal(contentType(first), PIDF_DIFF);
    copy.receive(first.body);
    // RFC 5263 §4.4: the first document is a <pidf-full> with version 1.
    assert.deepEqual([copy.kinds, copy.version], [['full'], 1]);

    const pub = await alice.publish({ body: tenTuples(), expires: 600 });
    assert.equal(pub.status, 200);
    copy.receive((await bob.nthNotify(dialog, 2)).body);
    assert.equal(canonical(copy.document!), canonical((await carol.nthNotify(carolDialog, 2)).body));

    await alice.publish({ body: tenTuples(true), ifMatch: pub.headers.get('SIP-ETag')!, expires: 600 });
    const third = await bob.nthNotify(dialog, 3);
    const carolThird = await carol.nthNotify(carolDialog, 3);
    assert.equal(contentType(carolThird), 'application/pidf+xml');
    copy.receive(third.body);
    assert.equal(copy.kinds[2], 'diff');
    // Composition puts the closed tuple last: it is moved (removed and added), nothing else is sent.
    assert.equal(third.body.toString().match(/<p:(add|remove|replace) /g)?.length, 2);
    // A moved tuple costs a <remove> and an <add>; still well under half the full document.
    assert.ok(third.body.length * 3 <= carolThird.body.length, `${third.body.length} vs ${carolThird.body.length}`);
    assert.equal(canonical(copy.document!), canonical(carolThird.body));

    // RFC 5263 §4.4: a refresh gets full state; the version goes on (not reset by a refresh).
    assert.equal((await bob.resubscribe(dialog, { expires: 600, headers: ACCEPT_DIFF })).status, 200);
    copy.receive((await bob.nthNotify(dialog, 4)).body);
    assert.deepEqual([copy.kinds[3], copy.version], ['full', 4]);
    await settle();
    const [stored] = (await world.stores.subscriptions.listAll()).filter((s) => s.watcher === bob.aor);
    assert.equal(stored!.extra?.['pidfDiffVersion'], 4);
  });

  it('a NOTIFY that was not delivered is followed by full state at the next version', async () => {
    const { dialog } = await bob.subscribe(ALICE, { headers: ACCEPT_DIFF });
    const copy = new PartialWatcherCopy();
    copy.receive((await bob.nthNotify(dialog, 1)).body);
    const pub = await alice.publish({ body: tenTuples(), expires: 600 });
    copy.receive((await bob.nthNotify(dialog, 2)).body);
    bob.answerNotifiesWith(dialog, 500);
    await alice.publish({ body: tenTuples(true), ifMatch: pub.headers.get('SIP-ETag')!, expires: 600 });
    await bob.nthNotify(dialog, 3);
    await settle();
    bob.answerNotifiesWith(dialog, 200);
    await alice.publish({ body: tenTuples(), ifMatch: (await world.stores.publications.listAll())[0]!.etag, expires: 600 });
    const fourth = await bob.nthNotify(dialog, 4);
    copy.receive(fourth.body);
    assert.deepEqual([copy.kinds[2], copy.version], ['full', 3]);
  });

  it('after a restart, the next document is full state at the stored version plus one', async () => {
    const { dialog } = await bob.subscribe(ALICE, { headers: ACCEPT_DIFF });
    const copy = new PartialWatcherCopy();
    copy.receive((await bob.nthNotify(dialog, 1)).body);
    const pub = await alice.publish({ body: tenTuples(), expires: 600 });
    copy.receive((await bob.nthNotify(dialog, 2)).body);
    await world.restart();
    await alice.publish({ body: tenTuples(true), ifMatch: pub.headers.get('SIP-ETag')!, expires: 600 });
    copy.receive((await bob.nthNotify(dialog, 3)).body);
    assert.deepEqual([copy.kinds[2], copy.version], ['full', 3]);
  });
});

describe('partial publication (RFC 5264)', () => {
  const full = `<p:pidf-full ${NS} entity="${ALICE}"><tuple id="a"><status><basic>open</basic></status></tuple><tuple id="b"><status><basic>open</basic></status></tuple></p:pidf-full>`;
  const diff = (sel: string): string => `<p:pidf-diff ${NS} entity="${ALICE}"><p:replace sel="${sel}">closed</p:replace></p:pidf-diff>`;

  it('a <pidf-full> then a <pidf-diff> with SIP-If-Match patch the publication; errors change nothing', async () => {
    // RFC 5264 §4.3.2: a <pidf-diff> in an initial publication MUST be rejected (400).
    const initialDiff = await alice.publish({ body: diff("*/tuple[@id='a']/status/basic/text()"), contentType: PIDF_DIFF, expires: 600 });
    assert.equal(initialDiff.status, 400);
    assert.match(initialDiff.reason, /Invalid Partial Publication/);
    assert.deepEqual(await world.stores.publications.listAll(), []);

    const first = await alice.publish({ body: full, contentType: PIDF_DIFF, expires: 600 });
    assert.equal(first.status, 200);
    const etag = first.headers.get('SIP-ETag')!;
    const [stored1] = await world.stores.publications.listAll();
    // The publication is stored as the PIDF document it stands for (RFC 5264 §4.3.1).
    assert.equal(stored1!.contentType, 'application/pidf+xml');

    // RFC 5264 §4.3.2: an operation that cannot be applied gets 400 and the stored document stays.
    const bad = await alice.publish({ body: diff("*/tuple[@id='zz']/status/basic/text()"), contentType: PIDF_DIFF, ifMatch: etag, expires: 600 });
    assert.equal(bad.status, 400);
    assert.deepEqual(await world.stores.publications.listAll(), [stored1]);
    // RFC 3903 §6 step 3: an unknown entity tag is 412.
    assert.equal((await alice.publish({ body: diff("*/tuple[@id='a']/status/basic/text()"), contentType: PIDF_DIFF, ifMatch: 'nope', expires: 600 })).status, 412);

    const patched = await alice.publish({ body: diff("*/tuple[@id='a']/status/basic/text()"), contentType: PIDF_DIFF, ifMatch: etag, expires: 600 });
    assert.equal(patched.status, 200);
    const [stored2] = await world.stores.publications.listAll();
    assert.match(stored2!.body.toString(), /<tuple id="a"><status><basic>closed<\/basic>/);
    assert.match(stored2!.body.toString(), /<tuple id="b"><status><basic>open<\/basic>/);
    // A patch whose result is not PIDF (RFC 3863 §4.1.4: basic is open or closed) is refused too.
    const invalid = await alice.publish({ body: diff("*/tuple[@id='b']/status/basic/text()").replace('>closed<', '>maybe<'), contentType: PIDF_DIFF, ifMatch: patched.headers.get('SIP-ETag')!, expires: 600 });
    assert.equal(invalid.status, 400);
    assert.deepEqual(await world.stores.publications.listAll(), [stored2]);
  });

  it('a PIDF publication can be patched too, and watchers see the result', async () => {
    const { dialog } = await carol.subscribe(ALICE);
    const pub = await alice.publish({ body: buildPidf({ entity: ALICE, tupleId: 'a', basic: 'open' }), expires: 600 });
    await carol.nthNotify(dialog, 2);
    const patched = await alice.publish({ body: diff("*/tuple[@id='a']/status/basic/text()"), contentType: PIDF_DIFF, ifMatch: pub.headers.get('SIP-ETag')!, expires: 600 });
    assert.equal(patched.status, 200);
    assert.match((await carol.nthNotify(dialog, 3)).body.toString(), /<basic>closed<\/basic>/);
  });
});
