import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PresRulesAuthorizer } from '../../../../src/presence/authorization/authorizer.js';
import { ANONYMOUS_WATCHER } from '../../../../src/presence/authorization/model.js';
import { PIDF, PresencePackage } from '../../../../src/presence/presence-package.js';
import type { PresencePolicy } from '../../../../src/presence/presence-package.js';
import { MemoryStores } from '../../../../src/store/memory/memory-stores.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { parseOk, pidf } from '../pidf/helpers.js';
import { MemorySource, ones, rule, ruleset } from './helpers.js';

const ALICE = 'sip:alice@example.com';
const stores = new MemoryStores();
after(() => stores.close());

const policy = (defaultSubHandling: PresencePolicy['defaultSubHandling']): PresencePolicy => ({
  defaultSubHandling,
  subscriptionExpires: { default: 3600, min: 60, max: 86400 },
  publicationExpires: { default: 3600, min: 60, max: 86400 },
  maxDocumentBytes: 65536,
  precedence: ['user', 'network', 'external'],
});

let published = 0;
/** Alice publishes a document with a work tuple, a home tuple and a person with a mood. */
async function publish(note = 'At my desk'): Promise<void> {
  const body = pidf(
    `<tuple id="work"><status><basic>open</basic></status><rpid:class>work</rpid:class><contact>sip:alice@pc.example.com</contact><note>${note}</note></tuple>` +
      '<tuple id="home"><status><basic>closed</basic></status><rpid:class>home</rpid:class></tuple>' +
      '<dm:person id="p"><rpid:mood><rpid:happy/></rpid:mood></dm:person>',
  );
  const now = Date.now() + published++;
  for (const r of await stores.publications.listByResource(ALICE, 'presence')) await stores.publications.remove(r.etag);
  await stores.publications.put({
    etag: `e${published}`, resource: ALICE, event: 'presence', expiresAt: now + 3_600_000, contentType: PIDF, body,
    source: 'user', publisher: ALICE, createdAt: now, modifiedAt: now,
  });
}

function subscription(watcher: string, state: SubscriptionRecord['state'] = 'active'): SubscriptionRecord {
  return {
    id: `s-${watcher}`, resource: ALICE, event: 'presence', state, watcher, callId: 'c', localTag: 'l', remoteTag: 'r',
    localUri: ALICE, remoteUri: watcher, remoteTarget: 'sip:w@192.0.2.1', routeSet: [], localCSeq: 1, remoteCSeq: 1,
    secure: false, accept: [PIDF], expiresAt: Date.now() + 3_600_000, createdAt: Date.now(),
  };
}

const RULES = ruleset(
  rule('colleagues', '<cr:identity><cr:many domain="work.example"/></cr:identity>', 'allow', '<pr:provide-services><pr:class>work</pr:class></pr:provide-services><pr:provide-note>true</pr:provide-note>') +
    rule('family', ones('sip:mum@home.example'), 'allow', '<pr:provide-services><pr:all-services/></pr:provide-services><pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-mood>true</pr:provide-mood>') +
    rule('ex', ones('sip:ex@example.com'), 'polite-block') +
    rule('unknown', ones('sip:maybe@example.com'), 'confirm') +
    rule('anonymous', '<ocp:anonymous-request/>', 'block'),
);

function setup(defaultSubHandling: PresencePolicy['defaultSubHandling'] = 'allow') {
  const source = new MemorySource();
  source.docs.set(ALICE, RULES);
  const authorizer = new PresRulesAuthorizer({ source, clock: new FakeClock(), order: 'rfc4745' });
  const pkg = new PresencePackage({ policy: policy(defaultSubHandling), publications: { list: (r, e) => stores.publications.listByResource(r, e) }, authorizer });
  return { source, authorizer, pkg };
}

test('authorize: the rules sub-handling as the subscription state; the presentity itself always; the default without rules', async () => {
  await publish();
  const { pkg, source, authorizer } = setup('confirm');
  const decision = (w: string) => pkg.authorize({ record: subscription(w) });
  assert.equal(await decision('sip:bob@work.example'), 'active');
  assert.equal(await decision('sip:maybe@example.com'), 'pending');
  assert.equal(await decision('sip:ex@example.com'), 'polite-block');
  assert.equal(await decision('sip:stranger@example.org'), 'rejected', 'RFC 5025 §3.2.1: no matching rule is block');
  assert.equal(await decision(ANONYMOUS_WATCHER), 'rejected');
  assert.equal(await decision(ALICE), 'active');
  source.docs.delete(ALICE);
  authorizer.invalidate(ALICE);
  assert.equal(await decision('sip:stranger@example.org'), 'pending', 'without a document, the configured default');
});

test('render: each watcher its view; polite-block and not-yet-applied refusals reveal nothing; pending says pending', async () => {
  await publish();
  const { pkg } = setup();
  const render = async (w: string, state: SubscriptionRecord['state'] = 'active') => {
    const b = await pkg.render({ record: subscription(w, state) });
    assert.equal(b.contentType, PIDF);
    return parseOk(b.body);
  };
  const colleague = await render('sip:bob@work.example');
  assert.deepEqual(colleague.tuples.map((t) => [t.id, t.basic, t.notes[0]?.text]), [['work', 'open', 'At my desk']]);
  assert.equal(colleague.persons.length, 0);
  const mum = await render('sip:mum@home.example');
  assert.deepEqual(mum.tuples.map((t) => t.id), ['work', 'home']);
  assert.deepEqual(mum.persons.map((p) => p.mood), [['happy']]);
  assert.deepEqual(mum.tuples[0]!.notes, [], 'no provide-note for mum');
  for (const w of ['sip:ex@example.com', 'sip:maybe@example.com', 'sip:stranger@example.org']) {
    const view = await render(w);
    assert.deepEqual(view.tuples.map((t) => [t.id, t.basic, t.contact, t.notes.length]), [['offline', 'closed', undefined, 0]], w);
    assert.equal(view.persons.length, 0);
  }
  const pending = await render('sip:maybe@example.com', 'pending');
  assert.match(pending.tuples[0]!.notes[0]!.text, /pending/i);
  const self = await render(ALICE);
  assert.deepEqual([self.tuples.length, self.persons.length], [2, 1]);
});

test('one rendering per permission set and composed document; a publication or rule change renders anew', async () => {
  await publish();
  const { pkg, source, authorizer } = setup();
  const body = async (w: string) => (await pkg.render({ record: subscription(w) })).body;
  const a = await body('sip:bob@work.example');
  assert.equal(await body('sip:carol@work.example'), a, 'the same Buffer: transformed once');
  assert.notEqual(await body('sip:mum@home.example'), a);
  await publish('In a meeting');
  pkg.publicationsChanged(ALICE);
  const b = await body('sip:bob@work.example');
  assert.match(b.toString(), /In a meeting/);
  // The presentity hides the notes from colleagues: after invalidate, the next render has none.
  source.docs.set(ALICE, ruleset(rule('colleagues', '<cr:identity><cr:many domain="work.example"/></cr:identity>', 'allow', '<pr:provide-services><pr:class>work</pr:class></pr:provide-services>')));
  assert.match((await body('sip:bob@work.example')).toString(), /In a meeting/, 'cached until invalidated');
  authorizer.invalidate(ALICE);
  assert.doesNotMatch((await body('sip:bob@work.example')).toString(), /In a meeting/);
});

test('without an authorizer: the configured default for every watcher and the whole document (unchanged behaviour)', async () => {
  await publish();
  const pkg = new PresencePackage({ policy: policy('allow'), publications: { list: (r, e) => stores.publications.listByResource(r, e) } });
  assert.equal(await pkg.authorize({ record: subscription('sip:anyone@example.org') }), 'active');
  const doc = parseOk((await pkg.render({ record: subscription('sip:anyone@example.org') })).body);
  assert.deepEqual([doc.tuples.length, doc.persons.length], [2, 1]);
  assert.equal((await pkg.render({ record: subscription('sip:anyone@example.org') })).body, await pkg.document(ALICE));
  const blocking = new PresencePackage({ policy: policy('block'), publications: { list: (r, e) => stores.publications.listByResource(r, e) } });
  assert.equal(await blocking.authorize({ record: subscription('sip:anyone@example.org') }), 'rejected');
});
