import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PartialPublisher } from '../../src/cli/partial-updates.js';
import { tupleIdFor } from '../../src/cli/publish.js';
import { ClientPublication } from '../../src/events/publication/client-publication.js';
import { buildPidf, parsePidf } from '../../src/presence/pidf/index.js';
import type { Basic } from '../../src/presence/pidf/index.js';
import { PS } from './support/addresses.js';
import type { User } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * `presenced publish --partial` (issue 6 item 3, RFC 5264 §4.2) against the presence server: the
 * PartialPublisher the command runs publishes full state, then status deltas; when the server has lost
 * the publication (a 412 to a delta, RFC 3903 §5), the whole current state goes as an initial
 * publication in a <pidf-full>, not the delta again (which the server would refuse with 400, RFC 5264
 * §4.3.2).
 */

const ALICE = aorOf('alice');
let world: World;
let alice: User;

before(async () => {
  world = await World.start({ presence: { defaultSubHandling: 'allow' } });
  alice = await world.user('alice');
});

after(async () => {
  await world.close();
});

/** The basic statuses of Alice's stored publications, and their count. */
async function storedBasics(): Promise<Basic[]> {
  const pubs = await world.stores.publications.listByResource(ALICE, 'presence');
  return pubs.map((p) => {
    const r = parsePidf(p.body);
    assert.ok(r.ok);
    return r.value.tuples[0]!.basic!;
  });
}

test('a 412 to a status delta re-publishes the full current state as a <pidf-full>', async () => {
  const pub = new ClientPublication({
    transactions: alice.peer.transactions, target: PS, sentBy: { host: alice.peer.host, port: alice.peer.port },
    aor: ALICE, event: 'presence', expires: 600, clock: world.clock,
  });
  const sent: string[] = [];
  const document = (basic: Basic): Buffer => buildPidf({ entity: ALICE, tupleId: tupleIdFor(ALICE), basic, note: 'at work' });
  const partial = new PartialPublisher(pub, ALICE, tupleIdFor(ALICE), 'open', (basic) => {
    sent.push(basic);
    return document(basic);
  });
  try {
    await partial.start();
    assert.deepEqual(await storedBasics(), ['open']);
    const modified = await partial.change('closed');
    assert.deepEqual(await storedBasics(), ['closed']);
    assert.deepEqual(sent, ['open'], 'a delta while the entity tag holds');
    // The server loses the publication (here: removed with its entity tag by another request).
    const gone = await alice.publish({ ifMatch: modified.etag, expires: 0 });
    assert.equal(gone.status, 200);
    await settle();
    assert.deepEqual(await storedBasics(), []);
    const again = await partial.change('open');
    assert.notEqual(again.etag, modified.etag);
    assert.deepEqual(sent, ['open', 'open'], 'the full state was built for the re-publication');
    assert.deepEqual(await storedBasics(), ['open']);
    // Deltas go on against the new publication.
    await partial.change('closed');
    assert.deepEqual(await storedBasics(), ['closed']);
    assert.deepEqual(sent, ['open', 'open']);
    await pub.remove();
  } finally {
    pub.stop();
  }
});
