import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { PublicationManager } from '../../../../src/events/publication/publication-manager.js';
import type { PublicationChange } from '../../../../src/events/publication/publication-manager.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import { MemoryPublicationStore } from '../../../../src/store/memory/publication-store.js';
import type { SipResponse } from '../../../../src/sip/message/message.js';
import type { PublicationRecord } from '../../../../src/store/ports.js';
import type { EventPackage } from '../../../../src/events/event-package.js';
import { BOB, publish, setup, snapshot, testPackage, testPolicy } from './fixture.js';
import type { Fixture, PublishSpec } from './fixture.js';

const HOUR = 3600_000;

function etagOf(res: SipResponse): string {
  const etag = res.headers.get('SIP-ETag');
  assert.ok(etag, `${res.status} ${res.reason} has no SIP-ETag`);
  return etag;
}

/** Waits (bounded) until `cond` holds; store calls take real time. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.fail(`timed out waiting for ${what}`);
}

// RFC 3903 §6 over a whole in-process server: Alice and Carol publish the state of Bob.
describe('PublicationManager (RFC 3903 §6)', () => {
  let f: Fixture;
  before(async () => {
    f = await setup();
  });
  after(() => f.close());

  async function fresh(spec: PublishSpec = {}): Promise<string> {
    const res = await publish(f.alice, { body: 'open', ...spec });
    assert.equal(res.status, 200, res.reason);
    return etagOf(res);
  }

  /** Sends a PUBLISH that must be rejected with `status`, and checks the store did not change. */
  async function rejected(spec: PublishSpec, status: number): Promise<SipResponse> {
    const before = await snapshot(f.memory);
    const changes = f.changes.length;
    const res = await publish(f.alice, spec);
    assert.equal(res.status, status, `${res.status} ${res.reason}`);
    assert.deepEqual(await snapshot(f.memory), before, 'a rejected PUBLISH changed the store');
    assert.equal(f.changes.length, changes, 'a rejected PUBLISH reported a change');
    assert.equal(res.headers.has('SIP-ETag'), false);
    return res;
  }

  test('initial publication: 200 with a new SIP-ETag and the default Expires; stored and reported', async () => {
    const res = await publish(f.alice, { body: 'open', uri: 'sip:initial@ps.test' });
    assert.equal(res.status, 200);
    const etag = etagOf(res);
    assert.match(etag, /^node1\.[A-Za-z0-9]{20}$/);
    assert.equal(res.headers.get('Expires'), '3600');
    const [p] = await f.manager.list('sip:initial@ps.test', 'test-state');
    assert.ok(p);
    assert.equal(p.etag, etag);
    assert.equal(p.body.toString(), 'open');
    assert.equal(p.contentType, 'application/x-state');
    assert.equal(p.publisher, 'sip:alice@alice.test');
    assert.equal(p.source, 'user');
    assert.equal(p.expiresAt, f.clock.now() + HOUR);
    assert.deepEqual(f.changes.at(-1), { resource: 'sip:initial@ps.test', event: 'test-state', kind: 'initial', etag, body: Buffer.from('open') });
  });

  test('the resource is the canonical AOR of the Request-URI (port and parameters dropped)', async () => {
    const etag = await fresh({ uri: 'sip:canon@ps.test:5060;transport=tcp' });
    assert.equal((await f.manager.list('sip:canon@ps.test', 'test-state'))[0]?.etag, etag);
  });

  test('refresh: new entity tag, same state, new expiry; the old tag is no longer valid', async () => {
    const uri = 'sip:refresh@ps.test';
    const first = await fresh({ uri });
    const stored = (await f.manager.list(uri, 'test-state'))[0]!;
    f.clock.advance(HOUR / 2);
    const res = await publish(f.alice, { uri, ifMatch: first, expires: 600 });
    assert.equal(res.status, 200);
    const second = etagOf(res);
    assert.notEqual(second, first);
    assert.equal(res.headers.get('Expires'), '600');
    const [p, ...rest] = await f.manager.list(uri, 'test-state');
    assert.equal(rest.length, 0);
    assert.deepEqual({ ...p!, body: p!.body.toString() }, {
      ...stored, body: 'open', etag: second, expiresAt: f.clock.now() + 600_000,
    });
    assert.deepEqual(f.changes.at(-1), { resource: uri, event: 'test-state', kind: 'refresh', etag: second, previousEtag: first });
    await rejected({ uri, ifMatch: first }, 412);
  });

  test('modify: new entity tag, replaced state; the old tag is no longer valid', async () => {
    const uri = 'sip:modify@ps.test';
    const first = await fresh({ uri });
    f.clock.advance(1000);
    const res = await publish(f.alice, { uri, ifMatch: first, body: 'closed', type: 'text/plain' });
    assert.equal(res.status, 200);
    const second = etagOf(res);
    assert.notEqual(second, first);
    const [p] = await f.manager.list(uri, 'test-state');
    assert.equal(p!.body.toString(), 'closed');
    assert.equal(p!.contentType, 'text/plain');
    assert.equal(p!.modifiedAt, f.clock.now());
    assert.equal(p!.createdAt, f.clock.now() - 1000);
    assert.deepEqual(f.changes.at(-1), { resource: uri, event: 'test-state', kind: 'modify', etag: second, previousEtag: first, body: Buffer.from('closed') });
    await rejected({ uri, ifMatch: first, body: 'again' }, 412);
  });

  test('remove: Expires 0 with SIP-If-Match deletes the state; 200 with Expires 0 and a SIP-ETag', async () => {
    const uri = 'sip:remove@ps.test';
    const etag = await fresh({ uri });
    const res = await publish(f.alice, { uri, ifMatch: etag, expires: 0 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Expires'), '0');
    assert.notEqual(etagOf(res), etag);
    assert.deepEqual(await f.store.listByResource(uri, 'test-state'), []);
    assert.deepEqual(f.changes.at(-1), { resource: uri, event: 'test-state', kind: 'remove', etag });
    await rejected({ uri, ifMatch: etag }, 412);
  });

  test('an initial PUBLISH with Expires 0 is answered 200 and stores nothing (RFC 3903 §6 step 5)', async () => {
    const uri = 'sip:zero@ps.test';
    const changes = f.changes.length;
    const res = await publish(f.alice, { uri, body: 'open', expires: 0 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Expires'), '0');
    assert.ok(res.headers.get('SIP-ETag'));
    assert.deepEqual(await f.store.listByResource(uri, 'test-state'), []);
    assert.equal(f.changes.length, changes);
  });

  test('expiry: removed when the granted interval has passed, reported as expire', async () => {
    const uri = 'sip:expire@ps.test';
    const etag = await fresh({ uri, expires: 120 });
    f.clock.advance(119_999);
    assert.equal((await f.manager.list(uri, 'test-state')).length, 1);
    f.clock.advance(1);
    await until(async () => (await f.store.listByResource(uri, 'test-state')).length === 0, 'expiry');
    assert.deepEqual(f.changes.at(-1), { resource: uri, event: 'test-state', kind: 'expire', etag });
    await rejected({ uri, ifMatch: etag }, 412);
  });

  test('a refresh cancels the expiry of the tag it replaces', async () => {
    const uri = 'sip:rearm@ps.test';
    const first = await fresh({ uri, expires: 120 });
    f.clock.advance(100_000);
    const second = etagOf(await publish(f.alice, { uri, ifMatch: first, expires: 120 }));
    f.clock.advance(100_000);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual((await f.manager.list(uri, 'test-state')).map((p) => p.etag), [second]);
    f.clock.advance(20_000);
    await until(async () => (await f.store.listByResource(uri, 'test-state')).length === 0, 'expiry of the refreshed tag');
  });

  test('412 for an unknown entity tag', async () => {
    await fresh({ uri: 'sip:u412@ps.test' });
    await rejected({ uri: 'sip:u412@ps.test', ifMatch: 'node1.nosuchtag' }, 412);
    await rejected({ uri: 'sip:u412@ps.test', ifMatch: 'node1.nosuchtag', body: 'open' }, 412);
  });

  test('412 for a stored tag that has expired but not yet been removed (e.g. before recover())', async () => {
    const now = f.clock.now();
    const p: PublicationRecord = {
      etag: 'node0.stale', resource: 'sip:stale@ps.test', event: 'test-state', expiresAt: now - 1,
      contentType: 'text/plain', body: Buffer.from('old'), source: 'user', publisher: 'sip:alice@alice.test',
      createdAt: now - HOUR, modifiedAt: now - HOUR,
    };
    await f.memory.put(p);
    await rejected({ uri: 'sip:stale@ps.test', ifMatch: 'node0.stale' }, 412);
    assert.deepEqual(await f.manager.list('sip:stale@ps.test', 'test-state'), [], 'list() shows no expired publication');
    await f.memory.remove('node0.stale');
  });

  test('412 for a tag of another resource, and for a tag of another event', async () => {
    const etag = await fresh({ uri: 'sip:owner@ps.test' });
    await rejected({ uri: 'sip:thief@ps.test', ifMatch: etag }, 412);
    await rejected({ uri: 'sip:owner@ps.test', event: 'other', ifMatch: etag }, 412);
    await rejected({ uri: 'sip:owner@ps.test', event: 'other', ifMatch: etag, expires: 0 }, 412);
  });

  test('423 with Min-Expires for 0 < Expires < minimum; above the maximum the maximum is granted', async () => {
    const res = await rejected({ uri: 'sip:brief@ps.test', body: 'open', expires: 59 }, 423);
    assert.equal(res.headers.get('Min-Expires'), '60');
    const etag = await fresh({ uri: 'sip:brief@ps.test', expires: 60 });
    await rejected({ uri: 'sip:brief@ps.test', ifMatch: etag, expires: 1 }, 423);
    const long = await publish(f.alice, { uri: 'sip:brief@ps.test', ifMatch: etag, expires: 1_000_000 });
    assert.equal(long.status, 200);
    assert.equal(long.headers.get('Expires'), '7200');
  });

  test('415 with the package types in Accept for a type of another package', async () => {
    const res = await rejected({ uri: 'sip:types@ps.test', body: 'open', type: 'application/x-other' }, 415);
    assert.equal(res.headers.get('Accept'), 'application/x-state, text/plain');
    // a type no package takes is refused by the UAS core with the union of the publication types
    const core = await rejected({ uri: 'sip:types@ps.test', body: 'open', type: 'image/png' }, 415);
    assert.deepEqual(core.headers.get('Accept')!.split(', ').sort(), ['application/x-other', 'application/x-state', 'text/plain']);
  });

  test('413 for a body above maxBodyBytes; 400 naming the defect when the package rejects the document', async () => {
    await rejected({ uri: 'sip:big@ps.test', body: 'x'.repeat(101) }, 413);
    const etag = await fresh({ uri: 'sip:big@ps.test', body: 'x'.repeat(100) });
    await rejected({ uri: 'sip:big@ps.test', ifMatch: etag, body: 'x'.repeat(101) }, 413);
    const res = await rejected({ uri: 'sip:big@ps.test', ifMatch: etag, body: 'this is bad' }, 400);
    assert.equal(res.reason, 'Bad Request: the document says bad');
    await rejected({ uri: 'sip:big@ps.test', body: 'bad' }, 400);
  });

  test('489 with Allow-Events of the publishable packages for an unknown, subscribe-only or missing Event', async () => {
    for (const event of ['nosuch', 'sub-only', null, 'Test-state']) {
      const res = await rejected({ uri: 'sip:events@ps.test', event, body: 'open' }, 489);
      assert.equal(res.headers.get('Allow-Events'), 'test-state, other, long');
    }
  });

  test('400 for an initial PUBLISH without body, several SIP-If-Match values, or a bad Expires', async () => {
    await rejected({ uri: 'sip:bad@ps.test' }, 400);
    const etag = await fresh({ uri: 'sip:bad@ps.test' });
    const req = f.alice.request('PUBLISH', 'sip:bad@ps.test', [['Event', 'test-state'], ['SIP-If-Match', etag], ['SIP-If-Match', etag]]);
    const before = await snapshot(f.memory);
    assert.equal((await f.alice.send(req, { transport: 'LOOP', address: 'ps.test', port: 5060 })).status, 400);
    assert.deepEqual(await snapshot(f.memory), before);
    const bad = f.alice.request('PUBLISH', 'sip:bad@ps.test', [['Event', 'test-state'], ['SIP-If-Match', etag], ['Expires', 'soon']]);
    assert.equal((await f.alice.send(bad, { transport: 'LOOP', address: 'ps.test', port: 5060 })).status, 400);
    assert.deepEqual(await snapshot(f.memory), before);
  });

  test('404 for a Request-URI without a user part (RFC 3903 §6 step 1)', async () => {
    await rejected({ uri: 'sip:ps.test', body: 'open' }, 404);
  });

  test('every success gets a new entity tag and retires the previous one', async () => {
    const uri = 'sip:chain@ps.test';
    const tags = [await fresh({ uri })];
    for (let i = 0; i < 6; i++) {
      const spec: PublishSpec = i % 2 ? { uri, ifMatch: tags.at(-1)! } : { uri, ifMatch: tags.at(-1)!, body: `v${i}` };
      tags.push(etagOf(await publish(f.alice, spec)));
    }
    assert.equal(new Set(tags).size, tags.length);
    for (const old of tags.slice(0, -1)) await rejected({ uri, ifMatch: old }, 412);
    const [p, ...rest] = await f.manager.list(uri, 'test-state');
    assert.equal(rest.length, 0);
    assert.equal(p!.etag, tags.at(-1));
    assert.equal(p!.body.toString(), 'v4');
  });

  test('one presentity, two publishers: each publication is changed and removed on its own', async () => {
    const uri = 'sip:shared@ps.test';
    const a = etagOf(await publish(f.alice, { uri, body: 'alice' }));
    const c = etagOf(await publish(f.carol, { uri, body: 'carol' }));
    let list = await f.manager.list(uri, 'test-state');
    assert.deepEqual(list.map((p) => [p.etag, p.publisher, p.body.toString()]), [
      [a, 'sip:alice@alice.test', 'alice'],
      [c, 'sip:carol@carol.test', 'carol'],
    ]);
    const c2 = etagOf(await publish(f.carol, { uri, ifMatch: c, body: 'carol2' }));
    assert.equal((await publish(f.alice, { uri, ifMatch: a, expires: 0 })).status, 200);
    list = await f.manager.list(uri, 'test-state');
    assert.deepEqual(list.map((p) => [p.etag, p.body.toString()]), [[c2, 'carol2']]);
    // publications of another event for the same resource are apart
    const o = etagOf(await publish(f.alice, { uri, event: 'other', body: 'o', type: 'application/x-other' }));
    assert.deepEqual((await f.manager.list(uri, 'other')).map((p) => p.etag), [o]);
    assert.equal((await f.manager.list(uri, 'test-state')).length, 1);
  });

  test('PUBLISHes for one resource are applied one at a time in arrival order', async () => {
    const uri = 'sip:race@ps.test';
    const e0 = await fresh({ uri });
    // 50 modifies of the same entity tag sent at once: only the first to arrive may match it.
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => publish(f.alice, { uri, ifMatch: e0, body: `m${i}` })),
    );
    assert.equal(responses[0]!.status, 200);
    assert.deepEqual(responses.slice(1).map((r) => r.status), Array(49).fill(412));
    const [p, ...rest] = await f.manager.list(uri, 'test-state');
    assert.equal(rest.length, 0);
    assert.equal(p!.etag, etagOf(responses[0]!));
    assert.equal(p!.body.toString(), 'm0');
    const chain = f.changes.filter((c) => c.resource === uri);
    assert.deepEqual(chain.map((c) => [c.kind, c.previousEtag, c.etag]), [
      ['initial', undefined, e0],
      ['modify', e0, p!.etag],
    ]);
  });

  test('50 concurrent initial PUBLISHes are stored in arrival order with distinct tags', async () => {
    const uri = 'sip:crowd@ps.test';
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => publish(f.alice, { uri, body: `p${i}` })));
    assert.ok(responses.every((r) => r.status === 200));
    const tags = responses.map(etagOf);
    assert.equal(new Set(tags).size, 50);
    const list = await f.manager.list(uri, 'test-state');
    assert.deepEqual(list.map((p) => p.body.toString()), tags.map((_, i) => `p${i}`));
    assert.deepEqual(list.map((p) => p.etag), tags);
    const reported = f.changes.filter((c) => c.resource === uri).map((c) => c.etag);
    assert.deepEqual(reported, tags, 'changes are reported in the order they were applied');
  });

  test('a listener that throws does not affect the PUBLISH; changes also go to diagnostics_channel', async () => {
    const seen: PublicationChange[] = [];
    const onMessage = (m: unknown): void => void seen.push(m as PublicationChange);
    subscribe('presence:publication:initial', onMessage);
    const listener = f.manager.onChange;
    f.manager.onChange = () => {
      throw new Error('listener bug');
    };
    try {
      const etag = await fresh({ uri: 'sip:diag@ps.test' });
      assert.deepEqual(seen, [{ resource: 'sip:diag@ps.test', event: 'test-state', kind: 'initial', etag, body: Buffer.from('open') }]);
    } finally {
      f.manager.onChange = listener;
      unsubscribe('presence:publication:initial', onMessage);
    }
  });

});

describe('PublicationManager limits and restart', () => {
  test('a resource with too many pending PUBLISHes gets 503 with Retry-After (RFC 3903 §9); others are unaffected', async () => {
    const f = await setup({ maxPendingPerResource: 3, retryAfterSeconds: 2 });
    try {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => publish(f.alice, { uri: 'sip:busy@ps.test', body: `b${i}` })),
      );
      const busy = responses.filter((r) => r.status === 503);
      assert.ok(busy.length > 0, 'no 503');
      assert.ok(busy.every((r) => r.headers.get('Retry-After') === '2'));
      const ok = responses.filter((r) => r.status === 200);
      assert.equal(ok.length + busy.length, 10);
      assert.equal((await f.manager.list('sip:busy@ps.test', 'test-state')).length, ok.length);
      assert.equal((await publish(f.alice, { uri: 'sip:calm@ps.test', body: 'c' })).status, 200);
    } finally {
      await f.close();
    }
  });

  test('recover(): publications survive a restart; expired ones are removed and reported', async () => {
    const f = await setup();
    try {
      const keep = etagOf(await publish(f.alice, { uri: BOB, body: 'keep', expires: 7200 }));
      const lose = etagOf(await publish(f.carol, { uri: BOB, body: 'lose', expires: 60 }));
      await f.manager.close();
      f.clock.advance(HOUR);
      const before = f.changes.length;
      const m2 = f.restart();
      assert.deepEqual(await m2.recover(), { active: 1, expired: 1 });
      assert.deepEqual(f.changes.slice(before), [{ resource: BOB, event: 'test-state', kind: 'expire', etag: lose }]);
      assert.deepEqual((await m2.list(BOB, 'test-state')).map((p) => p.etag), [keep]);
      // the entity tag given before the restart is still valid
      const res = await publish(f.alice, { uri: BOB, ifMatch: keep, body: 'kept', expires: 7200 });
      assert.equal(res.status, 200);
      const next = etagOf(res);
      f.clock.advance(HOUR);
      await new Promise((r) => setTimeout(r, 10));
      assert.equal((await m2.list(BOB, 'test-state')).length, 1, 'the old timer of the modified tag did not fire');
      f.clock.advance(HOUR);
      await until(async () => (await f.store.listByResource(BOB, 'test-state')).length === 0, 'expiry after restart');
      assert.deepEqual(f.changes.at(-1), { resource: BOB, event: 'test-state', kind: 'expire', etag: next });
    } finally {
      await f.close();
    }
  });

  test('a recovered publication expires on schedule without any PUBLISH', async () => {
    const f = await setup();
    try {
      const etag = etagOf(await publish(f.alice, { uri: BOB, body: 'x', expires: 600 }));
      await f.manager.close();
      const m2 = f.restart();
      assert.deepEqual(await m2.recover(), { active: 1, expired: 0 });
      f.clock.advance(600_000);
      await until(async () => (await f.store.listAll()).length === 0, 'recovered expiry');
      assert.deepEqual(f.changes.at(-1), { resource: BOB, event: 'test-state', kind: 'expire', etag });
    } finally {
      await f.close();
    }
  });

  test('an expiry longer than the largest timer (2^31-1 ms) is re-armed, not fired early', async () => {
    const f = await setup();
    try {
      const uri = 'sip:long@ps.test';
      const res = await publish(f.alice, { uri, event: 'long', body: 'x', type: 'text/plain', expires: 30 * 24 * 3600 });
      assert.equal(res.headers.get('Expires'), String(30 * 24 * 3600));
      f.clock.advance(0x7fffffff);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await f.store.listByResource(uri, 'long')).length, 1);
      f.clock.advance(30 * 24 * HOUR - 0x7fffffff);
      await until(async () => (await f.store.listByResource(uri, 'long')).length === 0, 'long expiry');
    } finally {
      await f.close();
    }
  });

  test('a failed removal of an expired publication is tried again 5 s later', async () => {
    const f = await setup();
    try {
      const uri = 'sip:retry@ps.test';
      const etag = etagOf(await publish(f.alice, { uri, body: 'x', expires: 60 }));
      f.store.failNextRemove = true;
      f.clock.advance(60_000);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await f.store.listByResource(uri, 'test-state')).length, 1, 'the failing removal removed nothing');
      assert.deepEqual(await f.manager.list(uri, 'test-state'), []);
      assert.equal(f.changes.at(-1)?.kind, 'initial');
      f.clock.advance(4_999);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await f.store.listByResource(uri, 'test-state')).length, 1);
      f.clock.advance(1);
      await until(async () => (await f.store.listByResource(uri, 'test-state')).length === 0, 'retried expiry');
      assert.deepEqual(f.changes.at(-1), { resource: uri, event: 'test-state', kind: 'expire', etag });
    } finally {
      await f.close();
    }
  });

  test('nodeId must be a token', () => {
    const identity = new LocalIdentity();
    const base = { store: new MemoryPublicationStore(), identity, packageFor: () => undefined, packages: () => [] };
    assert.throws(() => new PublicationManager({ ...base, nodeId: 'node 1' }), RangeError);
    assert.throws(() => new PublicationManager({ ...base, nodeId: 'n', maxPendingPerResource: 0 }), RangeError);
    assert.throws(() => new PublicationManager({ ...base, nodeId: 'n', retryAfterSeconds: 0.5 }), RangeError);
  });

  test('accept: the union of the publishable packages\' types, kept until a package is registered', () => {
    const packages: EventPackage[] = [testPackage('sub-only')];
    const m = new PublicationManager({ store: new MemoryPublicationStore(), identity: new LocalIdentity(), nodeId: 'n', packageFor: () => undefined, packages: () => packages });
    assert.deepEqual(m.publishHandler.accept, []);
    packages.push(testPackage('a', testPolicy(['text/plain', 'application/x-a'])));
    const accept = m.publishHandler.accept;
    assert.deepEqual(accept, ['text/plain', 'application/x-a']);
    assert.equal(m.publishHandler.accept, accept, 'the same list while the packages are the same');
    packages.push(testPackage('b', testPolicy(['application/x-b', 'text/plain'])));
    assert.deepEqual(m.publishHandler.accept, ['text/plain', 'application/x-a', 'application/x-b']);
  });
});
