import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizationHeader,
  ProxyAuthorizationHeader,
  digestCredentials,
  formatCredentials,
  formatDigestCredentials,
} from '../../../../../src/sip/parser/headers/authorization.js';
import type { DigestCredentials } from '../../../../../src/sip/parser/headers/authorization.js';
import type { ParseResult } from '../../../../../src/sip/message/headers.js';

function creds(line: string): ParseResult<DigestCredentials> {
  const r = AuthorizationHeader.parse([line]);
  assert.ok(r.ok, r.ok ? '' : r.defect);
  assert.equal(r.value.length, 1);
  return digestCredentials(r.value[0]!);
}

const RFC3261_EXAMPLE =
  'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
  'uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", ' +
  'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

test('RFC 3261 §22.2 Authorization example', () => {
  const r = creds(RFC3261_EXAMPLE);
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    username: 'bob',
    userhash: false,
    realm: 'biloxi.com',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    uri: 'sip:bob@biloxi.com',
    response: '6629fae49393a05397450978507c4ef1',
    algorithm: 'MD5',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
    opaque: '5ccc069c403ebaf9f0171e9517f40e41',
  });
});

test('RFC 2069 credentials: no qop, nc or cnonce', () => {
  const r = creds('Digest username="a", realm="r", nonce="n", uri="sip:r", response="ABCDEF0123456789abcdef0123456789"');
  assert.ok(r.ok);
  assert.equal(r.value.qop, undefined);
  assert.equal(r.value.nc, undefined);
  assert.equal(r.value.response, 'abcdef0123456789abcdef0123456789');
});

test('username* is decoded (RFC 7616 §3.9.2); both username and username* is an error', () => {
  const base = 'realm="api@example.org", nonce="n", uri="/doe.json", response="00", algorithm=SHA-512-256';
  const r = creds(`Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, ${base}, userhash=false`);
  assert.ok(r.ok);
  assert.equal(r.value.username, 'J\u00e4s\u00f8n Doe');
  assert.equal(r.value.algorithm, 'SHA-512-256');
  assert.deepEqual(creds(`Digest username="x", username*=UTF-8''x, ${base}`), {
    ok: false,
    defect: 'both username and username* present',
  });
  assert.deepEqual(creds(`Digest username*=ISO-8859-1''x, ${base}`), {
    ok: false,
    defect: 'username* is not a UTF-8 ext-value',
  });
});

test('malformed credentials name their defect', () => {
  const cases: Array<[string, string]> = [
    ['Digest realm="r", nonce="n", uri="u", response="00"', 'missing username'],
    ['Digest username="a", nonce="n", uri="u", response="00"', 'missing realm'],
    ['Digest username="a", realm="r", uri="u", response="00"', 'missing nonce'],
    ['Digest username="a", realm="r", nonce="n", response="00"', 'missing uri'],
    ['Digest username="a", realm="r", nonce="n", uri="u"', 'missing response'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="xyz"', 'response is not hexadecimal'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="00", qop=auth, nc=00000001', 'qop without cnonce'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="00", qop=auth, cnonce="c"', 'qop without nc'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="00", qop=auth, cnonce="c", nc=1', 'nc is not 8 hexadecimal digits'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="00", cnonce="c"', 'cnonce without qop'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="00", nc=00000001', 'nc without qop'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="00", userhash=maybe', 'userhash is not true or false'],
    ['Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'scheme Basic is not Digest'],
    ['Digest abc==', 'token68 instead of Digest parameters'],
  ];
  for (const [line, expected] of cases) assert.deepEqual(creds(line), { ok: false, defect: expected }, line);
});

test('Proxy-Authorization lines, one credentials value each, and a combined line', () => {
  const r = ProxyAuthorizationHeader.parse([
    'Digest username="a", realm="p1", nonce="n", uri="sip:x", response="00"',
    'Digest username="a", realm="p2", nonce="n", uri="sip:x", response="00", Digest username="a", realm="p3", nonce="m", uri="sip:x", response="11"',
  ]);
  assert.ok(r.ok);
  assert.deepEqual(r.value.map((c) => c.params.get('realm')), ['p1', 'p2', 'p3']);
  const bad = ProxyAuthorizationHeader.parse(['Digest username="a" realm="p1"']);
  assert.ok(!bad.ok);
});

test('formatDigestCredentials quotes per RFC 7616 §3.4 and round-trips', () => {
  const c: DigestCredentials = {
    username: 'Mufasa',
    userhash: false,
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    uri: 'sip:bob@biloxi.com;transport=tcp',
    response: '8ca523f5e9506fed4657c9700eebdbec',
    algorithm: 'MD5',
    qop: 'auth',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  };
  const text = formatDigestCredentials(c);
  assert.equal(
    text,
    'Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' +
      'uri="sip:bob@biloxi.com;transport=tcp", response="8ca523f5e9506fed4657c9700eebdbec", algorithm=MD5, qop=auth, ' +
      'nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  );
  assert.deepEqual(creds(text), { ok: true, value: c });
  const hashed = formatDigestCredentials({ ...c, userhash: true, qop: undefined, nc: undefined, cnonce: undefined, opaque: undefined });
  assert.match(hashed, /algorithm=MD5, userhash=true$/);
});

test('formatCredentials writes token68 credentials as they are', () => {
  assert.equal(formatCredentials({ scheme: 'Bearer', token68: 'abc.def', params: new Map() }), 'Bearer abc.def');
});
