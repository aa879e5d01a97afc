import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientSubscription } from '../../../../src/events/subscriber/client-subscription.js';
import type { NotifyInfo, TerminationInfo } from '../../../../src/events/subscriber/client-subscription.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import { UserAgentCore } from '../../../../src/sip/core/user-agent-core.js';
import { HeaderList } from '../../../../src/sip/message/headers.js';
import { SipRequest } from '../../../../src/sip/message/message.js';
import type { SipResponse } from '../../../../src/sip/message/message.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import { TransactionLayer } from '../../../../src/sip/transaction/transaction-layer.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import type { SendTarget } from '../../../../src/sip/transport/types.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { Watcher, until } from './watcher.js';

const NOTIFIER: SendTarget = { transport: 'LOOP', address: 'fake.test', port: 5070 };
const RESOURCE = 'sip:bob@fake.test';

/** What a NOTIFY built by the test carries. */
interface NotifySpec {
  cseq: number;
  state?: string | null;
  event?: string;
  fromTag?: string;
  callId?: string;
  type?: string;
  body?: string;
  recordRoute?: string;
}

/**
 * A hand-written notifier for the cases the real one never produces: a NOTIFY overtaking the 2xx, no
 * NOTIFY at all, malformed or out-of-order NOTIFYs, forks. Its SUBSCRIBE handler answers as the test
 * says; it records every SUBSCRIBE.
 */
class FakeNotifier {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly subscribes: SipRequest[] = [];
  readonly tag = 'fake1';
  /** Runs before the 2xx to an initial SUBSCRIBE (e.g. sends the NOTIFY first). */
  beforeAnswer: (req: SipRequest) => Promise<void> = async () => {};

  constructor(net: LoopNetwork, private readonly watcher: Watcher) {
    this.transport = new TransportLayer({ loopNetwork: net });
    this.transactions = new TransactionLayer({ transport: this.transport });
    const identity = new LocalIdentity();
    identity.addDomain('fake.test');
    const core = new UserAgentCore({ transactions: this.transactions, identity });
    core.register({
      method: 'SUBSCRIBE',
      handle: async (req) => {
        this.subscribes.push(req);
        if (!/tag=/.test(req.headers.get('To')!)) await this.beforeAnswer(req);
        const res = createResponse(req, 200, undefined, this.tag);
        res.headers.append('Expires', req.headers.get('Expires') ?? '600');
        res.headers.append('Contact', '<sip:fake.test:5070;transport=loop>');
        return res;
      },
    });
    this.transport.onInbound = (i) => {
      if (i.kind === 'message') this.transactions.receive(i.message, i.flow);
    };
  }

  async listen(): Promise<void> {
    await this.transport.listen({ transport: 'LOOP', host: 'fake.test', port: 5070 });
  }

  /** Sends a NOTIFY for the subscription `sub` made (its first SUBSCRIBE) and resolves with the response. */
  notify(sub: SipRequest, spec: NotifySpec): Promise<SipResponse> {
    const subscriberTag = /tag=([^;>]+)/.exec(sub.headers.get('From')!)![1]!;
    const h = new HeaderList();
    h.append('Via', 'SIP/2.0/LOOP fake.test:5070');
    h.append('Max-Forwards', '70');
    if (spec.recordRoute) h.append('Record-Route', spec.recordRoute);
    h.append('From', `<${RESOURCE}>;tag=${spec.fromTag ?? this.tag}`);
    h.append('To', `${sub.headers.get('From')!.replace(/;tag=.*/, '')};tag=${subscriberTag}`);
    h.append('Call-ID', spec.callId ?? sub.headers.get('Call-ID')!);
    h.append('CSeq', `${spec.cseq} NOTIFY`);
    h.append('Event', spec.event ?? 'x-state');
    if (spec.state !== null) h.append('Subscription-State', spec.state ?? 'active;expires=600');
    h.append('Contact', '<sip:notifier@fake.test:5070;transport=loop>');
    if (spec.body !== undefined) h.append('Content-Type', spec.type ?? 'text/plain');
    const req = new SipRequest('NOTIFY', this.watcher.contact, h, spec.body === undefined ? undefined : Buffer.from(spec.body));
    return new Promise((resolve, reject) => {
      this.transactions.sendRequest(req, { transport: 'LOOP', address: this.watcher.host, port: this.watcher.port }, {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res);
        },
        onTimeout: () => reject(new Error('NOTIFY timed out')),
        onTransportError: reject,
      });
    });
  }

  async close(): Promise<void> {
    this.transactions.close();
    await this.transport.close();
  }
}

// NOTIFY processing of the subscriber (RFC 6665 §4.1.2.4, §4.1.3, §4.4.1) against a hand-written notifier.
describe('ClientSubscription NOTIFY handling', () => {
  let net: LoopNetwork;
  let clock: FakeClock;
  let alice: Watcher;
  let fake: FakeNotifier;
  let sub: ClientSubscription;
  let notifies: NotifyInfo[];
  let ended: TerminationInfo[];

  beforeEach(async () => {
    net = new LoopNetwork();
    clock = new FakeClock();
    alice = await Watcher.start(net, clock, 'alice');
    fake = new FakeNotifier(net, alice);
    await fake.listen();
    sub = new ClientSubscription({
      transactions: alice.transactions, target: NOTIFIER, sentBy: { host: alice.host, port: alice.port },
      resource: RESOURCE, from: 'sip:alice@fake.test', event: 'x-state', accept: ['text/plain', 'application/x-state'],
      expires: 600, contact: alice.contact, clock, timerNMs: 32_000,
    });
    notifies = [];
    ended = [];
    sub.onNotify = (n) => notifies.push(n);
    sub.onTerminated = (t) => ended.push(t);
    alice.registry.add(sub);
  });
  afterEach(async () => {
    alice.registry.remove(sub);
    await fake.close();
    await alice.close();
  });

  /** Starts with the notifier sending its first NOTIFY before the 2xx; resolves with that SUBSCRIBE. */
  async function establishNotifyFirst(recordRoute?: string): Promise<SipRequest> {
    let first: SipResponse | undefined;
    fake.beforeAnswer = async (req) => {
      first = await fake.notify(req, { cseq: 1, body: 'open', ...(recordRoute ? { recordRoute } : {}) });
    };
    await sub.start();
    assert.equal(first?.status, 200);
    return fake.subscribes[0]!;
  }

  test('a NOTIFY before the 2xx forms the dialog from itself (RFC 6665 §4.1.2.4, §4.4.1)', async () => {
    const req = await establishNotifyFirst('<sip:proxy.test;lr>');
    await until(() => notifies.length === 1, 'NOTIFY reported');
    assert.deepEqual(notifies[0], { state: 'active', expires: 600, contentType: 'text/plain', body: Buffer.from('open') });
    assert.equal(sub.state, 'active');
    const d = sub.dialog!;
    assert.equal(d.callId, req.headers.get('Call-ID'));
    assert.equal(d.remoteTag, 'fake1');
    assert.equal(d.remoteTarget, 'sip:notifier@fake.test:5070;transport=loop');
    assert.deepEqual(d.routeSet, ['<sip:proxy.test;lr>']);
    assert.equal(d.localSeq, 1);
    assert.equal(d.remoteSeq, 1);
    // the refresh follows the dialog: Request-URI = remote target, Route = route set, next CSeq
    await until(() => fake.transactions.size.client === 0 && alice.transactions.size.client === 0, 'quiet');
    clock.advance(540_000);
    await until(() => fake.subscribes.length === 2, 'refresh');
    const refresh = fake.subscribes[1]!;
    assert.equal(refresh.uri, 'sip:notifier@fake.test:5070;transport=loop');
    assert.equal(refresh.headers.get('Route'), '<sip:proxy.test;lr>');
    assert.equal(refresh.headers.get('CSeq'), '2 SUBSCRIBE');
    assert.match(refresh.headers.get('To')!, /;tag=fake1$/);
    assert.equal(refresh.headers.get('Call-ID'), req.headers.get('Call-ID'));
    assert.equal(refresh.headers.get('Event'), 'x-state');
    assert.equal(refresh.headers.get('Accept'), 'text/plain, application/x-state');
    assert.equal(refresh.headers.get('Contact'), `<${alice.contact}>`);
  });

  test('the initial SUBSCRIBE carries Event, Expires, Accept, Contact and a fresh From tag and Call-ID', async () => {
    await establishNotifyFirst();
    const req = fake.subscribes[0]!;
    assert.equal(req.uri, RESOURCE);
    assert.equal(req.headers.get('To'), `<${RESOURCE}>`);
    assert.match(req.headers.get('From')!, /^<sip:alice@fake\.test>;tag=\w+$/);
    assert.equal(req.headers.get('Event'), 'x-state');
    assert.equal(req.headers.get('Expires'), '600');
    assert.equal(req.headers.get('Accept'), 'text/plain, application/x-state');
    assert.equal(req.headers.get('Contact'), `<${alice.contact}>`);
    assert.match(req.headers.get('Via')!, /^SIP\/2\.0\/LOOP alice\.test:\d+;rport(=\d+)?;branch=z9hG4bK/);
  });

  test('Timer N: a 2xx without any NOTIFY ends the subscription; a late NOTIFY gets 481', async () => {
    await sub.start();
    assert.equal(sub.state, 'notify_wait');
    await until(() => fake.transactions.size.client === 0 && alice.transactions.size.client === 0, 'quiet');
    clock.advance(31_999);
    assert.deepEqual(ended, []);
    clock.advance(1);
    assert.deepEqual(ended, [{ reason: 'timeout' }]);
    assert.equal(sub.state, 'terminated');
    const late = await fake.notify(fake.subscribes[0]!, { cseq: 1, body: 'open' });
    assert.equal(late.status, 481);
    assert.deepEqual(notifies, []);
  });

  test('rejections: 489 for another Event, 400 without Subscription-State, 500 for an old CSeq, 481 for another fork or dialog', async () => {
    const req = await establishNotifyFirst();
    const ev = await fake.notify(req, { cseq: 2, event: 'presence', body: 'x' });
    assert.equal(ev.status, 489);
    assert.equal(ev.headers.get('Allow-Events'), 'x-state');
    assert.equal((await fake.notify(req, { cseq: 2, state: null, body: 'x' })).status, 400);
    assert.equal((await fake.notify(req, { cseq: 1, body: 'x' })).status, 500);
    assert.equal((await fake.notify(req, { cseq: 2, fromTag: 'fork2', body: 'x' })).status, 481);
    assert.equal((await fake.notify(req, { cseq: 2, callId: 'other@fake.test', body: 'x' })).status, 481);
    const badType = await fake.notify(req, { cseq: 2, type: 'image/png', body: 'x' });
    assert.equal(badType.status, 415);
    assert.equal(badType.headers.get('Accept'), 'text/plain, application/x-state');
    assert.equal(notifies.length, 1, 'a rejected NOTIFY was reported');
    assert.equal((await fake.notify(req, { cseq: 2, body: 'busy' })).status, 200);
    await until(() => notifies.length === 2, 'the good NOTIFY');
    assert.equal(notifies[1]!.body.toString(), 'busy');
  });

  test('Subscription-State expires is authoritative (RFC 6665 §4.1.3): the refresh moves to 90% of it', async () => {
    const req = await establishNotifyFirst();
    await fake.notify(req, { cseq: 2, state: 'active;expires=100', body: 'x' });
    await until(() => notifies.length === 2, 'NOTIFY');
    await until(() => fake.transactions.size.client === 0 && alice.transactions.size.client === 0, 'quiet');
    clock.advance(89_999);
    await new Promise((r) => setImmediate(r));
    assert.equal(fake.subscribes.length, 1);
    clock.advance(1);
    await until(() => fake.subscribes.length === 2, 'refresh at 90 s');
  });

  test('a removed subscription is no longer routed: 481', async () => {
    const req = await establishNotifyFirst();
    alice.registry.remove(sub);
    assert.equal((await fake.notify(req, { cseq: 2 })).status, 481);
    // with no member accepting text/plain any more, the UAS core refuses that body first
    assert.equal((await fake.notify(req, { cseq: 2, body: 'x' })).status, 415);
    alice.registry.add(sub);
    assert.equal((await fake.notify(req, { cseq: 2, body: 'x' })).status, 200);
  });

  test('a terminated NOTIFY before the 2xx ends the attempt without a dialog', async () => {
    fake.beforeAnswer = async (req) => {
      await fake.notify(req, { cseq: 1, state: 'terminated;reason=noresource' });
    };
    await sub.start();
    await until(() => ended.length === 1, 'termination');
    assert.deepEqual(ended, [{ reason: 'noresource' }]);
    assert.equal(sub.state, 'terminated');
    assert.equal(sub.dialog, undefined);
  });

  test('stop() while waiting to re-subscribe (probation) ends at once; no SUBSCRIBE follows', async () => {
    const req = await establishNotifyFirst();
    assert.equal((await fake.notify(req, { cseq: 2, state: 'terminated;reason=probation;retry-after=60' })).status, 200);
    await until(() => notifies.length === 2, 'terminated NOTIFY');
    assert.equal(sub.state, 'notify_wait');
    await sub.stop();
    assert.equal(sub.state, 'terminated');
    assert.deepEqual(ended, [{}]);
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(fake.subscribes.length, 1);
  });

  test('constructor checks', () => {
    const base = {
      transactions: alice.transactions, target: NOTIFIER, sentBy: { host: 'alice.test' }, resource: RESOURCE,
      from: 'sip:alice@fake.test', event: 'x-state', accept: [], expires: 600, contact: alice.contact,
    };
    assert.throws(() => new ClientSubscription({ ...base, resource: 'not a uri' }), RangeError);
    assert.throws(() => new ClientSubscription({ ...base, event: 'a b' }), RangeError);
    assert.throws(() => new ClientSubscription({ ...base, expires: -1 }), RangeError);
  });
});
