import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionError } from '../../../../src/events/subscriber/client-subscription.js';
import { DigestAuthenticator } from '../../../../src/sip/auth/digest-server.js';
import { ha1 } from '../../../../src/util/digest/digest.js';
import type { MethodHandler } from '../../../../src/sip/core/user-agent-core.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';
import { BOB, quiet, setup } from './fixture.js';
import type { Fixture } from './fixture.js';
import { until } from './watcher.js';

/** The subscription the notifier keeps for Alice (there must be exactly one). */
async function serverRecord(f: Fixture): Promise<SubscriptionRecord> {
  const all = await f.store.listByResource(BOB, 'x-state');
  assert.equal(all.length, 1, `${all.length} subscriptions stored`);
  return all[0]!;
}

// The subscriber (RFC 6665 §4.1) against the project's notifier over LOOP.
describe('ClientSubscription (RFC 6665 §4.1) against the notifier', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
    f.pkg.state.set(BOB, 'open');
  });
  afterEach(() => f.close());

  test('start: SUBSCRIBE, 2xx forms the dialog, the first NOTIFY is reported (active, body, expires)', async () => {
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    assert.deepEqual(w.notifies[0], { state: 'active', expires: 600, contentType: 'text/plain', body: Buffer.from('open') });
    assert.equal(w.sub.state, 'active');
    const rec = await serverRecord(f);
    const d = w.sub.dialog!;
    assert.equal(d.callId, rec.callId);
    assert.equal(d.localTag, rec.remoteTag);
    assert.equal(d.remoteTag, rec.localTag);
    assert.equal(d.localSeq, 1);
    assert.equal(rec.remoteTarget, f.alice.contact);
    assert.deepEqual(rec.accept, ['text/plain']);
  });

  test('state changes arrive as NOTIFYs in order', async () => {
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    for (const [i, s] of ['busy', 'away', 'open'].entries()) {
      f.pkg.state.set(BOB, s);
      await f.notifier.notifyResource(BOB, 'x-state');
      await until(() => w.notifies.length === i + 2, `NOTIFY ${i + 2}`);
    }
    assert.deepEqual(w.notifies.map((n) => n.body.toString()), ['open', 'busy', 'away', 'open']);
  });

  test('refresh before expiry: in-dialog SUBSCRIBE with the next CSeq; the notifier extends it', async () => {
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    await quiet(f);
    const before = (await serverRecord(f)).expiresAt;
    f.clock.advance(539_999);
    await new Promise((r) => setImmediate(r));
    assert.equal((await serverRecord(f)).remoteCSeq, 1, 'refreshed too early');
    f.clock.advance(1);
    await until(async () => (await serverRecord(f)).remoteCSeq === 2, 'refresh');
    assert.equal((await serverRecord(f)).expiresAt, before + 540_000);
    assert.equal(w.sub.dialog!.localSeq, 2);
    // RFC 6665 §4.2.1.2: a NOTIFY follows the refresh
    await until(() => w.notifies.length === 2, 'NOTIFY after refresh');
    await quiet(f);
    f.clock.advance(540_000);
    await until(async () => (await serverRecord(f)).remoteCSeq === 3, 'second refresh');
    assert.equal(w.sub.state, 'active');
  });

  test('stop: unsubscribe, the final NOTIFY arrives, and only then stop() resolves', async () => {
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    await w.sub.stop();
    assert.equal(w.sub.state, 'terminated');
    assert.deepEqual(w.notifies.at(-1), { state: 'terminated', reason: 'timeout', contentType: 'text/plain', body: Buffer.from('open') });
    assert.deepEqual(w.ended, [{ reason: 'timeout' }]);
    assert.deepEqual(await f.store.listAll(), []);
    assert.equal(f.alice.registry.size, 1);
    // no refresh after stop
    await quiet(f);
    f.clock.advance(3_600_000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await f.store.listAll(), []);
  });

  test('stop() bounded: without a final NOTIFY it resolves after Timer N', async () => {
    const w = f.watch({ timerNMs: 5_000 });
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    // the notifier disappears: the unsubscribe gets 481, which ends the wait at once
    f.notifier.close();
    f.server.core.register({ method: 'SUBSCRIBE', handle: (req) => createResponse(req, 481) });
    await w.sub.stop();
    assert.equal(w.sub.state, 'terminated');
    assert.deepEqual(w.ended, [{ status: 481 }]);
  });

  test('stop() while the unsubscribe is answered but no NOTIFY comes: Timer N ends the wait', async () => {
    const w = f.watch({ timerNMs: 5_000 });
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    f.server.core.register({ method: 'SUBSCRIBE', handle: (req) => createResponse(req, 200) });
    const stopped = w.sub.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await until(() => f.clock.pending > 0, 'unsubscribe sent');
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(done, false);
    f.clock.advance(5_000);
    await stopped;
    assert.deepEqual(w.ended, [{ reason: 'timeout' }]);
  });

  test('terminated;reason=deactivated: re-subscribes at once with a new Call-ID and From tag', async () => {
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    const first = await serverRecord(f);
    await f.notifier.terminate(first.id, 'deactivated');
    await until(() => w.notifies.length === 3, 'terminated, then the new subscription');
    assert.deepEqual(w.notifies.map((n) => n.state), ['active', 'terminated', 'active']);
    const second = await serverRecord(f);
    assert.notEqual(second.callId, first.callId);
    assert.notEqual(second.remoteTag, first.remoteTag);
    assert.equal(w.sub.dialog!.callId, second.callId);
    assert.equal(w.sub.state, 'active');
    assert.deepEqual(w.ended, []);
  });

  test('terminated;reason=probation;retry-after=120: re-subscribes only after 120 s', async () => {
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    await f.notifier.terminate((await serverRecord(f)).id, 'probation', 120);
    await until(() => w.notifies.length === 2, 'terminated');
    assert.deepEqual(w.notifies[1], { state: 'terminated', reason: 'probation', retryAfter: 120, body: Buffer.alloc(0) });
    assert.equal(w.sub.state, 'notify_wait');
    await quiet(f);
    f.clock.advance(119_999);
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(await f.store.listAll(), []);
    f.clock.advance(1);
    await until(() => w.notifies.length === 3, 'the new subscription');
    assert.equal(w.sub.state, 'active');
  });

  test('terminated;reason=rejected (or noresource): no re-subscription', async () => {
    for (const reason of ['rejected', 'noresource']) {
      const w = f.watch();
      await w.sub.start();
      await until(() => w.notifies.length === 1, 'first NOTIFY');
      await f.notifier.terminate((await serverRecord(f)).id, reason);
      await until(() => w.ended.length === 1, 'termination');
      assert.deepEqual(w.ended, [{ reason }]);
      assert.equal(w.sub.state, 'terminated');
      await quiet(f);
      f.clock.advance(3_600_000);
      await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(await f.store.listAll(), []);
    }
  });

  test('the notifier expiring the subscription (terminated;reason=timeout) leads to a new one', async () => {
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    const first = await serverRecord(f);
    await f.store.put({ ...first, expiresAt: f.clock.now() });
    await f.notifier.terminate(first.id, 'timeout');
    await until(() => w.notifies.length === 3, 're-subscription');
    assert.notEqual((await serverRecord(f)).callId, first.callId);
  });

  test('expires 0 is a fetch (RFC 6665 §4.4.3): one NOTIFY with the state, then terminated without re-subscription', async () => {
    const w = f.watch({ expires: 0 });
    await w.sub.start();
    await until(() => w.ended.length === 1, 'the end of the fetch');
    assert.deepEqual(w.notifies, [{ state: 'terminated', reason: 'timeout', contentType: 'text/plain', body: Buffer.from('open') }]);
    assert.deepEqual(w.ended, [{ reason: 'timeout' }]);
    assert.equal(w.sub.state, 'terminated');
    await quiet(f);
    f.clock.advance(3_600_000);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(w.notifies.length, 1, 'no re-subscription');
    assert.deepEqual(await f.store.listAll(), []);
  });

  test('a refresh answered 481 ends the dialog and a fresh subscription replaces it (RFC 6665 §4.1.2.2)', async () => {
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    const first = await serverRecord(f);
    const handler = f.notifier.subscribeHandler;
    let refused = 0;
    const guard: MethodHandler = {
      method: 'SUBSCRIBE',
      handle(req, ctx) {
        if (/tag=/.test(req.headers.get('To')!)) {
          refused++;
          return createResponse(req, 481);
        }
        return handler.handle(req, ctx);
      },
    };
    f.server.core.register(guard);
    await quiet(f);
    f.clock.advance(540_000);
    await until(() => w.notifies.length === 2, 'new subscription');
    assert.equal(refused, 1);
    const all = await f.store.listAll();
    assert.equal(all.length, 2, 'the old one lingers on the server until it expires; the new one is there');
    assert.ok(all.some((r) => r.callId === w.sub.dialog!.callId && r.callId !== first.callId));
  });

  test('refused SUBSCRIBE: start() rejects with the status; 489 for an unknown package', async () => {
    const w = f.watch({ event: 'nosuch' });
    await assert.rejects(w.sub.start(), (e: unknown) => e instanceof SubscriptionError && e.status === 489);
    assert.equal(w.sub.state, 'terminated');
    assert.deepEqual(w.ended, [{ status: 489 }]);
    f.pkg.decisions.set('sip:alice@ps.test', 'rejected');
    const denied = f.watch();
    await assert.rejects(denied.sub.start(), (e: unknown) => e instanceof SubscriptionError && e.status === 403);
  });

  test('423: retried once with Min-Expires', async () => {
    const w = f.watch({ expires: 30 });
    await w.sub.start();
    const rec = await serverRecord(f);
    assert.equal(rec.expiresAt, f.clock.now() + 60_000);
    await until(() => w.notifies.length === 1, 'first NOTIFY');
  });

  test('pending, then active when the decision changes', async () => {
    f.pkg.decisions.set('sip:alice@ps.test', 'pending');
    const w = f.watch();
    await w.sub.start();
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    assert.equal(w.sub.state, 'pending');
    assert.deepEqual(w.notifies[0], { state: 'pending', expires: 600, body: Buffer.alloc(0) });
    f.pkg.decisions.set('sip:alice@ps.test', 'active');
    await f.notifier.reauthorize(BOB, 'x-state');
    await until(() => w.notifies.length === 2, 'active NOTIFY');
    assert.equal(w.sub.state, 'active');
  });

  test('401: the SUBSCRIBE is answered with Digest credentials once', async () => {
    const auth = new DigestAuthenticator({
      realm: 'ps.test', secret: Buffer.alloc(32, 3), clock: f.clock, nonceTtlSeconds: 3600,
      lookupHa1: async (user, realm, alg) => (user === 'alice' ? ha1('alice', realm, 'pw', alg) : undefined),
    });
    const inner = f.notifier.subscribeHandler;
    let challenged = 0;
    f.server.core.register({
      method: 'SUBSCRIBE',
      async handle(req, ctx) {
        const r = await auth.verify(req);
        if (r.ok) return inner.handle(req, ctx);
        challenged++;
        const res = createResponse(req, r.status, r.reason);
        for (const [n, v] of r.headers) res.headers.append(n, v);
        return res;
      },
    });
    const w = f.watch({ credentials: { username: 'alice', password: 'pw' } });
    await w.sub.start();
    assert.equal(challenged, 1);
    await until(() => w.notifies.length === 1, 'first NOTIFY');
    // the dialog's local sequence number is the CSeq of the authorised retry
    assert.equal(w.sub.dialog!.localSeq, 2);
    await quiet(f);
    f.clock.advance(540_000);
    await until(async () => (await serverRecord(f)).remoteCSeq === 3, 'authorised refresh');
    assert.equal(challenged, 1, 'the refresh carried credentials ahead');
    const bad = f.watch({ credentials: { username: 'alice', password: 'nope' } });
    await assert.rejects(bad.sub.start(), (e: unknown) => e instanceof SubscriptionError && e.status === 401);
    assert.equal(challenged, 3);
  });
});
