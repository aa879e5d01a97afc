import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthorizationHeader } from '../../../src/sip/parser/headers/authorization.js';
import { digestAuthorization, pickChallenge } from '../../../src/cli/xcap-client.js';

// RFC 7616 §3.9.1: the two challenges of the example, one per WWW-Authenticate line.
const SHA256_LINE =
  'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
const MD5_LINE = SHA256_LINE.replace('SHA-256', 'MD5');
const MUFASA = { username: 'Mufasa', password: 'Circle of Life' };
const CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

function params(value: string): Map<string, string> {
  const parsed = AuthorizationHeader.parse([value]);
  assert.ok(parsed.ok);
  return parsed.value[0]!.params;
}

describe('XCAP client Digest (RFC 7616)', () => {
  test('pickChallenge takes the strongest algorithm, whatever the order and whether the lines are joined', () => {
    assert.equal(pickChallenge([MD5_LINE, SHA256_LINE])?.algorithm, 'SHA-256');
    assert.equal(pickChallenge([`${SHA256_LINE}, ${MD5_LINE}`])?.algorithm, 'SHA-256');
    assert.equal(pickChallenge([MD5_LINE])?.algorithm, 'MD5');
  });

  test('pickChallenge skips what it cannot answer: other schemes, unknown algorithms, unknown qop, malformed lines', () => {
    assert.equal(pickChallenge(['Basic realm="x"']), undefined);
    assert.equal(pickChallenge([SHA256_LINE.replace('SHA-256', 'SHA-512-256')]), undefined);
    assert.equal(pickChallenge([MD5_LINE.replace('auth, auth-int', 'auth-conf')]), undefined);
    assert.equal(pickChallenge(['Digest realm=', MD5_LINE])?.algorithm, 'MD5');
    assert.equal(pickChallenge([]), undefined);
  });

  for (const [line, algorithm, response] of [
    [SHA256_LINE, 'SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    [MD5_LINE, 'MD5', '8ca523f5e9506fed4657c9700eebdbec'],
  ] as const) {
    test(`digestAuthorization gives the RFC 7616 §3.9.1 ${algorithm} answer`, () => {
      const challenge = pickChallenge([line])!;
      const p = params(digestAuthorization({ challenge, credentials: MUFASA, method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: CNONCE }));
      assert.equal(p.get('response'), response);
      assert.equal(p.get('username'), 'Mufasa');
      assert.equal(p.get('algorithm'), algorithm);
      assert.equal(p.get('qop'), 'auth');
      assert.equal(p.get('nc'), '00000001');
      assert.equal(p.get('cnonce'), CNONCE);
      assert.equal(p.get('uri'), '/dir/index.html');
      assert.equal(p.get('opaque'), 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
      assert.equal(p.has('userhash'), false);
    });
  }

  test('digestAuthorization hashes the username when the challenge asks (userhash=true) and counts nonces in hex', () => {
    const challenge = pickChallenge([`${SHA256_LINE}, userhash=true`])!;
    const p = params(digestAuthorization({ challenge, credentials: MUFASA, method: 'PUT', uri: '/x', nc: 26 }));
    assert.equal(p.get('userhash'), 'true');
    assert.match(p.get('username')!, /^[0-9a-f]{64}$/);
    assert.equal(p.get('nc'), '0000001a');
    assert.match(p.get('cnonce')!, /^\S{24}$/);
  });
});
