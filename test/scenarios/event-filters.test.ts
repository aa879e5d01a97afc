import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipRequest, SipResponse } from '../../src/sip/message/message.js';
import { newTag } from '../../src/util/ids.js';
import { PS } from './support/addresses.js';
import { PIDF, documentOf, tuplesOf } from './support/presence-doc.js';
import type { User, WatcherDialog } from './support/user.js';
import { World, aorOf, settle, snapshot } from './support/world.js';

/**
 * Issue 6 item 1 end to end over LOOP: Bob (or Alice) subscribes with an application/simple-filter+xml
 * body (RFC 4660, RFC 4661) and gets only what the filter selects, only when its triggers fire; the TS
 * 23.141 §5.1 examples; filters changed and removed by refreshes; a filter that cannot be applied is
 * refused with 488 and changes nothing; a filter never shows more than the pres-rules grant.
 */

const ALICE = aorOf('alice');
const BOB = aorOf('bob');
const PNA = aorOf('pna');
const FILTER = 'application/simple-filter+xml';

let world: World;
afterEach(async () => {
  await world.close();
});

function filterSet(filter: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter" xmlns:pf="urn:presenced:params:xml:ns:simple-filter-ext">
  <ns-bindings>
    <ns-binding prefix="pidf" urn="urn:ietf:params:xml:ns:pidf"/>
    <ns-binding prefix="op" urn="urn:oma:xml:prs:pidf:oma-pres"/>
  </ns-bindings>
  ${filter}
</filter-set>`;
}

/** Alice's document: an IM tuple (OMA service-description), a telephony tuple, a note in each. */
function aliceDoc(imBasic = 'open', telBasic = 'open', note = 'hello'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:op="urn:oma:xml:prs:pidf:oma-pres" entity="${ALICE}">
  <tuple id="im"><status><basic>${imBasic}</basic></status>
    <op:service-description><op:service-id>org.openmobilealliance:IM-session</op:service-id><op:version>1.0</op:version></op:service-description>
    <contact>im:alice@home1.net</contact><note>${note}</note></tuple>
  <tuple id="tel"><status><basic>${telBasic}</basic></status><contact>tel:+16305551212</contact><note>${note}</note></tuple>
</presence>`;
}

/** An initial SUBSCRIBE from `u` to `presentity` carrying `body` as a filter. */
async function subscribeWith(u: User, presentity: string, body: string | undefined): Promise<{ res: SipResponse; dialog: WatcherDialog }> {
  const localTag = newTag();
  const headers: Array<[string, string]> = [['From', `<${u.aor}>;tag=${localTag}`], ['Contact', u.contact], ['Event', 'presence'], ['Accept', PIDF]];
  if (body !== undefined) headers.push(['Content-Type', FILTER]);
  const req = u.peer.request('SUBSCRIBE', presentity, headers, body);
  const res = await u.peer.send(req, PS);
  const remoteTag = /;tag=([^;]+)/.exec(res.headers.get('To') ?? '')?.[1] ?? '';
  return { res, dialog: { presentity, event: 'presence', callId: req.headers.get('Call-ID')!, localTag, remoteTag, cseq: 1 } };
}

/** A refreshing SUBSCRIBE in `d`, with a filter body or none. */
function refreshWith(u: User, d: WatcherDialog, body: string | undefined): Promise<SipResponse> {
  d.cseq += 1;
  const headers: Array<[string, string]> = [
    ['From', `<${u.aor}>;tag=${d.localTag}`], ['To', `<${d.presentity}>;tag=${d.remoteTag}`], ['Call-ID', d.callId],
    ['CSeq', `${d.cseq} SUBSCRIBE`], ['Contact', u.contact], ['Event', 'presence'], ['Accept', PIDF],
  ];
  if (body !== undefined) headers.push(['Content-Type', FILTER]);
  return u.peer.send(u.peer.request('SUBSCRIBE', d.presentity, headers, body), PS);
}

async function publish(u: User, body: string, ifMatch?: string): Promise<string> {
  world.clock.advance(1000);
  const res = await u.publish({ body, to: ALICE, ...(ifMatch ? { ifMatch } : {}) });
  assert.equal(res.status, 200, `${res.status} ${res.reason}`);
  return res.headers.get('SIP-ETag')!;
}

/** Alice has published; Bob subscribes with `filter` and gets his first NOTIFY. */
async function stage(filter: string, presence: Parameters<typeof World.start>[0] = {}): Promise<{ alice: User; bob: User; dialog: WatcherDialog; etag: string; first: SipRequest }> {
  world = await World.start({ presence: { defaultSubHandling: 'allow' }, ...presence });
  const alice = await world.user('alice');
  const bob = await world.user('bob');
  const etag = await publish(alice, aliceDoc());
  const { res, dialog } = await subscribeWith(bob, ALICE, filterSet(filter));
  assert.equal(res.status, 200, `${res.status} ${res.reason}`);
  return { alice, bob, dialog, etag, first: await bob.nthNotify(dialog, 1) };
}

test('TS 23.141 §5.1: all tuples whose contact is tel:+16305551212, with everything in them', async () => {
  const s = await stage('<filter id="tel"><what><include>//pidf:tuple[pidf:contact="tel:+16305551212"]</include></what></filter>');
  assert.deepEqual(tuplesOf(s.first), ['tel=open']);
  assert.equal(documentOf(s.first).tuples[0]!.notes[0]!.text, 'hello');
  // A change of the IM tuple only changes nothing Bob sees: no NOTIFY.
  await publish(s.alice, aliceDoc('closed'), s.etag);
  await settle(60);
  assert.equal(s.bob.notifies(s.dialog).length, 1);
});

test('TS 23.141 §5.1: only instant messaging (by OMA service-description)', async () => {
  const s = await stage('<filter id="im"><what><include>//pidf:tuple[op:service-description/op:service-id="org.openmobilealliance:IM-session"]</include></what></filter>');
  assert.deepEqual(tuplesOf(s.first), ['im=open']);
  assert.equal(documentOf(s.first).tuples[0]!.contact?.uri, 'im:alice@home1.net');
});

test('TS 23.141 §5.1: notify only when the communication means status changes (trigger on basic)', async () => {
  const s = await stage('<filter id="basic"><trigger><changed>//pidf:tuple/pidf:status/pidf:basic</changed></trigger></filter>');
  // RFC 4660 §5.3.1: the first NOTIFY ignores the triggers and carries the whole (authorised) state.
  assert.deepEqual(tuplesOf(s.first), ['im=open', 'tel=open']);
  let etag = await publish(s.alice, aliceDoc('open', 'open', 'a new note'), s.etag);
  await settle(60);
  assert.equal(s.bob.notifies(s.dialog).length, 1, 'a note change fires no trigger');
  etag = await publish(s.alice, aliceDoc('open', 'closed', 'a new note'), etag);
  const second = await s.bob.nthNotify(s.dialog, 2);
  assert.deepEqual(tuplesOf(second), ['im=open', 'tel=closed']);
  assert.equal(documentOf(second).tuples[0]!.notes[0]!.text, 'a new note');
  await publish(s.alice, aliceDoc('open', 'closed', 'again'), etag);
  await settle(60);
  assert.equal(s.bob.notifies(s.dialog).length, 2);
});

test('TS 23.141 §5.1: do not notify me of what I published myself (the watcher is the publishing PUA)', async () => {
  world = await World.start({ presence: { defaultSubHandling: 'allow', networkAgents: [PNA] } });
  const phone = await world.user('alice', 'alice-phone');
  const pna = await world.user('pna');
  world.clock.advance(1000);
  assert.equal((await pna.publish({ body: `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="ims"><status><basic>open</basic></status></tuple></presence>`, to: ALICE })).status, 200);
  const etag = await publish(phone, aliceDoc());
  const { res, dialog } = await subscribeWith(phone, ALICE, filterSet('<filter id="own"><what><pf:exclude-own-publications/></what></filter>'));
  assert.equal(res.status, 200);
  assert.deepEqual(tuplesOf(await phone.nthNotify(dialog, 1)), ['ims=open']);
  // Alice's own PUBLISH changes nothing she is shown.
  await publish(phone, aliceDoc('closed', 'closed'), etag);
  await settle(60);
  assert.equal(phone.notifies(dialog).length, 1);
  world.clock.advance(1000);
  assert.equal((await pna.publish({ body: `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="ims"><status><basic>closed</basic></status></tuple></presence>`, to: ALICE })).status, 200);
  assert.deepEqual(tuplesOf(await phone.nthNotify(dialog, 2)), ['ims=closed']);
});

test('RFC 4660 §5.2.2: a refresh with the same filter id replaces it, one without a body keeps it, remove="true" removes it', async () => {
  const s = await stage('<filter id="f"><what><include>//pidf:tuple[pidf:contact="tel:+16305551212"]</include></what></filter>');
  assert.deepEqual(tuplesOf(s.first), ['tel=open']);
  assert.equal((await refreshWith(s.bob, s.dialog, filterSet('<filter id="f"><what><include>//pidf:tuple[@id="im"]</include></what></filter>'))).status, 200);
  assert.deepEqual(tuplesOf(await s.bob.nthNotify(s.dialog, 2)), ['im=open']);
  assert.equal((await refreshWith(s.bob, s.dialog, undefined)).status, 200);
  assert.deepEqual(tuplesOf(await s.bob.nthNotify(s.dialog, 3)), ['im=open']);
  assert.equal((await refreshWith(s.bob, s.dialog, filterSet('<filter id="f" remove="true"/>'))).status, 200);
  assert.deepEqual(tuplesOf(await s.bob.nthNotify(s.dialog, 4)), ['im=open', 'tel=open']);
});

test('RFC 4660 §5.4: a filter that cannot be applied gets 488 with a Warning and changes nothing', async () => {
  const s = await stage('<filter id="f"><what><include>//pidf:tuple[pidf:contact="tel:+16305551212"]</include></what></filter>');
  const before = await snapshot(world.stores);
  const bad = await refreshWith(s.bob, s.dialog, filterSet('<filter id="f"><what><include>//pidf:tuple[starts-with(pidf:contact, "im:")]</include></what></filter>'));
  assert.equal(bad.status, 488);
  assert.match(bad.headers.get('Warning') ?? '', /^399 presenced "filter: /);
  // RFC 4660 §5.2: another id for the same resource is refused too.
  assert.equal((await refreshWith(s.bob, s.dialog, filterSet('<filter id="g"><what><include>//pidf:tuple</include></what></filter>'))).status, 488);
  await settle(60);
  assert.deepEqual(await snapshot(world.stores), before);
  assert.equal(s.bob.notifies(s.dialog).length, 1);
  // The filter held still applies.
  await publish(s.alice, aliceDoc('open', 'closed'), s.etag);
  assert.deepEqual(tuplesOf(await s.bob.nthNotify(s.dialog, 2)), ['tel=closed']);
  // An initial SUBSCRIBE with a bad filter creates nothing.
  const carol = await world.user('carol');
  const initial = await subscribeWith(carol, ALICE, '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"/>');
  assert.equal(initial.res.status, 488);
  assert.equal((await world.stores.subscriptions.listAll()).length, 1);
});

test('a filter never widens the pres-rules: include-everything still shows only the granted tuple', async () => {
  world = await World.start({ presence: { defaultSubHandling: 'allow' } });
  const alice = await world.user('alice');
  const bob = await world.user('bob');
  await publish(alice, aliceDoc());
  const rules = `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
  <cr:rule id="bob">
    <cr:conditions><cr:identity><cr:one id="${BOB}"/></cr:identity></cr:conditions>
    <cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions>
    <cr:transformations><pr:provide-services><pr:occurrence-id>tel</pr:occurrence-id></pr:provide-services></cr:transformations>
  </cr:rule>
</cr:ruleset>`;
  const put = await world.server.http!.inject({
    method: 'PUT', url: `/xcap/pres-rules/users/${encodeURIComponent(ALICE)}/index`,
    headers: { 'content-type': 'application/auth-policy+xml' }, payload: rules,
  });
  assert.ok(put.statusCode === 200 || put.statusCode === 201, put.body);
  const { res, dialog } = await subscribeWith(bob, ALICE, filterSet('<filter id="all"><what><include>//*</include><include type="namespace">urn:ietf:params:xml:ns:pidf</include></what></filter>'));
  assert.equal(res.status, 200);
  const n = await bob.nthNotify(dialog, 1);
  assert.deepEqual(tuplesOf(n), ['tel=open']);
  // Without provide-note, the note stays out whatever the filter asks.
  assert.equal(documentOf(n).tuples[0]!.notes.length, 0);
});
