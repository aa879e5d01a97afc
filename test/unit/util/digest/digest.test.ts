import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  digestEquals,
  digestHash,
  digestHexLength,
  ha1,
  hashUsername,
  isDigestAlgorithm,
  requestDigest,
} from '../../../../src/util/digest/digest.js';

// RFC 7616 §3.9.1: GET /dir/index.html, Mufasa / "Circle of Life". The computation takes method and
// uri as strings, so the HTTP example checks the same code SIP uses.
const RFC7616 = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  qop: 'auth' as const,
};

test('RFC 7616 §3.9.1 example, MD5', () => {
  const { username, realm, password, ...rest } = RFC7616;
  const r = requestDigest({ ...rest, algorithm: 'MD5', ha1: ha1(username, realm, password, 'MD5') });
  assert.equal(r, '8ca523f5e9506fed4657c9700eebdbec');
});

test('RFC 7616 §3.9.1 example, SHA-256', () => {
  const { username, realm, password, ...rest } = RFC7616;
  const r = requestDigest({ ...rest, algorithm: 'SHA-256', ha1: ha1(username, realm, password, 'SHA-256') });
  assert.equal(r, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

test('RFC 2617 §3.5 example (MD5, qop=auth)', () => {
  const r = requestDigest({
    algorithm: 'MD5',
    ha1: ha1('Mufasa', 'testrealm@host.com', 'Circle Of Life', 'MD5'),
    method: 'GET',
    uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
  });
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

test('RFC 2069 form without qop: KD(H(A1), nonce ":" H(A2)) (RFC 2617 §3.2.2.1)', () => {
  const h1 = ha1('bob', 'biloxi.com', 'zanzibar', 'MD5');
  const r = requestDigest({ algorithm: 'MD5', ha1: h1, method: 'SUBSCRIBE', uri: 'sip:bob@biloxi.com', nonce: 'n1' });
  assert.equal(r, md5(`${h1}:n1:${md5('SUBSCRIBE:sip:bob@biloxi.com')}`));
});

test('qop=auth-int hashes the body; an empty body is H("") (RFC 3261 §22.4 item 7)', () => {
  assert.equal(digestHash('MD5', ''), 'd41d8cd98f00b204e9800998ecf8427e');
  const h1 = ha1('bob', 'biloxi.com', 'zanzibar', 'MD5');
  const base = { algorithm: 'MD5' as const, ha1: h1, method: 'PUBLISH', uri: 'sip:bob@biloxi.com', nonce: 'n', nc: '00000001', cnonce: 'c', qop: 'auth-int' as const };
  const a2 = `PUBLISH:sip:bob@biloxi.com:d41d8cd98f00b204e9800998ecf8427e`;
  assert.equal(requestDigest(base), md5(`${h1}:n:00000001:c:auth-int:${md5(a2)}`));
  assert.notEqual(requestDigest({ ...base, body: Buffer.from('<presence/>') }), requestDigest(base));
});

test('ha1 and the hashed username follow RFC 7616 §3.4.2 and §3.4.4', () => {
  assert.equal(ha1('Mufasa', 'testrealm@host.com', 'Circle Of Life', 'MD5'), md5('Mufasa:testrealm@host.com:Circle Of Life'));
  assert.equal(
    hashUsername('Mufasa', 'http-auth@example.org', 'SHA-256'),
    createHash('sha256').update('Mufasa:http-auth@example.org').digest('hex'),
  );
  // UTF-8 (RFC 7616 §4).
  assert.equal(ha1('J\u00e4s\u00f8n', 'r', 'p', 'MD5'), createHash('md5').update(Buffer.from('J\u00e4s\u00f8n:r:p', 'utf8')).digest('hex'));
});

test('algorithm helpers', () => {
  assert.equal(isDigestAlgorithm('SHA-256'), true);
  assert.equal(isDigestAlgorithm('MD5'), true);
  assert.equal(isDigestAlgorithm('MD5-sess'), false);
  assert.equal(isDigestAlgorithm('sha-256'), false);
  assert.equal(digestHexLength('MD5'), 32);
  assert.equal(digestHexLength('SHA-256'), 64);
});

test('digestEquals is case-insensitive and false on different lengths', () => {
  assert.equal(digestEquals('ABCDEF', 'abcdef'), true);
  assert.equal(digestEquals('abcdef', 'abcdee'), false);
  assert.equal(digestEquals('abcdef', 'abcdef00'), false);
});

test('qop without nc or cnonce is a caller bug', () => {
  assert.throws(() => requestDigest({ algorithm: 'MD5', ha1: '0', method: 'M', uri: 'u', nonce: 'n', qop: 'auth' }), /nc and cnonce/);
});
