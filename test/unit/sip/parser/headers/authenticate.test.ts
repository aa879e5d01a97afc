import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthenticationInfoHeader,
  ProxyAuthenticateHeader,
  WWWAuthenticateHeader,
  digestChallenge,
  formatChallenge,
  formatDigestChallenge,
} from '../../../../../src/sip/parser/headers/authenticate.js';
import type { AuthValue } from '../../../../../src/sip/parser/headers/authenticate.js';
import { parseMessage } from '../../../../../src/sip/parser/parse-message.js';

function parse(...lines: string[]): AuthValue[] {
  const r = WWWAuthenticateHeader.parse(lines);
  assert.ok(r.ok, r.ok ? '' : r.defect);
  return r.value;
}

function defect(...lines: string[]): string {
  const r = WWWAuthenticateHeader.parse(lines);
  assert.ok(!r.ok, 'expected a defect');
  return r.defect;
}

test('RFC 3261 §22.2 challenge: names lower-cased, quoted values unquoted', () => {
  const [c, ...rest] = parse(
    'Digest realm="biloxi.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
      'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );
  assert.equal(rest.length, 0);
  assert.equal(c!.scheme, 'Digest');
  assert.deepEqual([...c!.params], [
    ['realm', 'biloxi.com'],
    ['qop', 'auth,auth-int'],
    ['nonce', 'dcd98b7102dd2f0e8b11d0f600bfb0c093'],
    ['opaque', '5ccc069c403ebaf9f0171e9517f40e41'],
  ]);
  const d = digestChallenge(c!);
  assert.ok(d.ok);
  assert.deepEqual(d.value, {
    realm: 'biloxi.com',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    algorithm: 'MD5',
    qop: ['auth', 'auth-int'],
    opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    stale: false,
    userhash: false,
  });
});

test('parameter names are case-insensitive, token and quoted values, quoted-pair removed', () => {
  const [c] = parse('DIGEST REALM="a \\"b\\" c",Nonce=abc/def+==,ALGORITHM=sha-256,Stale=TRUE,UserHash=true');
  const d = digestChallenge(c!);
  assert.ok(d.ok);
  assert.equal(d.value.realm, 'a "b" c');
  assert.equal(d.value.nonce, 'abc/def+==');
  assert.equal(d.value.algorithm, 'SHA-256');
  assert.equal(d.value.stale, true);
  assert.equal(d.value.userhash, true);
  assert.equal(d.value.qop, undefined);
});

test('LWS around "=" and commas, and empty list elements, are accepted', () => {
  const [c] = parse('Digest  realm = "r" ,, nonce= "n" , ');
  assert.deepEqual([...c!.params], [['realm', 'r'], ['nonce', 'n']]);
});

test('several challenges on one line: a token followed by a token without "=" starts a new one', () => {
  const cs = parse(
    'Digest realm="a.example", nonce="n1", algorithm=SHA-256, qop="auth", ' +
      'Digest realm="a.example", nonce="n1", algorithm=MD5, qop="auth", Newauth realm="apps", type=1',
  );
  assert.deepEqual(cs.map((c) => [c.scheme, c.params.get('algorithm') ?? c.params.get('type')]), [
    ['Digest', 'SHA-256'],
    ['Digest', 'MD5'],
    ['Newauth', '1'],
  ]);
  assert.equal(cs[2]!.params.get('realm'), 'apps');
});

test('several challenges on several lines keep their order', () => {
  const cs = parse('Digest realm="r", nonce="x", algorithm=SHA-256', 'Digest realm="r", nonce="y", algorithm=MD5');
  assert.deepEqual(cs.map((c) => c.params.get('nonce')), ['x', 'y']);
});

test('RFC 7235 token68 and scheme-only challenges', () => {
  const cs = parse('Negotiate abc+/==, Basic realm="x", Newauth');
  assert.equal(cs.length, 3);
  assert.equal(cs[0]!.token68, 'abc+/==');
  assert.equal(cs[0]!.params.size, 0);
  assert.equal(cs[1]!.params.get('realm'), 'x');
  assert.equal(cs[2]!.scheme, 'Newauth');
  assert.equal(cs[2]!.params.size, 0);
});

test('challenges read through a parsed 401 response (folded lines, two WWW-Authenticate headers)', () => {
  const text =
    'SIP/2.0 401 Unauthorized\r\n' +
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa\r\n' +
    'From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>;tag=2\r\n' +
    'Call-ID: c1\r\nCSeq: 1 REGISTER\r\n' +
    'WWW-Authenticate: Digest\r\n realm="example.com",\r\n nonce="n", algorithm=SHA-256, qop="auth"\r\n' +
    'WWW-Authenticate: Digest realm="example.com", nonce="n", algorithm=MD5, qop="auth"\r\n' +
    'Proxy-Authenticate: Digest realm="proxy.example.com", nonce="p"\r\n' +
    'Content-Length: 0\r\n\r\n';
  const r = parseMessage(Buffer.from(text));
  assert.ok(r.ok);
  const www = r.message.header(WWWAuthenticateHeader)!;
  assert.deepEqual(www.map((c) => c.params.get('algorithm')), ['SHA-256', 'MD5']);
  const proxy = r.message.header(ProxyAuthenticateHeader)!;
  assert.equal(proxy[0]!.params.get('realm'), 'proxy.example.com');
});

test('defects are named', () => {
  assert.match(defect(''), /empty WWW-Authenticate/);
  assert.match(defect('Digest realm="a" nonce="b"'), /unexpected 'nonce="b"'/);
  assert.match(defect('Digest realm="a", realm="b"'), /duplicate parameter 'realm'/);
  assert.match(defect('Digest realm="a'), /unterminated quoted value of 'realm'/);
  assert.match(defect('Digest realm="a", nonce='), /empty value of 'nonce'/);
  assert.match(defect('Digest="x"'), /white space after auth-scheme/);
  assert.match(defect('Negotiate abc==, realm="x"'), /auth-param after token68/);
  assert.match(defect('"Digest" realm="a"'), /missing auth-scheme/);
});

test('digestChallenge names missing parameters and other schemes', () => {
  const [basic, noNonce, noRealm] = parse('Basic realm="x"', 'Digest realm="x"', 'Digest nonce="n"');
  assert.deepEqual(digestChallenge(basic!), { ok: false, defect: 'scheme Basic is not Digest' });
  assert.deepEqual(digestChallenge(noNonce!), { ok: false, defect: 'missing nonce' });
  assert.deepEqual(digestChallenge(noRealm!), { ok: false, defect: 'missing realm' });
});

test('domain is split on white space; unknown algorithms keep their spelling', () => {
  const [c] = parse('Digest realm="r", nonce="n", domain="sip:a.example  sip:b.example", algorithm=Foo-1, charset=UTF-8');
  const d = digestChallenge(c!);
  assert.ok(d.ok);
  assert.deepEqual(d.value.domain, ['sip:a.example', 'sip:b.example']);
  assert.equal(d.value.algorithm, 'Foo-1');
  assert.equal(d.value.charset, 'UTF-8');
});

test('formatDigestChallenge quotes per RFC 7616 §3.3 and round-trips', () => {
  const text = formatDigestChallenge({
    realm: 'example.com',
    nonce: 'n/+=',
    algorithm: 'SHA-256',
    qop: ['auth', 'auth-int'],
    opaque: 'o"q',
    stale: true,
    userhash: true,
    charset: 'UTF-8',
  });
  assert.equal(
    text,
    'Digest realm="example.com", nonce="n/+=", algorithm=SHA-256, qop="auth,auth-int", opaque="o\\"q", ' +
      'stale=true, charset=UTF-8, userhash=true',
  );
  const again = digestChallenge(parse(text)[0]!);
  assert.ok(again.ok);
  assert.equal(again.value.opaque, 'o"q');
  assert.equal(again.value.stale, true);
  // stale=false and userhash=false are left out.
  assert.equal(
    formatDigestChallenge({ realm: 'r', nonce: 'n', algorithm: 'MD5', stale: false, userhash: false }),
    'Digest realm="r", nonce="n", algorithm=MD5',
  );
});

test('formatChallenge writes unknown parameters bare when a token, quoted otherwise', () => {
  const params = new Map([['realm', 'tok'], ['x', 'tok'], ['y', 'two words']]);
  assert.equal(formatChallenge({ scheme: 'Newauth', params }), 'Newauth realm="tok", x=tok, y="two words"');
  assert.equal(formatChallenge({ scheme: 'Negotiate', token68: 'abc==', params: new Map() }), 'Negotiate abc==');
});

test('Authentication-Info: ainfo list over lines, duplicates rejected', () => {
  const r = AuthenticationInfoHeader.parse([
    'nextnonce="47364c23432d2e131a5fb210812c", qop=auth',
    'rspauth="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", nc=00000001',
  ]);
  assert.ok(r.ok);
  assert.deepEqual([...r.value.keys()], ['nextnonce', 'qop', 'rspauth', 'cnonce', 'nc']);
  assert.equal(r.value.get('nextnonce'), '47364c23432d2e131a5fb210812c');
  const dup = AuthenticationInfoHeader.parse(['qop=auth, QOP=auth']);
  assert.deepEqual(dup, { ok: false, defect: "duplicate parameter 'qop' in Authentication-Info" });
});
