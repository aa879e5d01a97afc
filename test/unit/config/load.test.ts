import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, validateConfig } from '../../../src/config/load.js';

test('an empty configuration gets the embedded defaults, frozen', () => {
  const c = validateConfig({});
  assert.equal(c.sip.port, 5060);
  assert.equal(c.sip.host, '0.0.0.0');
  assert.equal(c.sip.timers.t1Ms, 500);
  assert.equal(c.sip.limits.maxMessageSize, 65_535);
  assert.equal(c.domain, 'localhost');
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.sip) && Object.isFrozen(c.sip.timers));
});

test('a bad value is reported with its path', () => {
  assert.throws(() => validateConfig({ sip: { port: 70000 } }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /sip\.port/);
    return true;
  });
});

test('an unknown key is reported with its path and the fix', () => {
  assert.throws(() => validateConfig({ sip: { prot: 5060 } }), /sip.*prot[\s\S]*remove it/);
});

test('command-line overrides win over the file; untouched file values stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'presenced-config-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ domain: 'example.net', sip: { port: 5070, host: '127.0.0.1' } }));
  const c = loadConfig(file, { sip: { port: 5080 } });
  assert.equal(c.sip.port, 5080);
  assert.equal(c.sip.host, '127.0.0.1');
  assert.equal(c.domain, 'example.net');
});

test('a file that is not JSON names the file and the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'presenced-config-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, '{ sip: ');
  assert.throws(() => loadConfig(file), (e: Error) => e instanceof ConfigError && e.message.includes(file) && /fix the syntax/.test(e.message));
});

test('a missing file is reported, not thrown as a raw errno', () => {
  assert.throws(() => loadConfig('/nonexistent/presenced.json'), (e: Error) => e instanceof ConfigError && /cannot read/.test(e.message));
});
