import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestDigest, ha1 } from '../../../../src/util/digest/digest.js';
import type { DigestAlgorithm } from '../../../../src/util/digest/digest.js';
import { WWWAuthenticateHeader, digestChallenge } from '../../../../src/sip/parser/headers/authenticate.js';
import type { SipRequest } from '../../../../src/sip/message/message.js';
import type { AuthResult } from '../../../../src/sip/auth/digest-server.js';
import { DigestAuthenticator } from '../../../../src/sip/auth/digest-server.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { ALICE, REALM, request, server } from './helpers.js';

/** The nonce of the first challenge a server issues. */
function nonceOf(lines: Array<[string, string]>): string {
  const parsed = WWWAuthenticateHeader.parse(lines.map(([, v]) => v));
  assert.ok(parsed.ok);
  const d = digestChallenge(parsed.value[0]!);
  assert.ok(d.ok);
  return d.value.nonce;
}

interface Hand {
  username?: string;
  password?: string;
  algorithm?: DigestAlgorithm;
  uri?: string;
  nc?: string;
  qop?: 'auth' | null;
  extra?: string;
}

/** Hand-built credentials (independent of DigestClient), written as a UA would write them. */
function authorize(req: SipRequest, nonce: string, h: Hand = {}, header = 'Authorization'): SipRequest {
  const algorithm = h.algorithm ?? 'SHA-256';
  const username = h.username ?? ALICE.username;
  const uri = h.uri ?? req.uri;
  const qop = h.qop === undefined ? 'auth' : h.qop;
  const nc = h.nc ?? '00000001';
  const response = requestDigest({
    algorithm,
    ha1: ha1(username, REALM, h.password ?? ALICE.password, algorithm),
    method: req.method,
    uri,
    nonce,
    ...(qop ? { qop, nc, cnonce: 'c0ffee' } : {}),
  });
  const q = qop ? `, qop=${qop}, nc=${nc}, cnonce="c0ffee"` : '';
  req.headers.append(
    header,
    `Digest username="${username}", realm="${REALM}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}${q}${h.extra ?? ''}`,
  );
  return req;
}

function failure(r: AuthResult): Extract<AuthResult, { ok: false }> {
  assert.equal(r.ok, false, 'expected a failure');
  return r as Extract<AuthResult, { ok: false }>;
}

test('challenge: one WWW-Authenticate per algorithm, SHA-256 first, one nonce, qop="auth" (RFC 7616 §3.7)', () => {
  const { auth } = server();
  const lines = auth.challenge();
  assert.equal(lines.length, 2);
  assert.deepEqual(lines.map(([n]) => n), ['WWW-Authenticate', 'WWW-Authenticate']);
  const nonce = nonceOf(lines);
  assert.equal(lines[0]![1], `Digest realm="example.com", nonce="${nonce}", algorithm=SHA-256, qop="auth"`);
  assert.equal(lines[1]![1], `Digest realm="example.com", nonce="${nonce}", algorithm=MD5, qop="auth"`);
  const proxy = auth.challenge({ proxy: true, stale: true });
  assert.deepEqual(proxy.map(([n]) => n), ['Proxy-Authenticate', 'Proxy-Authenticate']);
  assert.match(proxy[0]![1], /, stale=true$/);
  assert.notEqual(nonceOf(proxy), nonce);
});

test('no credentials: 401 with the challenges; as a proxy, 407 with Proxy-Authenticate', async () => {
  const { auth, lookups } = server();
  const r = failure(await auth.verify(request()));
  assert.equal(r.status, 401);
  assert.equal(r.stale, undefined);
  assert.equal(r.headers.length, 2);
  assert.equal(r.headers[0]![0], 'WWW-Authenticate');
  const p = failure(await auth.verify(request(), { proxy: true }));
  assert.equal(p.status, 407);
  assert.equal(p.reason, 'Proxy Authentication Required');
  assert.equal(p.headers[0]![0], 'Proxy-Authenticate');
  assert.equal(lookups.length, 0);
});

test('hand-built SHA-256 and MD5 credentials verify; lookupHa1 gets username, realm and algorithm', async () => {
  const { auth, lookups } = server();
  const nonce = nonceOf(auth.challenge());
  assert.deepEqual(await auth.verify(authorize(request(), nonce)), { ok: true, username: 'alice', realm: REALM, algorithm: 'SHA-256' });
  assert.deepEqual(await auth.verify(authorize(request(), nonce, { algorithm: 'MD5', nc: '00000002' })), {
    ok: true,
    username: 'alice',
    realm: REALM,
    algorithm: 'MD5',
  });
  assert.deepEqual(lookups, [['alice', REALM, 'SHA-256'], ['alice', REALM, 'MD5']]);
});

test('RFC 2069 response (MD5 without qop) is accepted for RFC 2543 compatibility (RFC 3261 §22.4)', async () => {
  const { auth } = server();
  const nonce = nonceOf(auth.challenge());
  const r = await auth.verify(authorize(request(), nonce, { algorithm: 'MD5', qop: null }));
  assert.equal(r.ok, true);
  const sha = failure(await auth.verify(authorize(request(), nonce, { algorithm: 'SHA-256', qop: null })));
  assert.deepEqual([sha.status, sha.reason], [400, 'Bad Authorization header: missing qop for SHA-256']);
});

test('wrong password and unknown user: challenged again without stale; 403 with onBadCredentials forbidden', async () => {
  const { auth } = server();
  const nonce = nonceOf(auth.challenge());
  for (const h of [{ password: 'guess' }, { username: 'mallory' }]) {
    const r = failure(await auth.verify(authorize(request(), nonce, h)));
    assert.deepEqual([r.status, r.reason, r.stale, r.headers.length], [401, 'Invalid credentials', undefined, 2]);
  }
  const strict = server({ onBadCredentials: 'forbidden' }).auth;
  const n2 = nonceOf(strict.challenge());
  const r = failure(await strict.verify(authorize(request(), n2, { password: 'guess' })));
  assert.deepEqual([r.status, r.reason, r.headers], [403, 'Forbidden', []]);
});

test('stale nonce after the TTL: valid credentials get stale=true, wrong ones do not', async () => {
  const { auth, clock } = server({ nonceTtlSeconds: 60 });
  const nonce = nonceOf(auth.challenge());
  clock.advance(59_999);
  assert.equal((await auth.verify(authorize(request(), nonce))).ok, true);
  clock.advance(1);
  const r = failure(await auth.verify(authorize(request(), nonce, { nc: '00000002' })));
  assert.deepEqual([r.status, r.reason, r.stale], [401, 'Stale nonce', true]);
  assert.match(r.headers[0]![1], /stale=true/);
  assert.notEqual(nonceOf(r.headers), nonce);
  const wrong = failure(await auth.verify(authorize(request(), nonce, { password: 'guess', nc: '00000003' })));
  assert.deepEqual([wrong.status, wrong.stale], [401, undefined]);
  assert.doesNotMatch(wrong.headers[0]![1], /stale/);
});

test('tampered nonce: rejected; stale only when the digest over it is valid (e.g. after a secret change)', async () => {
  const { auth } = server();
  const nonce = nonceOf(auth.challenge());
  const tampered = (nonce[0] === 'A' ? 'B' : 'A') + nonce.slice(1);
  // The digest computed over the original nonce, sent with the altered one: plain failure.
  const req = authorize(request(), nonce);
  const line = req.headers.get('Authorization')!.replace(nonce, tampered);
  req.headers.set('Authorization', line);
  const r = failure(await auth.verify(req));
  assert.deepEqual([r.status, r.reason, r.stale], [401, 'Invalid credentials', undefined]);
  // A correct digest over a nonce this server did not issue (another secret): stale, retry silently.
  const other = new DigestAuthenticator({ realm: REALM, secret: Buffer.alloc(32, 2), clock: new FakeClock(), lookupHa1: async () => undefined });
  const foreign = nonceOf(other.challenge());
  const s = failure(await auth.verify(authorize(request(), foreign)));
  assert.deepEqual([s.status, s.reason, s.stale], [401, 'Stale nonce', true]);
});

test('nonce-count replay: a count not above the last one is refused with a stale challenge', async () => {
  const { auth } = server();
  const nonce = nonceOf(auth.challenge());
  const first = authorize(request(), nonce);
  assert.equal((await auth.verify(first)).ok, true);
  const replay = failure(await auth.verify(first));
  assert.deepEqual([replay.status, replay.reason, replay.stale], [401, 'Nonce count replayed', true]);
  assert.equal((await auth.verify(authorize(request(), nonce, { nc: '00000003' }))).ok, true);
  const back = failure(await auth.verify(authorize(request(), nonce, { nc: '00000002' })));
  assert.equal(back.reason, 'Nonce count replayed');
  // A replay with a wrong digest does not advance or consult the count: it is just invalid.
  const forged = failure(await auth.verify(authorize(request(), nonce, { nc: '00000009', password: 'guess' })));
  assert.equal(forged.reason, 'Invalid credentials');
  assert.equal((await auth.verify(authorize(request(), nonce, { nc: '00000004' }))).ok, true);
});

test('digest-uri must designate the Request-URI (RFC 7616 §3.4.6): 400 on mismatch', async () => {
  const { auth } = server();
  const nonce = nonceOf(auth.challenge());
  const r = failure(await auth.verify(authorize(request('SUBSCRIBE', 'sip:bob@example.com'), nonce, { uri: 'sip:carol@example.com' })));
  assert.deepEqual([r.status, r.reason, r.headers], [400, 'Bad Authorization header: uri does not match the Request-URI', []]);
  // RFC 3261 §19.1.4 equivalent forms are the same resource.
  const eq = await auth.verify(authorize(request('SUBSCRIBE', 'sip:bob@EXAMPLE.com;transport=tcp'), nonce, { uri: 'sip:b%6Fb@example.com;transport=TCP', nc: '00000002' }));
  assert.equal(eq.ok, true);
  // RFC 3261 §22.4 item 6: a deployment behind a retargeting proxy may turn the check off.
  const lax = server({ matchDigestUri: false }).auth;
  const n2 = nonceOf(lax.challenge());
  assert.equal((await lax.verify(authorize(request(), n2, { uri: 'sip:carol@example.com' }))).ok, true);
});

test('malformed credentials give 400 naming the defect', async () => {
  const { auth } = server({ algorithms: ['MD5'] });
  const nonce = nonceOf(auth.challenge());
  const cases: Array<[(req: SipRequest) => void, string]> = [
    [(q) => q.headers.append('Authorization', `Digest username="alice", realm="${REALM}", uri="${q.uri}", response="00"`), 'missing nonce'],
    [(q) => q.headers.append('Authorization', `Digest username="alice" realm="${REALM}"`), `unexpected 'realm="example.c' in Authorization`],
    [(q) => authorize(q, nonce, { algorithm: 'SHA-256' }), 'algorithm SHA-256 was not offered'],
    [(q) => q.headers.append('Authorization', `Digest username="alice", realm="${REALM}", nonce="${nonce}", uri="${q.uri}", response="abcd", algorithm=MD5`), 'response is not 32 hex digits for MD5'],
    [(q) => authorize(q, nonce, { algorithm: 'MD5', extra: ', userhash=true' }), 'userhash was not offered'],
    [(q) => q.headers.append('Authorization', `Digest username="alice", realm="${REALM}", nonce="${nonce}", uri="${q.uri}", response="${'0'.repeat(32)}", qop=auth-int, nc=00000001, cnonce="x"`), 'qop auth-int was not offered'],
    [(q) => q.headers.append('Authorization', `Digest username="alice", realm="${REALM}", nonce="${nonce}", uri="${q.uri}", response="${'0'.repeat(32)}", qop=auth, cnonce="x"`), 'qop without nc'],
  ];
  for (const [add, defect] of cases) {
    const req = request();
    add(req);
    const r = failure(await auth.verify(req));
    assert.deepEqual([r.status, r.reason], [400, `Bad Authorization header: ${defect}`]);
  }
});

test('credentials of other realms and other schemes are not ours: challenge; ours among them verify', async () => {
  const { auth } = server();
  const nonce = nonceOf(auth.challenge());
  const other = request();
  other.headers.append('Authorization', `Digest username="alice", realm="elsewhere.example", nonce="x", uri="${other.uri}", response="00"`);
  other.headers.append('Authorization', 'Basic YWxpY2U6d29uZGVybGFuZA==');
  const r = failure(await auth.verify(other));
  assert.deepEqual([r.status, r.reason], [401, 'Unauthorized']);
  const mixed = request();
  mixed.headers.append('Authorization', `Digest username="alice", realm="elsewhere.example", nonce="x", uri="${mixed.uri}", response="00"`);
  assert.equal((await auth.verify(authorize(mixed, nonce))).ok, true);
});

test('a proxy reads Proxy-Authorization only', async () => {
  const { auth } = server();
  const nonce = nonceOf(auth.challenge({ proxy: true }));
  const req = authorize(request(), nonce, {}, 'Proxy-Authorization');
  assert.equal(failure(await auth.verify(req)).status, 401);
  assert.equal((await auth.verify(req, { proxy: true })).ok, true);
  const bad = request();
  bad.headers.append('Proxy-Authorization', 'Digest realm="x');
  assert.equal(failure(await auth.verify(bad, { proxy: true })).reason.startsWith('Bad Proxy-Authorization header: '), true);
});

test('configuration bugs throw', () => {
  const base = { realm: REALM, secret: Buffer.alloc(32), clock: new FakeClock(), lookupHa1: async () => undefined };
  assert.throws(() => new DigestAuthenticator({ ...base, algorithms: [] }), /algorithm list/);
  assert.throws(() => new DigestAuthenticator({ ...base, algorithms: ['MD5', 'MD5'] }), /must differ/);
  assert.throws(() => new DigestAuthenticator({ ...base, algorithms: ['SHA-1' as DigestAlgorithm] }), /algorithm list/);
  assert.throws(() => new DigestAuthenticator({ ...base, secret: Buffer.alloc(8) }), /16 bytes/);
});
