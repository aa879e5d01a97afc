import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientPublication, PublicationError } from '../../../../src/events/publication/client-publication.js';
import type { ClientPublicationDelegate, ClientPublicationOptions, PublishResult } from '../../../../src/events/publication/client-publication.js';
import { DigestAuthenticator } from '../../../../src/sip/auth/digest-server.js';
import { ha1 } from '../../../../src/util/digest/digest.js';
import type { MethodHandler } from '../../../../src/sip/core/user-agent-core.js';
import type { SipRequest } from '../../../../src/sip/message/message.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import { BOB, PS, setup } from './fixture.js';
import type { Fixture } from './fixture.js';

/** Records what the delegate hears, and lets a test wait for the next event of a kind. */
class Recorder implements ClientPublicationDelegate {
  readonly events: Array<[string, unknown]> = [];
  private waiters: Array<{ kind: string; resolve: (v: unknown) => void }> = [];
  published(r: PublishResult): void {
    this.push('published', r);
  }
  refreshed(r: PublishResult): void {
    this.push('refreshed', r);
  }
  removed(): void {
    this.push('removed', undefined);
  }
  failed(e: PublicationError): void {
    this.push('failed', e);
  }
  next(kind: string): Promise<unknown> {
    return new Promise((resolve) => this.waiters.push({ kind, resolve }));
  }
  private push(kind: string, v: unknown): void {

    this.events.push([kind, v]);
    const w = this.waiters.filter((x) => x.kind === kind);
    this.waiters = this.waiters.filter((x) => x.kind !== kind);
    for (const x of w) x.resolve(v);
  }
}

// The EPA (RFC 3903 §4, §5) against the ESC of the same project over LOOP.
describe('ClientPublication (RFC 3903 §4-§5)', () => {
  let f: Fixture;
  const open: ClientPublication[] = [];
  before(async () => {
    f = await setup();
  });
  after(async () => {
    for (const c of open) c.stop();
    await f.close();
  });

  function client(extra: Partial<ClientPublicationOptions> = {}): { pub: ClientPublication; rec: Recorder } {
    const pub = new ClientPublication({
      transactions: f.alice.transactions, target: PS, sentBy: { host: 'alice.test' },
      aor: BOB, event: 'test-state', expires: 600, clock: f.clock, ...extra,
    });
    const rec = new Recorder();
    pub.delegate = rec;
    open.push(pub);
    return { pub, rec };
  }

  async function stored(uri = BOB): Promise<Array<[string, string]>> {
    return (await f.manager.list(uri, 'test-state')).map((p) => [p.etag, p.body.toString()]);
  }

  test('initial publication, then modify: each 2xx entity tag replaces the previous one', async () => {
    const uri = 'sip:epa1@ps.test';
    const { pub, rec } = client({ aor: uri });
    const r1 = await pub.publish(Buffer.from('open'), 'text/plain');
    assert.deepEqual(r1, { etag: pub.etag, expires: 600 });
    assert.deepEqual(await stored(uri), [[r1.etag, 'open']]);
    const r2 = await pub.publish(Buffer.from('closed'), 'text/plain');
    assert.notEqual(r2.etag, r1.etag);
    assert.deepEqual(await stored(uri), [[r2.etag, 'closed']]);
    assert.deepEqual(rec.events.map(([k]) => k), ['published', 'published']);
    assert.deepEqual(f.changes.filter((c) => c.resource === uri).map((c) => c.kind), ['initial', 'modify']);
    pub.stop();
  });

  test('automatic refresh at 90% of the granted interval keeps the publication alive', async () => {
    const uri = 'sip:epa2@ps.test';
    const { pub, rec } = client({ aor: uri });
    let { etag } = await pub.publish(Buffer.from('open'), 'text/plain');
    for (let i = 0; i < 3; i++) {
      const refreshed = rec.next('refreshed');
      f.clock.advance(539_999);
      assert.equal(rec.events.filter(([k]) => k === 'refreshed').length, i, 'refreshed too early');
      f.clock.advance(1);
      const r = (await refreshed) as PublishResult;
      assert.notEqual(r.etag, etag);
      etag = r.etag;
      assert.deepEqual(await stored(uri), [[etag, 'open']]);
    }
    assert.deepEqual(f.changes.filter((c) => c.resource === uri).map((c) => c.kind), ['initial', 'refresh', 'refresh', 'refresh']);
    pub.stop();
    f.clock.advance(600_000);
  });

  test('412 after server-side expiry: the state is published again as an initial publication', async () => {
    const uri = 'sip:epa3@ps.test';
    const { pub, rec } = client({ aor: uri, expires: 60 });
    const first = await pub.publish(Buffer.from('open'), 'text/plain');
    pub.stop();
    f.clock.advance(60_000);
    for (let i = 0; i < 100 && (await f.store.listByResource(uri, 'test-state')).length; i++) await new Promise((r) => setTimeout(r, 2));
    const again = await pub.refresh();
    assert.notEqual(again.etag, first.etag);
    assert.deepEqual(await stored(uri), [[again.etag, 'open']]);
    assert.deepEqual(rec.events.map(([k]) => k), ['published', 'published']);
    assert.deepEqual(f.changes.filter((c) => c.resource === uri).map((c) => c.kind), ['initial', 'expire', 'initial']);
    // a modify after expiry recovers the same way, with the new state
    pub.stop();
    f.clock.advance(60_000);
    for (let i = 0; i < 100 && (await f.store.listByResource(uri, 'test-state')).length; i++) await new Promise((r) => setTimeout(r, 2));
    const modified = await pub.publish(Buffer.from('away'), 'text/plain');
    assert.deepEqual(await stored(uri), [[modified.etag, 'away']]);
    pub.stop();
  });

  test('412 to a delta: the full state given with it is published instead of the delta (RFC 5264 §4.2)', async () => {
    const uri = 'sip:epa3b@ps.test';
    const { pub, rec } = client({ aor: uri, expires: 60 });
    const first = await pub.publish(Buffer.from('open'), 'text/plain');
    // A modifying publication with a delta is sent as it is while the entity tag holds.
    let calls = 0;
    const whole = (): { body: Buffer; contentType: string } => ({ body: Buffer.from(`whole ${++calls}`), contentType: 'text/plain' });
    const delta = await pub.publish(Buffer.from('delta 1'), 'text/plain', whole);
    assert.deepEqual(await stored(uri), [[delta.etag, 'delta 1']]);
    assert.equal(calls, 0);
    pub.stop();
    f.clock.advance(60_000);
    for (let i = 0; i < 100 && (await f.store.listByResource(uri, 'test-state')).length; i++) await new Promise((r) => setTimeout(r, 2));
    const again = await pub.publish(Buffer.from('delta 2'), 'text/plain', whole);
    assert.notEqual(again.etag, first.etag);
    assert.deepEqual(await stored(uri), [[again.etag, 'whole 1']]);
    assert.deepEqual(f.changes.filter((c) => c.resource === uri).map((c) => c.kind), ['initial', 'modify', 'expire', 'initial']);
    // The whole state is what later re-publications send too (here: a refresh answered 412).
    pub.stop();
    f.clock.advance(60_000);
    for (let i = 0; i < 100 && (await f.store.listByResource(uri, 'test-state')).length; i++) await new Promise((r) => setTimeout(r, 2));
    const third = await pub.refresh();
    assert.deepEqual(await stored(uri), [[third.etag, 'whole 1']]);
    assert.equal(calls, 1);
    assert.deepEqual(rec.events.map(([k]) => k), ['published', 'published', 'published', 'published']);
    pub.stop();
  });

  test('423: retried once with the Min-Expires value', async () => {
    const uri = 'sip:epa4@ps.test';
    const { pub } = client({ aor: uri, expires: 30 });
    const r = await pub.publish(Buffer.from('open'), 'text/plain');
    assert.equal(r.expires, 60);
    assert.equal((await f.manager.list(uri, 'test-state'))[0]!.expiresAt, f.clock.now() + 60_000);
    pub.stop();
  });

  test('remove: Expires 0 with SIP-If-Match; the state is gone and refreshing stops', async () => {
    const uri = 'sip:epa5@ps.test';
    const { pub, rec } = client({ aor: uri });
    await pub.publish(Buffer.from('open'), 'text/plain');
    await pub.remove();
    assert.equal(pub.etag, undefined);
    assert.deepEqual(await stored(uri), []);
    assert.deepEqual(rec.events.map(([k]) => k), ['published', 'removed']);
    const mine = (): number => f.changes.filter((c) => c.resource === uri).length;
    const before = mine();
    f.clock.advance(600_000);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(mine(), before, 'a refresh was sent after remove()');
    await pub.remove();
    await assert.rejects(pub.refresh(), /nothing is published/);
  });

  test('a refusal rejects with PublicationError and is reported as failed', async () => {
    const { pub, rec } = client({ aor: 'sip:epa6@ps.test', event: 'nosuch' });
    await assert.rejects(pub.publish(Buffer.from('open'), 'text/plain'), (e: unknown) => e instanceof PublicationError && e.status === 489);
    assert.equal(rec.events[0]?.[0], 'failed');
  });

  test('a transport failure reads as 503 (RFC 3261 §8.1.3.1)', async () => {
    const { pub } = client({ target: { transport: 'LOOP', address: 'nowhere.test', port: 5060 } });
    await assert.rejects(pub.publish(Buffer.from('open'), 'text/plain'), (e: unknown) => e instanceof PublicationError && e.status === 503);
  });

  test('a failed automatic refresh is retried after Retry-After', async () => {
    const uri = 'sip:epa7@ps.test';
    const { pub, rec } = client({ aor: uri, expires: 600 });
    await pub.publish(Buffer.from('open'), 'text/plain');
    const real = f.manager.publishHandler;
    let refused = 0;
    f.server.core.register({
      method: 'PUBLISH', accept: real.accept,
      handle(req: SipRequest) {
        refused++;
        const res = createResponse(req, 503);
        res.headers.append('Retry-After', '7');
        return res;
      },
    });
    try {
      const failed = rec.next('failed');
      f.clock.advance(540_000);
      assert.equal(((await failed) as PublicationError).status, 503);
      assert.equal(refused, 1);
    } finally {
      f.server.core.register(real);
    }
    const refreshed = rec.next('refreshed');
    f.clock.advance(7_000);
    await refreshed;
    assert.equal((await f.manager.list(uri, 'test-state')).length, 1);
    pub.stop();
  });
});

describe('ClientPublication authentication', () => {
  let f: Fixture;
  let challenged = 0;
  let proxyMode = false;
  before(async () => {
    f = await setup();
    const auth = new DigestAuthenticator({
      realm: 'ps.test', secret: Buffer.alloc(32, 7), clock: f.clock,
      lookupHa1: async (user, realm, alg) => (user === 'alice' ? ha1('alice', realm, 'secret', alg) : undefined),
    });
    const inner = f.manager.publishHandler;
    const guarded: MethodHandler = {
      method: 'PUBLISH',
      get accept() {
        return inner.accept;
      },
      async handle(req, ctx) {
        const r = await auth.verify(req, { proxy: proxyMode });
        if (!r.ok) {
          challenged++;
          const res = createResponse(req, r.status, r.reason);
          for (const [n, v] of r.headers) res.headers.append(n, v);
          return res;
        }
        return inner.handle(req, ctx);
      },
    };
    f.server.core.register(guarded);
  });
  after(() => f.close());

  test('401: answered once with Digest credentials; later requests carry them ahead', async () => {
    const pub = new ClientPublication({
      transactions: f.alice.transactions, target: PS, sentBy: { host: 'alice.test' },
      aor: BOB, event: 'test-state', expires: 600, clock: f.clock, credentials: { username: 'alice', password: 'secret' },
    });
    challenged = 0;
    const r = await pub.publish(Buffer.from('open'), 'text/plain');
    assert.equal(challenged, 1);
    assert.deepEqual((await f.manager.list(BOB, 'test-state')).map((p) => p.etag), [r.etag]);
    await pub.refresh();
    assert.equal(challenged, 1, 'the refresh was challenged again');
    await pub.remove();
  });

  test('407: answered with Proxy-Authorization', async () => {
    const pub = new ClientPublication({
      transactions: f.alice.transactions, target: PS, sentBy: { host: 'alice.test' },
      aor: 'sip:proxied@ps.test', event: 'test-state', expires: 600, clock: f.clock,
      credentials: { username: 'alice', password: 'secret' },
    });
    challenged = 0;
    proxyMode = true;
    try {
      const r = await pub.publish(Buffer.from('open'), 'text/plain');
      assert.equal(challenged, 1);
      assert.deepEqual((await f.manager.list('sip:proxied@ps.test', 'test-state')).map((p) => p.etag), [r.etag]);
    } finally {
      proxyMode = false;
      pub.stop();
    }
  });

  test('wrong password: one retry only, then the 401 is the failure', async () => {
    const pub = new ClientPublication({
      transactions: f.alice.transactions, target: PS, sentBy: { host: 'alice.test' },
      aor: BOB, event: 'test-state', expires: 600, clock: f.clock, credentials: { username: 'alice', password: 'wrong' },
    });
    challenged = 0;
    await assert.rejects(pub.publish(Buffer.from('open'), 'text/plain'), (e: unknown) => e instanceof PublicationError && e.status === 401);
    assert.equal(challenged, 2);
  });

  test('without credentials a 401 is the failure', async () => {
    const pub = new ClientPublication({
      transactions: f.alice.transactions, target: PS, sentBy: { host: 'alice.test' },
      aor: BOB, event: 'test-state', expires: 600, clock: f.clock,
    });
    await assert.rejects(pub.publish(Buffer.from('open'), 'text/plain'), (e: unknown) => e instanceof PublicationError && e.status === 401);
  });

  test('the constructor refuses a bad AOR or Expires', () => {
    const base = { transactions: f.alice.transactions, target: PS, sentBy: { host: 'alice.test' }, event: 'test-state' };
    assert.throws(() => new ClientPublication({ ...base, aor: 'not a uri', expires: 60 }), RangeError);
    assert.throws(() => new ClientPublication({ ...base, aor: BOB, expires: 0 }), RangeError);
  });
});
