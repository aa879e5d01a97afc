import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipRequest } from '../../src/sip/message/message.js';
import { PIDF_DIFF } from '../../src/presence/partial/pidf-diff.js';
import { PartialWatcherCopy } from '../support/partial-watcher.js';
import { canonical } from '../unit/presence/partial/canonical.js';
import type { User } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';

/**
 * Differential property test of partial notification (issue 6, RFC 5263): over seeded random sequences
 * of publications (two PUAs publishing, modifying and removing tuples, persons and devices), random
 * pres-rules (RFC 5025 transformations applying to every watcher) and random event filters (RFC 4661:
 * include/exclude by tuple id, status, notes, persons; changed/added/removed triggers; placed on the
 * SUBSCRIBE and changed or removed by refreshes), Bob (Accept: pidf-diff+xml) applies every NOTIFY he
 * gets to the first full state, and the result always equals the full filtered view Carol (PIDF only,
 * same permissions, same filter) is sent at that point.
 */

const CASES = 200;
const STEPS = 4;
const ALICE = aorOf('alice');

/** mulberry32: a small seeded PRNG, so a failure names a reproducible seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

/** A random PIDF document of PUA `pua` (its own tuple ids, shared person and device ids). */
function randomDocument(rnd: () => number, pua: string): string {
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) {
    if (rnd() < 0.6) {
      const note = rnd() < 0.5 ? `<note>${pick(rnd, ['at work', 'in a meeting', 'on the road'])}</note>` : '';
      parts.push(`<tuple id="${pua}t${i}"><status><basic>${pick(rnd, ['open', 'closed'])}</basic></status><contact priority="0.${Math.floor(rnd() * 10)}">sip:${pua}${i}@home1.net</contact>${note}</tuple>`);
    }
  }
  if (rnd() < 0.5) parts.push(`<dm:person id="p${Math.floor(rnd() * 2)}"><rpid:activities><rpid:${pick(rnd, ['busy', 'away', 'meal'])}/></rpid:activities></dm:person>`);
  if (rnd() < 0.4) parts.push(`<dm:device id="d0"><dm:deviceID>urn:uuid:${pick(rnd, ['1', '2'])}</dm:deviceID></dm:device>`);
  return `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${ALICE}">${parts.join('')}</presence>`;
}

/** A random pres-rules document allowing everyone with some transformations (RFC 5025 §3.3). */
function randomRules(rnd: () => number): string {
  const services = pick(rnd, ['<pr:all-services/>', '<pr:occurrence-id>at0</pr:occurrence-id><pr:occurrence-id>bt1</pr:occurrence-id>']);
  const extra = pick(rnd, ['<pr:provide-all-attributes/>', '<pr:provide-note>true</pr:provide-note>', '<pr:provide-activities>true</pr:provide-activities>', '']);
  const persons = rnd() < 0.7 ? '<pr:provide-persons><pr:all-persons/></pr:provide-persons>' : '';
  const devices = rnd() < 0.7 ? '<pr:provide-devices><pr:all-devices/></pr:provide-devices>' : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
  <cr:rule id="everyone"><cr:conditions/><cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions>
    <cr:transformations><pr:provide-services>${services}</pr:provide-services>${persons}${devices}${extra}</cr:transformations></cr:rule>
</cr:ruleset>
`;
}

/** A random filter set (RFC 4661 §3), or undefined for none; ids are those of {@link randomDocument}. */
function randomFilter(rnd: () => number): string | undefined {
  if (rnd() < 0.25) return undefined;
  const id = (): string => `${pick(rnd, ['a', 'b'])}t${Math.floor(rnd() * 4)}`;
  const what: string[] = [];
  const includes = [
    () => `//pidf:tuple[@id="${id()}" or @id="${id()}"]`,
    () => `//pidf:tuple[pidf:status/pidf:basic="${pick(rnd, ['open', 'closed'])}"]`,
    () => '//dm:person',
    () => '//pidf:tuple/pidf:status/pidf:basic',
  ];
  const excludes = [() => `//pidf:tuple[@id="${id()}"]`, () => '//pidf:tuple/pidf:note', () => '//pidf:tuple[pidf:status/pidf:basic="closed"]', () => '//dm:device'];
  for (let i = Math.floor(rnd() * 3); i > 0; i--) what.push(`<include>${pick(rnd, includes)()}</include>`);
  for (let i = Math.floor(rnd() * 2); i > 0; i--) what.push(`<exclude>${pick(rnd, excludes)()}</exclude>`);
  const triggers = [
    '<trigger><changed>//pidf:tuple/pidf:status/pidf:basic</changed></trigger>',
    '<trigger><added>//pidf:tuple</added></trigger>',
    '<trigger><removed>//pidf:tuple</removed></trigger>',
    '<trigger><changed>//pidf:tuple/pidf:note</changed></trigger>',
  ];
  const trigger = rnd() < 0.4 ? Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => pick(rnd, triggers)).join('') : '';
  // RFC 4660 §5.4: a filter needs <what> or <trigger>; an empty one is given an include of everything.
  const body = what.length || trigger ? `${what.length ? `<what>${what.join('')}</what>` : ''}${trigger}` : '<what><include>/presence</include></what>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter">
  <ns-bindings><ns-binding prefix="pidf" urn="urn:ietf:params:xml:ns:pidf"/><ns-binding prefix="dm" urn="urn:ietf:params:xml:ns:pidf:data-model"/></ns-bindings>
  <filter id="f1">${body}</filter>
</filter-set>
`;
}

/** A filter-set removing filter f1 (RFC 4660 §3.3.3: a refresh may remove a filter). */
const REMOVE_FILTER = '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="f1" remove="true"/></filter-set>';

let world: World;
let alice: User;
let bob: User;
let carol: User;

before(async () => {
  world = await World.start({ presence: { defaultSubHandling: 'allow' } });
  alice = await world.user('alice');
  bob = await world.user('bob');
  carol = await world.user('carol');
});

after(async () => {
  await world.close();
});

async function putRules(body: string): Promise<void> {
  const res = await world.server.http!.inject({
    method: 'PUT', url: `/xcap/pres-rules/users/${encodeURIComponent(ALICE)}/index`,
    headers: { 'content-type': 'application/auth-policy+xml' }, payload: body,
  });
  assert.ok(res.statusCode === 200 || res.statusCode === 201, `${res.statusCode} ${res.body}`);
}

test(`applying every partial NOTIFY to the first full state equals the full filtered view (${CASES} seeded cases)`, async () => {
  const etags = new Map<string, string>();
  let pidfDiffs = 0;
  let filteredDiffs = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    const rnd = prng(seed);
    let filter = randomFilter(rnd);
    const withFilter = filter === undefined ? {} : { body: filter };
    const b = await bob.subscribe(ALICE, { expires: 600, headers: [['Accept', PIDF_DIFF]], ...withFilter });
    const c = await carol.subscribe(ALICE, { expires: 600, ...withFilter });
    assert.equal(b.res.status, 200, `seed ${seed}: ${b.res.reason}`);
    assert.equal(c.res.status, 200, `seed ${seed}: ${c.res.reason}`);
    const [bd, cd] = [b.dialog, c.dialog];
    const copy = new PartialWatcherCopy();
    let seen = 0;
    const check = async (): Promise<void> => {
      await settle();
      const mine = bob.notifies(bd);
      for (const n of mine.slice(seen)) copy.receive(n.body);
      seen = mine.length;
      const theirs: SipRequest[] = carol.notifies(cd);
      assert.ok(theirs.length > 0, `seed ${seed}`);
      assert.equal(canonical(copy.document!), canonical(theirs[theirs.length - 1]!.body), `seed ${seed}`);
    };
    await check();
    for (let s = 0; s < STEPS; s++) {
      const op = rnd();
      const pua = pick(rnd, ['a', 'b']);
      if (op < 0.6) {
        const ifMatch = etags.get(pua);
        const res = await alice.publish({ body: randomDocument(rnd, pua), expires: 3600, ...(ifMatch ? { ifMatch } : {}) });
        assert.equal(res.status, 200, `seed ${seed}`);
        etags.set(pua, res.headers.get('SIP-ETag')!);
      } else if (op < 0.72) {
        const ifMatch = etags.get(pua);
        if (ifMatch) await alice.publish({ ifMatch, expires: 0 });
        etags.delete(pua);
      } else if (op < 0.86) {
        await putRules(randomRules(rnd));
      } else {
        // A refresh changing the filter, or removing it (RFC 4660 §3.3.3), for both watchers.
        const next = randomFilter(rnd);
        const body = next ?? (filter === undefined ? undefined : REMOVE_FILTER);
        filter = next;
        for (const [u, d] of [[bob, bd], [carol, cd]] as const) {
          const res = await u.resubscribe(d, { expires: 600, ...(body === undefined ? {} : { body }), ...(u === bob ? { headers: [['Accept', PIDF_DIFF]] as Array<[string, string]> } : {}) });
          assert.equal(res.status, 200, `seed ${seed}: ${res.reason}`);
        }
      }
      await check();
    }
    pidfDiffs += copy.kinds.filter((k) => k === 'diff').length;
    if (filter !== undefined) filteredDiffs += copy.kinds.filter((k) => k === 'diff').length;
    await bob.resubscribe(bd, { expires: 0 });
    await carol.resubscribe(cd, { expires: 0 });
    await settle();
  }
  // The property is only worth something if diffs were actually sent.
  assert.ok(pidfDiffs > CASES, `only ${pidfDiffs} <pidf-diff> documents`);
  assert.ok(filteredDiffs > CASES / 2, `only ${filteredDiffs} <pidf-diff> documents under a filter`);
});
