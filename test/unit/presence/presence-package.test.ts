import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PIDF, PresencePackage } from '../../../src/presence/presence-package.js';
import type { SipRequest } from '../../../src/sip/message/message.js';
import { parseMessage } from '../../../src/sip/parser/parse-message.js';
import type { PublicationRecord } from '../../../src/store/ports.js';
import { pidf } from './pidf/helpers.js';

const ALICE = 'sip:alice@example.com';

/** A PUBLISH carrying `body` as PIDF (what the package's validate reads: its Content-Type). */
function publishRequest(body: Buffer): SipRequest {
  const head = [
    `PUBLISH ${ALICE} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1',
    `From: <${ALICE}>;tag=a`,
    `To: <${ALICE}>`,
    'Call-ID: c1',
    'CSeq: 1 PUBLISH',
    'Event: presence',
    `Content-Type: ${PIDF}`,
    `Content-Length: ${body.length}`,
    '',
    '',
  ].join('\r\n');
  const r = parseMessage(Buffer.concat([Buffer.from(head), body]));
  assert.ok(r.ok && r.message.kind === 'request');
  return r.message;
}

const tuple = (id: string, note: string): Buffer => pidf(`<tuple id="${id}"><status><basic>open</basic></status><note>${note}</note></tuple>`);

/**
 * A package over publications the test holds. Each stored body differs from the body validated for it
 * (its note says `stored` instead of `validated`), so a composed document shows which one was used: the
 * document parsed at validation, or the stored body parsed again.
 */
function setup() {
  const records: PublicationRecord[] = [];
  const pkg = new PresencePackage({
    policy: {
      defaultSubHandling: 'allow',
      subscriptionExpires: { default: 3600, min: 60, max: 86400 },
      publicationExpires: { default: 3600, min: 60, max: 86400 },
      maxDocumentBytes: 65536,
      precedence: ['user', 'network', 'external'],
    },
    publications: { list: () => Promise.resolve(records) },
  });
  let n = 0;
  /** Validates `validated`, stores `stored` under a new entity tag (replacing `replacing`), reports the change. */
  const publish = (id: string, replacing?: string): string => {
    const etag = `e${++n}`;
    const body = tuple(id, `validated ${n}`);
    pkg.publication.validate(body, PIDF, publishRequest(body), ALICE);
    const at = records.findIndex((r) => r.etag === replacing);
    if (at >= 0) records.splice(at, 1);
    records.push({
      etag, resource: ALICE, event: 'presence', expiresAt: Date.now() + 3_600_000, contentType: PIDF, body: tuple(id, `stored ${n}`),
      source: 'user', publisher: ALICE, createdAt: n, modifiedAt: n,
    });
    pkg.publicationsChanged(ALICE, replacing ? [replacing] : [], { etag, body });
    return etag;
  };
  const notes = async (): Promise<string[]> => [...(await pkg.document(ALICE)).toString().matchAll(/<note>([^<]*)<\/note>/g)].map((m) => m[1]!);
  return { pkg, records, publish, notes };
}

describe('PresencePackage: each published document parsed once', () => {
  test('a watched presentity composes from the documents parsed at validation, and a modify re-reads only its own', async () => {
    const { publish, notes } = setup();
    assert.deepEqual(await notes(), [], 'the watcher renders the empty document: the presentity has a composition');
    publish('home');
    assert.deepEqual(await notes(), ['validated 1'], 'the validated document, not the stored body parsed again');
    const work = publish('work');
    assert.deepEqual((await notes()).sort(), ['validated 1', 'validated 2']);
    publish('work', work);
    assert.deepEqual((await notes()).sort(), ['validated 1', 'validated 3'], 'home, unchanged, is not parsed again');
  });

  test('a presentity nobody watches keeps no parsed document: its first composition parses the stored bodies', async () => {
    const { publish, notes } = setup();
    publish('home');
    publish('work');
    assert.deepEqual((await notes()).sort(), ['stored 1', 'stored 2']);
    // Composed now, so from here on validated documents are kept.
    publish('mobile');
    assert.deepEqual((await notes()).sort(), ['stored 1', 'stored 2', 'validated 3']);
  });

  test('a document validated while nobody watched is not kept, even when a watcher came before it was stored', async () => {
    const { pkg, records, notes } = setup();
    const body = tuple('home', 'validated');
    pkg.publication.validate(body, PIDF, publishRequest(body), ALICE);
    assert.deepEqual(await notes(), [], 'a watcher arrives while the PUBLISH is being stored');
    records.push({
      etag: 'e1', resource: ALICE, event: 'presence', expiresAt: Date.now() + 3_600_000, contentType: PIDF, body: tuple('home', 'stored'),
      source: 'user', publisher: ALICE, createdAt: 1, modifiedAt: 1,
    });
    pkg.publicationsChanged(ALICE, [], { etag: 'e1', body });
    assert.deepEqual(await notes(), ['stored'], 'parsed from the store');
  });

  test('documents validated for PUBLISHes that stored nothing are not kept: a bounded number waits for its entity tag', async () => {
    const { pkg, records, publish, notes } = setup();
    assert.deepEqual(await notes(), []);
    const slow = tuple('slow', 'validated slow');
    pkg.publication.validate(slow, PIDF, publishRequest(slow), ALICE);
    // 200 PUBLISHes validated after it store nothing (e.g. Expires 0): the oldest documents make way.
    for (let i = 0; i < 200; i++) {
      const b = tuple(`x${i}`, 'never stored');
      pkg.publication.validate(b, PIDF, publishRequest(b), ALICE);
    }
    records.push({
      etag: 'slow', resource: ALICE, event: 'presence', expiresAt: Date.now() + 3_600_000, contentType: PIDF, body: tuple('slow', 'stored slow'),
      source: 'user', publisher: ALICE, createdAt: 0, modifiedAt: 0,
    });
    pkg.publicationsChanged(ALICE, [], { etag: 'slow', body: slow });
    assert.deepEqual(await notes(), ['stored slow'], 'no longer kept: parsed from the store');
    publish('home');
    assert.deepEqual((await notes()).sort(), ['stored slow', 'validated 1']);
  });

  test('a body that fails validation is refused as before and leaves nothing behind', () => {
    const { pkg } = setup();
    const bad = pidf('<tuple><status><basic>open</basic></status></tuple>');
    assert.throws(() => pkg.publication.validate(bad, PIDF, publishRequest(bad), ALICE), { status: 400, message: /tuple without id/ });
  });
});
