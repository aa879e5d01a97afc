import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipRequest } from '../../src/sip/message/message.js';
import { buildPidf, stateOf } from './support/presence-doc.js';
import type { User, WatcherDialog } from './support/user.js';
import { World, aorOf, settle } from './support/world.js';
import type { WorldOptions } from './support/world.js';

/**
 * Notification rate control (issue 6 item 4; RFC 6446; TS 23.141 §5.1 last paragraph): Alice's PUA
 * publishes in bursts; Bob watches her with max-rate / min-rate, or under the server's local policy.
 */

const ALICE = aorOf('alice');

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

interface Stage {
  world: World;
  alice: User;
  bob: User;
  /** Arrival time (ms on the FakeClock) of each NOTIFY Bob receives, with the request. */
  arrivals: Array<[number, SipRequest]>;
}

async function stage(opts: WorldOptions = {}): Promise<Stage> {
  const w = (world = await World.start(opts));
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  const arrivals: Array<[number, SipRequest]> = [];
  const answer = bob.peer.onRequest;
  bob.peer.onRequest = (req) => {
    if (req.method === 'NOTIFY') arrivals.push([w.clock.now(), req]);
    return answer(req);
  };
  return { world: w, alice, bob, arrivals };
}

function note(i: number): Buffer {
  return buildPidf({ entity: ALICE, tupleId: 'alice-phone', basic: 'open', note: `update ${i}` });
}

/** Moves the clock `ms` in 100 ms steps, letting the work of each step run. */
async function walk(w: World, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) await w.elapse(Math.min(100, ms - t) / 1000);
}

/** Alice publishes `n` updates, one every 100 ms (a bursty PUA); resolves with her entity tag. */
async function burst(s: Stage, n: number, etag?: string): Promise<string> {
  let tag = etag;
  for (let i = 1; i <= n; i++) {
    const res = await s.alice.publish({ body: note(i), ...(tag ? { ifMatch: tag } : {}) });
    assert.equal(res.status, 200);
    tag = res.headers.get('SIP-ETag')!;
    await walk(s.world, 100);
  }
  return tag!;
}

function minGap(arrivals: Array<[number, SipRequest]>): number {
  let min = Infinity;
  for (let i = 1; i < arrivals.length; i++) min = Math.min(min, arrivals[i]![0] - arrivals[i - 1]![0]);
  return min;
}

async function subscribed(s: Stage, event: string): Promise<WatcherDialog> {
  const { res, dialog } = await s.bob.subscribe(ALICE, { event });
  assert.equal(res.status, 200);
  await s.bob.nthNotify(dialog, 1);
  return dialog;
}

test('max-rate=1: a burst of 20 PUBLISHes in 2 s reaches Bob at most once a second, ending with the newest state', async () => {
  const s = await stage();
  const etag = await s.alice.publish({ body: note(0) });
  await settle();
  const dialog = await subscribed(s, 'presence;max-rate=1');
  // RFC 6446 §5.2: the agreed max-rate is reflected in Subscription-State.
  assert.match(stateOf(s.arrivals[0]![1]), /^active;expires=\d+;max-rate=1$/);
  await burst(s, 20, etag.headers.get('SIP-ETag')!);
  await walk(s.world, 1500);
  const notifies = s.bob.notifies(dialog);
  assert.ok(notifies.length <= 4, `${notifies.length} NOTIFYs for 20 updates in 2 s`);
  assert.ok(minGap(s.arrivals) >= 1000, `arrivals ${s.arrivals.map(([t]) => t).join(',')}`);
  assert.match(notifies.at(-1)!.body.toString('utf8'), /update 20</, 'the final state is delivered');
});

test('without rate control every PUBLISH of the burst is notified', async () => {
  const s = await stage();
  const dialog = await subscribed(s, 'presence');
  assert.doesNotMatch(stateOf(s.arrivals[0]![1]), /rate/);
  await burst(s, 10);
  assert.equal(s.bob.notifies(dialog).length, 11);
});

test('a refresh is answered by a NOTIFY at once, and the refresh without max-rate removes it (RFC 6446 §5.1, §5.2)', async () => {
  const s = await stage();
  const dialog = await subscribed(s, 'presence;max-rate=0.1');
  await burst(s, 2);
  assert.equal(s.bob.notifies(dialog).length, 1, 'held back by max-rate');
  const refresh: WatcherDialog = { ...dialog, event: 'presence' };
  assert.equal((await s.bob.resubscribe(refresh, { expires: 600 })).status, 200);
  await settle();
  const after = s.bob.notifies(dialog);
  assert.equal(after.length, 2, 'the NOTIFY of the refresh is not delayed');
  assert.match(after[1]!.body.toString('utf8'), /update 2</);
  assert.doesNotMatch(stateOf(after[1]!), /max-rate/);
  await burst(s, 3);
  assert.equal(s.bob.notifies(dialog).length, 5, 'no rate control any more');
});

test('the final NOTIFY is not delayed by max-rate', async () => {
  const s = await stage();
  const dialog = await subscribed(s, 'presence;max-rate=0.01');
  await burst(s, 1);
  assert.equal((await s.bob.resubscribe(dialog, { expires: 0 })).status, 200);
  await settle();
  const last = s.bob.notifies(dialog).at(-1)!;
  assert.match(stateOf(last), /^terminated;reason=timeout/);
  assert.match(last.body.toString('utf8'), /update 1</, 'with the newest state');
});

test('min-rate=0.1: without changes Bob gets the current state again every 10 s', async () => {
  const s = await stage();
  const dialog = await subscribed(s, 'presence;min-rate=0.1');
  assert.match(stateOf(s.arrivals[0]![1]), /;min-rate=0.1$/);
  for (let i = 0; i < 3; i++) await s.world.elapse(10);
  const times = s.arrivals.map(([t]) => t - s.arrivals[0]![0]);
  assert.deepEqual(times, [0, 10_000, 20_000, 30_000]);
  const bodies = s.bob.notifies(dialog).map((n) => n.body.toString('utf8'));
  assert.ok(bodies.every((b) => b === bodies[0]), 'the same state each time');
});

test('a malformed max-rate is answered 400 and creates nothing', async () => {
  const s = await stage();
  const { res } = await s.bob.subscribe(ALICE, { event: 'presence;max-rate=fast' });
  assert.equal(res.status, 400);
  assert.equal((await s.world.stores.subscriptions.listAll()).length, 0);
});

test('local policy: one NOTIFY per watcher every 2 s, the newest state last', async () => {
  const s = await stage({ presence: { rateControl: { minIntervalPerWatcherMs: 2000, minIntervalPerPresentityMs: 0 } } });
  const dialog = await subscribed(s, 'presence');
  await burst(s, 10);
  await walk(s.world, 2000);
  assert.ok(minGap(s.arrivals) >= 2000, `arrivals ${s.arrivals.map(([t]) => t).join(',')}`);
  assert.match(s.bob.notifies(dialog).at(-1)!.body.toString('utf8'), /update 10</);
  assert.doesNotMatch(stateOf(s.arrivals[0]![1]), /rate/, 'not announced to subscribers not asking for rate control');
});

test('local policy: a presentity notifies its watchers at most once every 5 s (RFC 3856 §6.10)', async () => {
  const s = await stage({ presence: { rateControl: { minIntervalPerWatcherMs: 0, minIntervalPerPresentityMs: 5000 } } });
  const dialog = await subscribed(s, 'presence');
  await burst(s, 10);
  await walk(s.world, 5000);
  const later = s.arrivals.slice(1);
  assert.ok(later.length <= 2 && minGap(later) >= 5000, `arrivals ${s.arrivals.map(([t]) => t).join(',')}`);
  assert.match(s.bob.notifies(dialog).at(-1)!.body.toString('utf8'), /update 10</);
});

test('Bob asks for max-rate=1 in the 200 to his first NOTIFY: the burst then reaches him at most once a second (RFC 6446 §4.1, §5.2)', async () => {
  const s = await stage();
  const etag = await s.alice.publish({ body: note(0) });
  await settle();
  s.bob.peer.answerHeaders = (req) => (req.method === 'NOTIFY' ? [['Event', 'presence;max-rate=1']] : []);
  const dialog = await subscribed(s, 'presence');
  assert.doesNotMatch(stateOf(s.arrivals[0]![1]), /rate/);
  await burst(s, 20, etag.headers.get('SIP-ETag')!);
  await walk(s.world, 1500);
  const notifies = s.bob.notifies(dialog);
  assert.ok(notifies.length <= 4, `${notifies.length} NOTIFYs for 20 updates in 2 s`);
  assert.ok(minGap(s.arrivals) >= 1000, `arrivals ${s.arrivals.map(([t]) => t).join(',')}`);
  assert.match(stateOf(notifies[1]!), /;max-rate=1$/, 'the new rate is reflected');
  assert.match(notifies.at(-1)!.body.toString('utf8'), /update 20</, 'the final state is delivered');
});
