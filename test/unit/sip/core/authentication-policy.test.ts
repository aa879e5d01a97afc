import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriberRegistry } from '../../../../src/hss/subscriber-registry.js';
import { DigestClient } from '../../../../src/sip/auth/digest-client.js';
import { DigestAuthenticator } from '../../../../src/sip/auth/digest-server.js';
import { canonicalAorOfText } from '../../../../src/sip/core/aor-text.js';
import { ANONYMOUS_IDENTITY, AuthenticationPolicy, identityOf } from '../../../../src/sip/core/authentication.js';
import type { AuthenticationPolicyOptions } from '../../../../src/sip/core/authentication.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import { HeaderList } from '../../../../src/sip/message/headers.js';
import { SipRequest } from '../../../../src/sip/message/message.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';
import type { Flow } from '../../../../src/sip/transport/types.js';
import { MemoryStores } from '../../../../src/store/memory/memory-stores.js';
import { FakeClock } from '../../../../src/util/clock.js';

// AuthenticationPolicy on its own: the RequestIdentity it records per request (issue 4 item 5).

const clock = new FakeClock();
const identity = new LocalIdentity();
identity.addDomain('example.com');
const registry = new SubscriberRegistry({
  store: new MemoryStores().subscribers,
  realm: 'example.com',
  canonicalIdentity: (t) => canonicalAorOfText(t),
  clock,
});
await registry.add('sip:alice@example.com', 'pw');
const authenticator = new DigestAuthenticator({
  realm: 'example.com',
  secret: Buffer.alloc(32, 7),
  clock,
  lookupHa1: (u, r, a) => registry.lookupHa1(u, r, a),
});

function policy(opts: Partial<AuthenticationPolicyOptions> = {}): AuthenticationPolicy {
  return new AuthenticationPolicy({ mode: 'digest', identity, authenticator, subscribers: registry, trustedPeers: ['10.1.0.0/16'], ...opts });
}

function flowFrom(remoteAddress: string): Flow {
  return { id: 'udp:1', transport: 'UDP', localAddress: '10.0.0.1', localPort: 5060, remoteAddress, remotePort: 5060 };
}

function request(method: string, from: string, extra: Array<[string, string]> = []): SipRequest {
  const h = new HeaderList();
  h.append('Via', 'SIP/2.0/UDP 10.1.2.3:5060;branch=z9hG4bK1');
  h.append('From', `${from};tag=1`);
  h.append('To', '<sip:bob@example.com>');
  h.append('Call-ID', 'c1');
  h.append('CSeq', `1 ${method}`);
  for (const [n, v] of extra) h.append(n, v);
  return new SipRequest(method, 'sip:bob@example.com', h);
}

test('a challenged request answered correctly is authenticated as the subscriber', async () => {
  const p = policy();
  const first = request('SUBSCRIBE', '<sip:alice@example.com>');
  const challenge = await p.authenticate(first, flowFrom('192.0.2.1'));
  assert.ok(challenge instanceof SipError && challenge.status === 401);
  assert.equal(identityOf(first), undefined, 'nothing is recorded for a rejected request');
  const res = createResponse(first, 401);
  for (const [n, v] of challenge.headers) res.headers.append(n, v);
  const second = request('SUBSCRIBE', '<sip:alice@example.com>');
  assert.ok(new DigestClient({ username: 'alice', password: 'pw' }).authorize(second, res));
  assert.deepEqual(await p.authenticate(second, flowFrom('192.0.2.1')), { identity: 'sip:alice@example.com' });
  assert.deepEqual(identityOf(second), { identity: 'sip:alice@example.com', authenticated: true, asserted: false, anonymous: false });
  assert.equal(p.watcherOf(second), 'sip:alice@example.com');
});

test('a trusted peer\'s P-Asserted-Identity is asserted; with Privacy: id the request is anonymous but still asserted', async () => {
  const p = policy();
  const req = request('PUBLISH', '<sip:alice@example.com>', [['P-Asserted-Identity', '<tel:+1-555-0100>, <sip:bob@EXAMPLE.com;user=phone>']]);
  assert.equal(await p.authenticate(req, flowFrom('::ffff:10.1.9.9')), undefined);
  assert.deepEqual(identityOf(req), { identity: 'sip:bob@example.com', authenticated: false, asserted: true, anonymous: false });
  assert.equal(p.publisherOf(req), 'sip:bob@example.com');
  const anon = request('SUBSCRIBE', '<sip:alice@example.com>', [['P-Asserted-Identity', '<sip:bob@example.com>'], ['Privacy', 'id']]);
  await p.authenticate(anon, flowFrom('10.1.0.1'));
  assert.deepEqual(identityOf(anon), { identity: ANONYMOUS_IDENTITY, authenticated: false, asserted: true, anonymous: true });
});

test('other domains\' users are identified by their From, unauthenticated; an anonymous From is anonymous', async () => {
  const p = policy();
  const req = request('SUBSCRIBE', '<sip:Carol@Elsewhere.ORG:5060>', [['P-Asserted-Identity', '<sip:bob@example.com>']]);
  assert.equal(await p.authenticate(req, flowFrom('192.0.2.1')), undefined);
  assert.deepEqual(identityOf(req), { identity: 'sip:Carol@elsewhere.org', authenticated: false, asserted: false, anonymous: false });
  const anon = request('SUBSCRIBE', '"Anonymous" <sip:anonymous@anonymous.invalid>');
  await p.authenticate(anon, flowFrom('192.0.2.1'));
  assert.deepEqual(identityOf(anon), { identity: ANONYMOUS_IDENTITY, authenticated: false, asserted: false, anonymous: true });
});

test('only REGISTER, PUBLISH and SUBSCRIBE are looked at; outcome() of another request is its unverified From', async () => {
  const p = policy();
  for (const method of ['OPTIONS', 'MESSAGE', 'NOTIFY', 'INFO']) {
    const req = request(method, '<sip:alice@example.com>');
    assert.equal(await p.authenticate(req, flowFrom('192.0.2.1')), undefined, method);
    assert.equal(identityOf(req), undefined);
    assert.deepEqual(p.outcome(req), { identity: 'sip:alice@example.com', authenticated: false, asserted: false, anonymous: false });
  }
});

test('malformed From or Privacy is 400 naming the header; digest mode needs its collaborators', async () => {
  const p = policy();
  const h = request('SUBSCRIBE', '<sip:alice@example.com>');
  h.headers.set('From', 'not a name-addr <');
  const bad = await p.authenticate(h, flowFrom('192.0.2.1'));
  assert.ok(bad instanceof SipError && bad.status === 400 && /From/.test(bad.reason), String(bad));
  const privacy = await p.authenticate(request('SUBSCRIBE', '<sip:carol@elsewhere.org>', [['Privacy', 'id;;']]), flowFrom('192.0.2.1'));
  assert.ok(privacy instanceof SipError && privacy.status === 400 && /Privacy/.test(privacy.reason), String(privacy));
  assert.throws(() => new AuthenticationPolicy({ mode: 'digest', identity }), /needs an authenticator/);
  assert.throws(() => policy({ trustedPeers: ['example.com'] }), /not an IP address or CIDR/);
});

test('auth none challenges nothing and believes the From', async () => {
  const p = new AuthenticationPolicy({ mode: 'none', identity });
  const req = request('REGISTER', '<sip:alice@example.com>');
  assert.equal(await p.authenticate(req, flowFrom('192.0.2.1')), undefined);
  assert.deepEqual(identityOf(req), { identity: 'sip:alice@example.com', authenticated: false, asserted: false, anonymous: false });
});
