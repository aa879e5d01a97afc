import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe as listen, unsubscribe as unlisten } from 'node:diagnostics_channel';
import { createResponse } from '../../../../src/sip/message/response.js';
import { serialize } from '../../../../src/sip/message/serialize.js';
import { SipPeer } from '../../../support/sip-peer.js';
import {
  BOB_AOR, PS, cseqOf, notifiesOf, nthNotify, resubscribe, settle, setup, subscribe,
} from './fixture.js';
import type { Fixture } from './fixture.js';

// RFC 6665 §4.2.1: SUBSCRIBE processing by the notifier, Alice subscribing to Bob over LOOP.
describe('Notifier: SUBSCRIBE', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });
  afterEach(async () => {
    await f.close();
  });

  test('an initial SUBSCRIBE gets 200 with Expires, To tag and Contact, then a NOTIFY on the new dialog', async () => {
    f.pkg.state.set(BOB_AOR, 'open');
    const { res, dialog } = await subscribe(f.alice);
    assert.equal(res.status, 200);
    // RFC 6665 §3.1.1: a 200 to SUBSCRIBE MUST carry Expires (here the package default).
    assert.equal(res.headers.get('Expires'), '600');
    assert.ok(dialog.remoteTag.length >= 8);
    assert.equal(res.headers.get('Contact'), '<sip:ps.test:5060;transport=loop>');
    const notify = await nthNotify(dialog, 1);
    // RFC 3261 §12.2.1.1: Request-URI = remote target (Alice's Contact), tags swapped, same Call-ID.
    assert.equal(notify.uri, `sip:alice@${f.alice.host}:${f.alice.port};transport=loop`);
    assert.match(notify.headers.get('To')!, new RegExp(`;tag=${dialog.localTag}$`));
    assert.match(notify.headers.get('From')!, new RegExp(`^<${BOB_AOR}>;tag=${dialog.remoteTag}$`));
    assert.equal(notify.headers.get('Call-ID'), dialog.callId);
    assert.equal(notify.headers.get('CSeq'), '1 NOTIFY');
    assert.equal(notify.headers.get('Event'), 'x-test');
    // RFC 6665 §4.2.2: active and pending carry expires, the time remaining.
    assert.equal(notify.headers.get('Subscription-State'), 'active;expires=600');
    assert.equal(notify.headers.get('Contact'), '<sip:ps.test:5060;transport=loop>');
    assert.equal(notify.headers.get('Max-Forwards'), '70');
    // Without Accept, the package's first type (RFC 6665 §3.1.3).
    assert.equal(notify.headers.get('Content-Type'), 'application/x-test+xml');
    assert.equal(notify.body.toString(), 'open');
    assert.match(notify.headers.get('Via')!, /^SIP\/2\.0\/LOOP ps\.test:5060;branch=z9hG4bK/);
    assert.equal(f.notifier.size, 1);
    const stored = await f.store.get(dialog.remoteTag);
    assert.equal(stored?.resource, BOB_AOR);
    assert.equal(stored?.watcher, 'sip:alice@alice.test');
    assert.equal(stored?.state, 'active');
    assert.equal(stored?.localCSeq, 1);
  });

  test('NOTIFY CSeqs increase by one per NOTIFY; the Event id parameter is echoed', async () => {
    const { dialog } = await subscribe(f.alice, { event: 'x-test;id=42' });
    await nthNotify(dialog, 1);
    for (const [i, s] of ['a', 'b', 'c'].entries()) {
      f.pkg.state.set(BOB_AOR, s);
      await f.notifier.notifyResource(BOB_AOR, 'x-test');
      await nthNotify(dialog, i + 2);
    }
    const all = notifiesOf(dialog);
    assert.deepEqual(all.map(cseqOf), [1, 2, 3, 4]);
    assert.deepEqual(all.map((n) => n.headers.get('Event')), Array(4).fill('x-test;id=42'));
    assert.deepEqual(all.map((n) => n.body.toString()), ['none', 'a', 'b', 'c']);
  });

  test('changes queued while a NOTIFY is in progress coalesce: only the newest state is sent', async () => {
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    f.alice.onRequest = () => undefined;
    f.pkg.state.set(BOB_AOR, 'a');
    await f.notifier.notifyResource(BOB_AOR, 'x-test');
    await nthNotify(dialog, 2);
    // NOTIFY 2 is unanswered: b and c wait, and c replaces b.
    for (const s of ['b', 'c']) {
      f.pkg.state.set(BOB_AOR, s);
      await f.notifier.notifyResource(BOB_AOR, 'x-test');
    }
    await settle();
    assert.equal(notifiesOf(dialog).length, 2);
    // Timer F of NOTIFY 2 would end the subscription; a 500 instead keeps it (RFC 6665 §4.2.2) and the
    // newest state goes next. The retransmission-free LOOP lets us answer by sending the 500 directly.
    const pending = notifiesOf(dialog)[1]!;
    await f.alice.transport.send(PS, serialize(createResponse(pending, 500)));
    const third = await nthNotify(dialog, 3);
    assert.equal(third.body.toString(), 'c');
    assert.equal(cseqOf(third), 3);
  });

  test('the Record-Route set is honoured: 200 copies it, NOTIFY goes to the first route with Route lines', async () => {
    const proxy = await SipPeer.start(f.net, 'proxy');
    try {
      const rr1 = `<sip:${proxy.host}:${proxy.port};transport=loop;lr>`;
      const rr2 = '<sip:edge.test;lr;ftag=x>';
      const { res, dialog } = await subscribe(f.alice, { headers: [['Record-Route', `${rr1}, ${rr2}`]] });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('Record-Route'), `${rr1}, ${rr2}`);
      const [notify] = await proxy.waitFor((r) => r.method === 'NOTIFY');
      // RFC 3261 §12.2.1.1: loose routing: Request-URI = remote target, Route = route set in order.
      assert.equal(notify!.uri, `sip:alice@${f.alice.host}:${f.alice.port};transport=loop`);
      assert.equal(notify!.headers.get('Route'), `${rr1}, ${rr2}`);
      assert.equal(notify!.headers.get('Call-ID'), dialog.callId);
      assert.equal(notifiesOf(dialog).length, 0);
    } finally {
      await proxy.close();
    }
  });

  test('an unknown or missing Event gets 489 with Allow-Events (RFC 6665 §4.2.1.1, §4.2.3)', async () => {
    for (const event of ['presence', 'X-test', null]) {
      const { res } = await subscribe(f.alice, { event });
      assert.equal(res.status, 489);
      assert.equal(res.headers.get('Allow-Events'), 'x-test, x-plain');
    }
    assert.equal(f.notifier.size, 0);
  });

  test('Expires: absent is the package default, too short is 423 with Min-Expires, too long is capped', async () => {
    const short = await subscribe(f.alice, { expires: 30 });
    assert.equal(short.res.status, 423);
    assert.equal(short.res.headers.get('Min-Expires'), '60');
    const long = await subscribe(f.alice, { expires: 99_999 });
    assert.equal(long.res.status, 200);
    assert.equal(long.res.headers.get('Expires'), '3600');
    assert.equal((await nthNotify(long.dialog, 1)).headers.get('Subscription-State'), 'active;expires=3600');
    const exact = await subscribe(f.alice, { expires: 60 });
    assert.equal(exact.res.headers.get('Expires'), '60');
    assert.equal(f.notifier.size, 2);
  });

  test('Accept: repeated lines merge; the first acceptable type in package order is sent; none is 406', async () => {
    const plain = await subscribe(f.alice, { accept: ['text/html', 'text/plain'] });
    assert.equal(plain.res.status, 200);
    assert.equal((await nthNotify(plain.dialog, 1)).headers.get('Content-Type'), 'text/plain');
    const both = await subscribe(f.alice, { accept: ['text/*, application/x-test+xml;q=0.5'] });
    assert.equal((await nthNotify(both.dialog, 1)).headers.get('Content-Type'), 'application/x-test+xml');
    const none = await subscribe(f.alice, { accept: ['text/html, application/x-test+xml;q=0'] });
    // RFC 6665 §4.1.2.1: an Accept without any type the notifier can send gets 406.
    assert.equal(none.res.status, 406);
    assert.equal(f.notifier.size, 2);
  });

  test('a SUBSCRIBE body must be of a type the package takes: else 415 with Accept', async () => {
    const ok = await subscribe(f.alice, { body: 'only-tuple-1' });
    assert.equal(ok.res.status, 200);
    assert.equal((await nthNotify(ok.dialog, 1)).body.toString(), 'none|only-tuple-1');
    // No package takes application/sdp: the UAS core answers for every package.
    const sdp = await subscribe(f.alice, { body: 'v=0', type: 'application/sdp' });
    assert.equal(sdp.res.status, 415);
    assert.equal(sdp.res.headers.get('Accept'), 'application/x-filter');
    // x-plain takes no body at all.
    const plain = await subscribe(f.alice, { event: 'x-plain', body: 'f' });
    assert.equal(plain.res.status, 415);
    assert.equal(plain.res.headers.get('Accept'), '');
  });

  test('a Request-URI without a user part is 404 (no resource)', async () => {
    const { res } = await subscribe(f.alice, { uri: 'sip:ps.test' });
    assert.equal(res.status, 404);
  });

  test('a refused subscription gets 403 and nothing is stored (RFC 6665 §4.2.1.3)', async () => {
    f.pkg.decisions.set('sip:alice@alice.test', 'rejected');
    const { res } = await subscribe(f.alice);
    assert.equal(res.status, 403);
    assert.deepEqual(await f.store.listAll(), []);
    assert.equal(f.notifier.size, 0);
  });

  test('pending: NOTIFY pending;expires without a body, then active with the state after reauthorize', async () => {
    f.pkg.state.set(BOB_AOR, 'open');
    f.pkg.decisions.set('sip:alice@alice.test', 'pending');
    const { res, dialog } = await subscribe(f.alice);
    assert.equal(res.status, 200);
    const first = await nthNotify(dialog, 1);
    assert.equal(first.headers.get('Subscription-State'), 'pending;expires=600');
    assert.equal(first.headers.has('Content-Type'), false);
    assert.equal(first.body.length, 0);
    f.pkg.decisions.set('sip:alice@alice.test', 'active');
    await f.notifier.reauthorize(BOB_AOR, 'x-test');
    const second = await nthNotify(dialog, 2);
    assert.equal(second.headers.get('Subscription-State'), 'active;expires=600');
    assert.equal(second.body.toString(), 'open');
    assert.equal((await f.store.get(dialog.remoteTag))?.state, 'active');
  });

  test('reauthorize: unchanged sends nothing; polite-block shows the neutral document; rejected ends it', async () => {
    f.pkg.state.set(BOB_AOR, 'open');
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    await f.notifier.reauthorize(BOB_AOR, 'x-test');
    f.pkg.decisions.set('sip:alice@alice.test', 'polite-block');
    await f.notifier.reauthorize(BOB_AOR, 'x-test');
    const blocked = await nthNotify(dialog, 2);
    assert.equal(cseqOf(blocked), 2);
    assert.equal(blocked.headers.get('Subscription-State'), 'active;expires=600');
    assert.equal(blocked.body.toString(), 'neutral');
    f.pkg.decisions.set('sip:alice@alice.test', 'rejected');
    await f.notifier.reauthorize(BOB_AOR, 'x-test');
    const end = await nthNotify(dialog, 3);
    assert.equal(end.headers.get('Subscription-State'), 'terminated;reason=rejected');
    assert.equal(end.body.length, 0);
    assert.equal(await f.store.get(dialog.remoteTag), undefined);
    assert.equal((await resubscribe(dialog, { expires: 600 })).status, 481);
  });

  test('refresh: 200 with the granted Expires, a NOTIFY follows, expiry and Contact updated', async () => {
    const { dialog } = await subscribe(f.alice, { expires: 600 });
    await nthNotify(dialog, 1);
    await settle(); // the 200 to the NOTIFY reaches the server before time moves (else Timer F fires)
    f.clock.advance(100_000);
    const res = await resubscribe(dialog, { expires: 1200 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Expires'), '1200');
    const notify = await nthNotify(dialog, 2);
    // RFC 6665 §4.2.1.2: a NOTIFY follows every refresh, with the new time remaining.
    assert.equal(notify.headers.get('Subscription-State'), 'active;expires=1200');
    assert.equal(cseqOf(notify), 2);
    const stored = await f.store.get(dialog.remoteTag);
    assert.equal(stored?.expiresAt, f.clock.now() + 1_200_000);
    assert.equal(stored?.remoteCSeq, 2);
    assert.equal(f.pkg.authorized.at(-1)?.method, 'SUBSCRIBE');
    // The refresh also obeys 423 and leaves the subscription as it was.
    const short = await resubscribe(dialog, { expires: 10 });
    assert.equal(short.status, 423);
    assert.equal((await f.store.get(dialog.remoteTag))?.expiresAt, f.clock.now() + 1_200_000);
  });

  test('in-dialog errors: unknown dialog 481, CSeq not above the last 500, other Event 403', async () => {
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    assert.equal((await resubscribe(dialog, { toTag: 'nosuchtag' })).status, 481);
    assert.equal((await resubscribe({ ...dialog, callId: 'other-call' })).status, 481);
    assert.equal((await resubscribe({ ...dialog, localTag: 'otherfrom' })).status, 481);
    // RFC 3261 §12.2.2: lower (or equal) CSeq is out of order: 500.
    assert.equal((await resubscribe(dialog, { cseq: 1 })).status, 500);
    // RFC 6665 §4.5.2: no dialog sharing.
    assert.equal((await resubscribe(dialog, { event: 'x-plain' })).status, 403);
    assert.equal((await resubscribe(dialog, { cseq: 9 })).status, 200);
    assert.equal((await f.store.get(dialog.remoteTag))?.remoteCSeq, 9);
  });

  test('unsubscribe (Expires 0): 200, NOTIFY terminated;reason=timeout with the state, then gone', async () => {
    f.pkg.state.set(BOB_AOR, 'open');
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    const res = await resubscribe(dialog, { expires: 0 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Expires'), '0');
    const last = await nthNotify(dialog, 2);
    assert.equal(last.headers.get('Subscription-State'), 'terminated;reason=timeout');
    assert.equal(cseqOf(last), 2);
    assert.equal(last.body.toString(), 'open');
    assert.equal(await f.store.get(dialog.remoteTag), undefined);
    assert.equal(f.notifier.size, 0);
    assert.equal((await resubscribe(dialog, { expires: 600 })).status, 481);
  });

  test('fetch (initial Expires 0): one NOTIFY terminated;reason=timeout with the state, nothing stored', async () => {
    f.pkg.state.set(BOB_AOR, 'busy');
    const { res, dialog } = await subscribe(f.alice, { expires: 0 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Expires'), '0');
    const n = await nthNotify(dialog, 1);
    assert.equal(n.headers.get('Subscription-State'), 'terminated;reason=timeout');
    assert.equal(cseqOf(n), 1);
    assert.equal(n.body.toString(), 'busy');
    assert.deepEqual(await f.store.listAll(), []);
    assert.equal(f.notifier.size, 0);
    assert.equal((await resubscribe(dialog, { expires: 600 })).status, 481);
  });

  test('diagnostics channels report creation, refresh and termination', async () => {
    const seen: string[] = [];
    const on = (name: string) => (msg: unknown): void => {
      seen.push(`${name}:${(msg as { reason?: string }).reason ?? (msg as { expires: number }).expires}`);
    };
    const handlers = {
      'presence:subscription:created': on('created'),
      'presence:subscription:refreshed': on('refreshed'),
      'presence:subscription:terminated': on('terminated'),
    };
    for (const [n, h] of Object.entries(handlers)) listen(n, h);
    try {
      const { dialog } = await subscribe(f.alice, { expires: 120 });
      await resubscribe(dialog, { expires: 300 });
      await resubscribe(dialog, { expires: 0 });
      await nthNotify(dialog, 3);
      assert.deepEqual(seen, ['created:120', 'refreshed:300', 'terminated:timeout']);
    } finally {
      for (const [n, h] of Object.entries(handlers)) unlisten(n, h);
    }
  });
});

describe('Notifier: limits and shutdown', () => {
  test('more subscriptions to one resource than allowed get 480 with Retry-After', async () => {
    const f = await setup({ limits: { maxSubscriptionsPerResource: 1, retryAfterSeconds: 90 } });
    try {
      const first = await subscribe(f.alice);
      assert.equal(first.res.status, 200);
      const second = await subscribe(f.carol);
      assert.equal(second.res.status, 480);
      assert.equal(second.res.headers.get('Retry-After'), '90');
      // A fetch stores nothing and is not limited; an ended subscription frees its place.
      assert.equal((await subscribe(f.carol, { expires: 0 })).res.status, 200);
      await resubscribe(first.dialog, { expires: 0 });
      assert.equal((await subscribe(f.carol)).res.status, 200);
    } finally {
      await f.close();
    }
  });

  test('after close(), SUBSCRIBE gets 503 and expiry sends nothing', async () => {
    const f = await setup();
    try {
      const { dialog } = await subscribe(f.alice);
      await nthNotify(dialog, 1);
      f.notifier.close();
      assert.equal((await subscribe(f.alice)).res.status, 503);
      f.clock.advance(700_000);
      await new Promise((r) => setImmediate(r));
      assert.equal(notifiesOf(dialog).length, 1);
      assert.ok(await f.store.get(dialog.remoteTag), 'the subscription stays stored for recovery');
    } finally {
      await f.close();
    }
  });
});
