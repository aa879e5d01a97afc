import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '../../src/store/sqlite/sqlite-stores.js';
import { buildPidf, stateOf, tuplesOf } from './support/presence-doc.js';
import type { User } from './support/user.js';
import { refreshWinfo, subscribeWinfo, winfoOf } from './support/winfo.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * TS 23.141 A.2.5 (a new watcher asks, the presentity decides) and issue 5 end to end in one process:
 * Alice's PUA subscribes to her watcher information (RFC 3857, RFC 3858), Bob asks and is held pending,
 * the PUA hears of it at once, and Alice answers with an XCAP change of her pres-rules (RFC 5025): accept,
 * accept without location, or block. Also: winfo authorisation, anonymous watchers, filters, history.
 */

const ALICE = aorOf('alice');
const BOB = aorOf('bob');
const ANONYMOUS = 'sip:anonymous@anonymous.invalid';

let world: World;
let alice: User;
let bob: User;
let dir: string | undefined;

afterEach(async () => {
  await world.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A pres-rules document giving Bob `handling` with the services and persons, and `extra` transformations. */
function rules(handling: 'allow' | 'block', extra = '<pr:provide-all-attributes/>'): string {
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

/** Alice's presence with a civic location (RFC 4119 §2.3) in her tuple's status. */
const LOCATED = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"
  xmlns:cl="urn:ietf:params:xml:ns:pidf:geopriv10:civicLoc" entity="${ALICE}">
 <tuple id="alice-phone">
  <status><basic>open</basic>
   <gp:geopriv><gp:location-info><cl:civicAddress><cl:country>FR</cl:country><cl:A1>Paris</cl:A1></cl:civicAddress></gp:location-info>
    <gp:usage-rules><gp:retransmission-allowed>no</gp:retransmission-allowed></gp:usage-rules></gp:geopriv>
  </status>
 </tuple>
</presence>`;

/** Alice's PUA writes her pres-rules over XCAP (auth none: the URL names the user). */
async function putRules(body: string): Promise<void> {
  const res = await world.server.http!.inject({
    method: 'PUT',
    url: `/xcap/pres-rules/users/${encodeURIComponent(ALICE)}/index`,
    headers: { 'content-type': 'application/auth-policy+xml' },
    payload: body,
  });
  assert.ok(res.statusCode === 200 || res.statusCode === 201, `${res.statusCode} ${res.body}`);
}

async function stage(opts: { winfo?: { historySeconds: number }; sqlite?: boolean; pidf?: string } = {}): Promise<void> {
  let stores;
  if (opts.sqlite) {
    dir = mkdtempSync(join(tmpdir(), 'presenced-winfo-'));
    stores = openSqliteStores(join(dir, 'p.db'));
  }
  world = await World.start({ presence: { defaultSubHandling: 'confirm', ...(opts.winfo ? { winfo: opts.winfo } : {}) }, ...(stores ? { stores } : {}) });
  alice = await world.user('alice');
  bob = await world.user('bob');
  const body = opts.pidf ?? buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open' }).toString('utf8');
  assert.equal((await alice.publish({ body })).status, 200);
}

/** Steps 1-5 of A.2.5: Alice's PUA watches her winfo; Bob asks, is pending, and the PUA hears of it at once. */
async function bobAsks(): Promise<{ winfo: Awaited<ReturnType<typeof subscribeWinfo>>['dialog']; bobDialog: Awaited<ReturnType<User['subscribe']>>['dialog']; bobId: string }> {
  const { res, dialog: winfo } = await subscribeWinfo(alice, ALICE, { expires: 600 });
  assert.equal(res.status, 200);
  const first = await alice.nthNotify(winfo, 1);
  assert.equal(first.headers.get('Content-Type'), 'application/watcherinfo+xml');
  assert.deepEqual({ ...winfoOf(first), watchers: winfoOf(first).watchers.length }, { version: 0, state: 'full', resource: ALICE, watchers: 0, anonymousAttempts: 0 });

  // Bob's UE gives a display name; its From (and so the dialog's tag) replaces the helper's.
  const subscribed = await bob.subscribe(ALICE, { expires: 600, headers: [['From', `"Bob B" <${BOB}>;tag=bob1`]] });
  const bobDialog = { ...subscribed.dialog, localTag: 'bob1' };
  assert.equal(stateOf(await bob.nthNotify(bobDialog, 1)), 'pending;expires=600');
  const second = winfoOf(await alice.nthNotify(winfo, 2));
  assert.equal(second.version, 1);
  assert.equal(second.state, 'partial');
  assert.equal(second.watchers.length, 1);
  const w = second.watchers[0]!;
  assert.deepEqual({ uri: w.uri, status: w.status, event: w.event, name: w['display-name'], expiration: w.expiration }, {
    uri: BOB, status: 'pending', event: 'subscribe', name: 'Bob B', expiration: '600',
  });
  assert.match(w.id!, /^[A-Za-z0-9_-]+$/);
  assert.notEqual(w.id, bobDialog.remoteTag, 'the id is opaque, not the dialog tag');
  return { winfo, bobDialog, bobId: w.id! };
}

test('A.2.5 accept: Bob gets his first real NOTIFY and Alice\'s winfo shows him active, approved', async () => {
  await stage();
  const { winfo, bobDialog, bobId } = await bobAsks();
  await putRules(rules('allow'));
  const bobsFirst = await bob.nthNotify(bobDialog, 2);
  assert.match(stateOf(bobsFirst), /^active;expires=/);
  assert.deepEqual(tuplesOf(bobsFirst), ['alice-phone=open']);
  const third = winfoOf(await alice.nthNotify(winfo, 3));
  assert.equal(third.version, 2);
  assert.deepEqual(third.watchers.map((w) => [w.id, w.status, w.event]), [[bobId, 'active', 'approved']]);

  // RFC 3857 §4.4: a refresh gets full state, the version still rising by one.
  assert.equal((await refreshWinfo(alice, winfo, 600)).status, 200);
  const full = winfoOf(await alice.nthNotify(winfo, 4));
  assert.deepEqual([full.version, full.state, full.watchers.length], [3, 'full', 1]);
  // Bob leaves: terminated, timeout (RFC 6665 §4.2.1.4 unsubscribe).
  assert.equal((await bob.resubscribe(bobDialog, { expires: 0 })).status, 200);
  const left = winfoOf(await alice.nthNotify(winfo, 5));
  assert.deepEqual(left.watchers.map((w) => [w.status, w.event]), [['terminated', 'timeout']]);
});

test('A.2.5 accept with conditions: without provide-geopriv Bob\'s view has no location', async () => {
  await stage({ pidf: LOCATED });
  const { winfo, bobDialog } = await bobAsks();
  await putRules(rules('allow', ''));
  const bobsFirst = await bob.nthNotify(bobDialog, 2);
  assert.match(stateOf(bobsFirst), /^active;expires=/);
  assert.deepEqual(tuplesOf(bobsFirst), ['alice-phone=open']);
  assert.doesNotMatch(bobsFirst.body.toString(), /geopriv|Paris/);
  assert.deepEqual(winfoOf(await alice.nthNotify(winfo, 3)).watchers.map((w) => [w.status, w.event]), [['active', 'approved']]);
});

test('A.2.5 block: Bob is ended rejected and Alice\'s winfo shows him terminated, rejected', async () => {
  await stage();
  const { winfo, bobDialog, bobId } = await bobAsks();
  await putRules(rules('block'));
  const ended = await bob.nthNotify(bobDialog, 2);
  assert.equal(stateOf(ended), 'terminated;reason=rejected');
  assert.equal(ended.body.length, 0);
  const third = winfoOf(await alice.nthNotify(winfo, 3));
  assert.deepEqual(third.watchers.map((w) => [w.id, w.status, w.event, w.expiration]), [[bobId, 'terminated', 'rejected', undefined]]);
  // A new attempt of the blocked Bob is refused (403) and shows as another rejected watcher.
  assert.equal((await bob.subscribe(ALICE, { expires: 600 })).res.status, 403);
  assert.deepEqual(winfoOf(await alice.nthNotify(winfo, 4)).watchers.map((w) => [w.uri, w.status, w.event]), [[BOB, 'terminated', 'rejected']]);
});

test('winfo authorisation: only the presentity; Bob subscribing or fetching Alice\'s watcher information gets 403', async () => {
  await stage();
  assert.equal((await subscribeWinfo(bob, ALICE, { expires: 600 })).res.status, 403);
  assert.equal((await subscribeWinfo(bob, ALICE, { expires: 0 })).res.status, 403);
  assert.equal((await subscribeWinfo(alice, ALICE, { expires: 0 })).res.status, 200);
});

test('anonymous watchers: never identified, but the presentity sees that they asked, how often and in what state', async () => {
  await stage();
  const { dialog: winfo } = await subscribeWinfo(alice, ALICE, { expires: 600 });
  await alice.nthNotify(winfo, 1);
  const privacy: Array<[string, string]> = [['Privacy', 'id'], ['From', `"Bob B" <${BOB}>;tag=anon1`]];
  const { res } = await bob.subscribe(ALICE, { expires: 600, headers: privacy });
  assert.equal(res.status, 200);
  await alice.nthNotify(winfo, 2);
  assert.equal((await bob.subscribe(ALICE, { expires: 0, headers: [['Privacy', 'id']] })).res.status, 200);
  await alice.nthNotify(winfo, 3);
  assert.equal((await refreshWinfo(alice, winfo, 600)).status, 200);
  const notify = await alice.nthNotify(winfo, 4);
  const full = winfoOf(notify);
  assert.equal(full.anonymousAttempts, 2);
  assert.deepEqual(full.watchers.map((w) => [w.uri, w.status, w['display-name']]), [[ANONYMOUS, 'pending', undefined], [ANONYMOUS, 'pending', undefined]]);
  assert.notEqual(full.watchers[0]!.id, full.watchers[1]!.id, 'each anonymous subscription has its own opaque id');
  assert.doesNotMatch(notify.body.toString(), /bob|Bob/);
  // The id stays the same in every document.
  assert.equal((await refreshWinfo(alice, winfo, 600)).status, 200);
  assert.deepEqual(winfoOf(await alice.nthNotify(winfo, 5)).watchers.map((w) => w.id), full.watchers.map((w) => w.id));
});

/** A winfo filter (docs/winfo-filters.md). */
function filter(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter" xmlns:pf="urn:presenced:params:xml:ns:winfo-filter">
  <ns-bindings><ns-binding prefix="wi" urn="urn:ietf:params:xml:ns:watcherinfo"/></ns-bindings>
  <filter id="f1" uri="${ALICE}">${inner}</filter>
</filter-set>`;
}

test('filters: new (pending) watchers only, with only id, status and event; defined ones; an unsupported filter gets 488', async () => {
  await stage();
  await putRules(rules('allow'));
  const carol = await world.user('carol');
  assert.equal((await bob.subscribe(ALICE, { expires: 600 })).res.status, 200);
  assert.equal((await carol.subscribe(ALICE, { expires: 600 })).res.status, 200);
  await settle();
  const onlyNew = filter('<pf:watchers>new</pf:watchers><what><include>/wi:watcherinfo/wi:watcher-list/wi:watcher/@status</include></what>');
  const { res, dialog } = await subscribeWinfo(alice, ALICE, { expires: 600, filter: onlyNew });
  assert.equal(res.status, 200);
  const fresh = winfoOf(await alice.nthNotify(dialog, 1));
  assert.deepEqual(fresh.watchers, [{ uri: aorOf('carol'), id: fresh.watchers[0]!.id!, status: 'pending', event: 'subscribe' }]);

  const defined = await subscribeWinfo(alice, ALICE, { expires: 0, filter: filter('<pf:watchers>defined</pf:watchers>') });
  assert.equal(defined.res.status, 200);
  assert.deepEqual(winfoOf(await alice.nthNotify(defined.dialog, 1)).watchers.map((w) => [w.uri, w.status]), [[BOB, 'active']]);
  const both = await subscribeWinfo(alice, ALICE, { expires: 0, filter: filter('<pf:watchers>defined-new</pf:watchers>') });
  assert.equal(winfoOf(await alice.nthNotify(both.dialog, 1)).watchers.length, 2);

  for (const bad of [filter('<trigger><changed by="x"/></trigger>'), filter('<what><include>//watcher[@status]</include></what>'), filter('<pf:watchers>some</pf:watchers>'), '<not-a-filter/>']) {
    assert.equal((await subscribeWinfo(alice, ALICE, { expires: 600, filter: bad })).res.status, 488, bad);
  }
});

test('history: past watchers stay listed until historySeconds, survive a restart (SQLite), then are purged', async () => {
  await stage({ sqlite: true, winfo: { historySeconds: 7200 } });
  const { dialog } = await bob.subscribe(ALICE, { expires: 600 });
  await bob.nthNotify(dialog, 1);
  assert.equal((await bob.resubscribe(dialog, { expires: 0 })).status, 200);
  await settle();
  await world.restart(() => world.clock.advance(3600 * 1000));
  const fetch = async (historySeconds?: number): Promise<Array<Record<string, string>>> => {
    const f = historySeconds === undefined ? undefined : filter(`<pf:history>${historySeconds}</pf:history>`);
    const { res, dialog: d } = await subscribeWinfo(alice, ALICE, { expires: 0, ...(f ? { filter: f } : {}) });
    assert.equal(res.status, 200);
    return winfoOf(await alice.nthNotify(d, 1)).watchers;
  };
  const past = await fetch();
  assert.deepEqual(past.map((w) => [w.uri, w.status, w.event]), [[BOB, 'terminated', 'timeout']]);
  assert.deepEqual(await fetch(1800), [], 'a history length of half an hour leaves him out');
  await world.elapse(3601);
  assert.deepEqual(await fetch(), [], 'older than historySeconds: purged');
});
