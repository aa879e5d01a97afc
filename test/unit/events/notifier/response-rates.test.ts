import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ratesOf } from '../../../../src/events/notifier/rate-control.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';
import type { SipRequest } from '../../../../src/sip/message/message.js';
import { BOB_AOR, nthNotify, settle, setup, subscribe } from './fixture.js';
import type { Dialog, Fixture } from './fixture.js';

/** RFC 6446 §4.1, §5.2: a subscriber changes its rates in the Event header of the 2xx to a NOTIFY. */
describe('Notifier: rates in the 2xx to a NOTIFY (RFC 6446 §5.2)', () => {
  let f: Fixture;
  let arrivals: Array<[number, SipRequest]>;
  let puts: SubscriptionRecord[];
  beforeEach(async () => {
    f = await setup();
    arrivals = [];
    puts = [];
    const answer = f.alice.onRequest;
    f.alice.onRequest = (req) => {
      if (req.method === 'NOTIFY') arrivals.push([f.clock.now(), req]);
      return answer(req);
    };
    const put = f.store.put.bind(f.store);
    f.store.put = (r) => {
      puts.push(structuredClone(r));
      return put(r);
    };
  });
  afterEach(async () => {
    await f.close();
  });

  /** Answers every NOTIFY of Alice with 200 carrying `event` as its Event header. */
  function answerWith(event: string): void {
    f.alice.answerHeaders = (req) => (req.method === 'NOTIFY' ? [['Event', event]] : []);
  }

  /** Bob's state changes every 100 ms (FakeClock) for `ms`, the last one to `last`. */
  async function burst(ms: number, last: string): Promise<void> {
    for (let t = 100; t <= ms; t += 100) {
      f.pkg.state.set(BOB_AOR, t === ms ? last : `s${t}`);
      await f.notifier.notifyResource(BOB_AOR, 'x-test');
      await settle();
      f.clock.advance(100);
      await settle();
    }
  }

  async function subscribed(event: string): Promise<Dialog> {
    const { res, dialog } = await subscribe(f.alice, { event });
    assert.equal(res.status, 200);
    await nthNotify(dialog, 1);
    await settle();
    return dialog;
  }

  const stateOf = (req: SipRequest): string => req.headers.get('Subscription-State') ?? '';

  function minGap(): number {
    let min = Infinity;
    for (let i = 2; i < arrivals.length; i++) min = Math.min(min, arrivals[i]![0] - arrivals[i - 1]![0]);
    return min;
  }

  test('a 200 with Event max-rate=1 paces the next NOTIFYs to one a second, stored once, reflected, newest state last', async () => {
    answerWith('x-test;max-rate=1');
    await subscribed('x-test');
    assert.doesNotMatch(stateOf(arrivals[0]![1]), /rate/, 'nothing agreed before the 200');
    const rateWrites = (): number => puts.filter((r) => ratesOf(r).maxRate === 1).length;
    assert.equal(rateWrites(), 1, 'stored once');
    await burst(3000, 'final');
    f.clock.advance(1000);
    await settle();
    assert.ok(arrivals.length >= 3 && arrivals.length <= 5, `${arrivals.length} NOTIFYs for 30 changes in 3 s`);
    assert.ok(minGap() >= 1000, `arrivals ${arrivals.map(([t]) => t - arrivals[0]![0]).join(',')}`);
    assert.match(stateOf(arrivals[1]![1]), /;max-rate=1$/, 'RFC 6446 §5.2: reflected from the next NOTIFY on');
    assert.equal(arrivals.at(-1)![1].body.toString(), 'final');
    assert.equal(rateWrites(), 1, 'the same rates in every 200 are not written again');
  });

  test('an Event header without max-rate removes it (§5.1); a 200 without Event changes nothing', async () => {
    answerWith('x-test');
    const dialog = await subscribed('x-test;max-rate=0.1');
    assert.match(stateOf(arrivals[0]![1]), /;max-rate=0.1$/);
    assert.deepEqual(ratesOf((await f.store.get(dialog.remoteTag))!), {});
    f.alice.answerHeaders = () => [];
    await burst(1000, 'final');
    assert.equal(arrivals.length, 11, 'every change notified');
    assert.doesNotMatch(stateOf(arrivals[1]![1]), /rate/);
  });

  test('a malformed max-rate in the 200 keeps the agreed rates', async () => {
    answerWith('x-test;max-rate=fast');
    const dialog = await subscribed('x-test;max-rate=1');
    const before = puts.length;
    assert.deepEqual(ratesOf((await f.store.get(dialog.remoteTag))!), { maxRate: 1 });
    await burst(2000, 'final');
    f.clock.advance(1000);
    await settle();
    assert.ok(minGap() >= 1000, `arrivals ${arrivals.map(([t]) => t - arrivals[0]![0]).join(',')}`);
    assert.match(stateOf(arrivals.at(-1)![1]), /;max-rate=1$/);
    assert.equal(puts.length, before, 'nothing written');
  });
});
