import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, validateConfig } from '../../../src/config/load.js';

test('auth defaults to digest with the SIP domain as realm (absent), 300 s nonces, no trusted peers', () => {
  const c = validateConfig({});
  assert.deepEqual(c.auth, { mode: 'digest', nonceTtlSeconds: 300 });
  assert.deepEqual(c.sip.trustedPeers, []);
  const none = validateConfig({ auth: { mode: 'none', realm: 'example.com' }, sip: { trustedPeers: ['10.0.0.0/8', '::1', '192.0.2.7'] } });
  assert.equal(none.auth.mode, 'none');
  assert.equal(none.auth.realm, 'example.com');
  assert.deepEqual(none.sip.trustedPeers, ['10.0.0.0/8', '::1', '192.0.2.7']);
});

test('bad auth values and trusted peers are refused naming their path', () => {
  assert.throws(() => validateConfig({ auth: { mode: 'basic' } }), (e: Error) => e instanceof ConfigError && /auth\.mode/.test(e.message));
  assert.throws(() => validateConfig({ auth: { nonceTtlSeconds: 1 } }), /auth\.nonceTtlSeconds/);
  assert.throws(
    () => validateConfig({ sip: { trustedPeers: ['10.0.0.0/8', 'scscf.example.com'] } }),
    (e: Error) => /sip\.trustedPeers\.1: must be an IP address or CIDR network/.test(e.message),
  );
  assert.throws(() => validateConfig({ sip: { trustedPeers: ['10.0.0.0/33'] } }), /sip\.trustedPeers\.0/);
});
