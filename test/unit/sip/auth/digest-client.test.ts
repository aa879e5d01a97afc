import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestClient } from '../../../../src/sip/auth/digest-client.js';
import { ha1, hashUsername, requestDigest } from '../../../../src/util/digest/digest.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/message.js';
import { AuthorizationHeader, digestCredentials } from '../../../../src/sip/parser/headers/authorization.js';
import type { DigestCredentials } from '../../../../src/sip/parser/headers/authorization.js';
import { ALICE, REALM, challengeResponse, request, server, wire } from './helpers.js';

/** The Digest credentials of `req`'s Authorization (or Proxy-Authorization) for `realm`. */
function sent(req: SipRequest, realm = REALM, header = 'Authorization'): DigestCredentials {
  const values = req.headers.getAll(header).flatMap((line) => {
    const r = AuthorizationHeader.parse([line]);
    assert.ok(r.ok, r.ok ? '' : r.defect);
    return r.value;
  });
  const mine = values.filter((v) => v.params.get('realm') === realm);
  assert.equal(mine.length, 1, `one ${header} for ${realm}`);
  const d = digestCredentials(mine[0]!);
  assert.ok(d.ok, d.ok ? '' : d.defect);
  return d.value;
}

/** A 401 carrying the given WWW-Authenticate lines, as received. */
function foreign401(req: SipRequest, ...challenges: string[]): SipResponse {
  const res = createResponse(req, 401);
  for (const c of challenges) res.headers.append('WWW-Authenticate', c);
  return wire(res);
}

test('round trip with SHA-256: 401, authorize, verified', async () => {
  const { auth } = server();
  const client = new DigestClient(ALICE);
  const req = request();
  const res = challengeResponse(req, await auth.verify(req));
  assert.equal(client.authorize(req, res), true);
  const c = sent(req);
  assert.deepEqual([c.algorithm, c.qop, c.nc, c.uri, c.username], ['SHA-256', 'auth', '00000001', req.uri, 'alice']);
  assert.deepEqual(await auth.verify(wire(req)), { ok: true, username: 'alice', realm: REALM, algorithm: 'SHA-256' });
});

test('round trip with MD5 when the server offers only MD5', async () => {
  const { auth } = server({ algorithms: ['MD5'] });
  const client = new DigestClient(ALICE);
  const req = request('PUBLISH', 'sip:alice@example.com');
  assert.equal(client.authorize(req, challengeResponse(req, await auth.verify(req))), true);
  assert.equal(sent(req).algorithm, 'MD5');
  assert.deepEqual(await auth.verify(wire(req)), { ok: true, username: 'alice', realm: REALM, algorithm: 'MD5' });
});

test('the strongest offered algorithm wins whatever the order; H(A1)-only credentials limit the choice', async () => {
  const { auth } = server({ algorithms: ['MD5', 'SHA-256'] });
  const req = request();
  const res = challengeResponse(req, await auth.verify(req));
  assert.equal(new DigestClient(ALICE).authorize(req, res), true);
  assert.equal(sent(req).algorithm, 'SHA-256');
  assert.equal((await auth.verify(wire(req))).ok, true);

  const md5Only = new DigestClient({ username: 'alice', realm: REALM, ha1: { MD5: ha1('alice', REALM, ALICE.password, 'MD5') } });
  const req2 = request();
  assert.equal(md5Only.authorize(req2, challengeResponse(req2, await auth.verify(req2))), true);
  assert.equal(sent(req2).algorithm, 'MD5');
  assert.equal((await auth.verify(wire(req2))).ok, true);
});

test('407 is answered with Proxy-Authorization, verified by a proxy', async () => {
  const { auth } = server();
  const req = request();
  const res = challengeResponse(req, await auth.verify(req, { proxy: true }));
  assert.equal(res.status, 407);
  assert.equal(new DigestClient(ALICE).authorize(req, res), true);
  assert.equal(req.headers.has('Authorization'), false);
  assert.equal(sent(req, REALM, 'Proxy-Authorization').algorithm, 'SHA-256');
  assert.equal((await auth.verify(wire(req), { proxy: true })).ok, true);
});

test('rejected credentials are not sent again (RFC 3261 §22.1); the session is dropped', async () => {
  const { auth } = server();
  const client = new DigestClient({ username: 'alice', password: 'guess' });
  const req = request();
  assert.equal(client.authorize(req, challengeResponse(req, await auth.verify(req))), true);
  const again = await auth.verify(wire(req));
  assert.equal(again.ok, false);
  assert.equal(client.authorize(req, challengeResponse(req, again)), false);
  assert.equal(client.preauthorize(request()), false);
});

test('nonce-count increments per nonce across requests; a stale nonce is renewed without the user', async () => {
  const { auth, clock } = server({ nonceTtlSeconds: 60 });
  const client = new DigestClient(ALICE);
  const first = request();
  client.authorize(first, challengeResponse(first, await auth.verify(first)));
  assert.equal((await auth.verify(wire(first))).ok, true);

  const second = request();
  assert.equal(client.preauthorize(second), true);
  assert.deepEqual([sent(second).nc, sent(second).nonce], ['00000002', sent(first).nonce]);
  assert.equal((await auth.verify(wire(second))).ok, true);
  const third = request();
  client.preauthorize(third);
  assert.equal(sent(third).nc, '00000003');
  assert.equal((await auth.verify(wire(third))).ok, true);

  clock.advance(60_000);
  const late = request();
  client.preauthorize(late);
  const stale = await auth.verify(wire(late));
  assert.equal(stale.ok ? undefined : stale.stale, true);
  assert.equal(client.authorize(late, challengeResponse(late, stale)), true);
  assert.equal(sent(late).nc, '00000001');
  assert.notEqual(sent(late).nonce, sent(first).nonce);
  assert.equal((await auth.verify(wire(late))).ok, true);
});

test('no usable challenge: other schemes, unknown algorithms or qop, other realms, no challenge', () => {
  const req = request();
  const client = new DigestClient(ALICE);
  assert.equal(client.authorize(req, foreign401(req, 'Basic realm="example.com"')), false);
  assert.equal(client.authorize(req, foreign401(req, 'Digest realm="example.com", nonce="n", algorithm=SHA-512-256, qop="auth"')), false);
  assert.equal(client.authorize(req, foreign401(req, 'Digest realm="example.com", nonce="n", qop="auth-conf"')), false);
  assert.equal(client.authorize(req, foreign401(req, 'Digest realm="example.com", nonce="n", algorithm=MD5-sess, qop="auth"')), false);
  assert.equal(client.authorize(req, foreign401(req, 'Digest realm="example.com"')), false);
  assert.equal(client.authorize(req, foreign401(req)), false);
  const scoped = new DigestClient({ ...ALICE, realm: 'other.example' });
  assert.equal(scoped.authorize(req, foreign401(req, `Digest realm="${REALM}", nonce="n", qop="auth"`)), false);
  assert.equal(req.headers.has('Authorization'), false);
});

test('a malformed challenge line does not hide a good one', () => {
  const req = request();
  const res = foreign401(req, 'Digest realm="broken', `Digest realm="${REALM}", nonce="n1", qop="auth"`);
  assert.equal(new DigestClient(ALICE).authorize(req, res), true);
  assert.equal(sent(req).nonce, 'n1');
});

test('foreign challenge: userhash, auth-int only, opaque echoed, other realms\' credentials kept', () => {
  const req = request('PUBLISH', 'sip:alice@example.com');
  req.body = Buffer.from('<presence/>');
  req.headers.append('Authorization', 'Digest username="a", realm="elsewhere", nonce="x", uri="sip:x", response="00"');
  const res = foreign401(req, `Digest realm="${REALM}", nonce="n2", algorithm=SHA-256, qop="auth-int", opaque="op aque", userhash=true`);
  assert.equal(new DigestClient(ALICE).authorize(req, res), true);
  const c = sent(req);
  assert.equal(c.username, hashUsername('alice', REALM, 'SHA-256'));
  assert.equal(c.userhash, true);
  assert.equal(c.qop, 'auth-int');
  assert.equal(c.opaque, 'op aque');
  const expected = requestDigest({
    algorithm: 'SHA-256',
    ha1: ha1('alice', REALM, ALICE.password, 'SHA-256'),
    method: 'PUBLISH',
    uri: 'sip:alice@example.com',
    nonce: 'n2',
    qop: 'auth-int',
    nc: c.nc!,
    cnonce: c.cnonce!,
    body: Buffer.from('<presence/>'),
  });
  assert.equal(c.response, expected);
  assert.equal(sent(req, 'elsewhere').username, 'a');
});

test('RFC 2069 challenge (no qop): answered without qop, nc or cnonce', () => {
  const req = request();
  const res = foreign401(req, `Digest realm="${REALM}", nonce="n3"`);
  assert.equal(new DigestClient(ALICE).authorize(req, res), true);
  const c = sent(req);
  assert.deepEqual([c.qop, c.nc, c.cnonce, c.algorithm], [undefined, undefined, undefined, 'MD5']);
  const h1 = ha1('alice', REALM, ALICE.password, 'MD5');
  assert.equal(c.response, requestDigest({ algorithm: 'MD5', ha1: h1, method: req.method, uri: req.uri, nonce: 'n3' }));
});

test('a stale challenge for a realm the request had credentials for is answered again', () => {
  const client = new DigestClient(ALICE);
  const req = request();
  client.authorize(req, foreign401(req, `Digest realm="${REALM}", nonce="old", qop="auth"`));
  assert.equal(client.authorize(req, foreign401(req, `Digest realm="${REALM}", nonce="new", qop="auth", stale=true`)), true);
  assert.equal(sent(req).nonce, 'new');
  assert.equal(client.authorize(req, foreign401(req, `Digest realm="${REALM}", nonce="newer", qop="auth"`)), false);
});
