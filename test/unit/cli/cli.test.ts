import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run } from '../../interop/support.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');

test('presenced --help lists the serve command', async () => {
  const r = await run(process.execPath, [CLI, '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /serve/);
});

test('presenced serve --help explains every option', async () => {
  const r = await run(process.execPath, [CLI, 'serve', '--help']);
  assert.equal(r.code, 0);
  for (const opt of ['--host', '--sip-port', '--tls-port', '--ws-port', '--wss-port', '--tls-cert', '--tls-key', '--domain', '--config', '--log-level']) {
    assert.ok(r.stdout.includes(opt), `help mentions ${opt}`);
  }
});

test('a bad port is rejected with the fix, exit 1', async () => {
  const r = await run(process.execPath, [CLI, 'serve', '--sip-port', 'abc']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /port number from 0 to 65535/);
});

test('a bad configuration file is rejected naming the path of the bad value', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'presenced-cli-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ sip: { timers: { t1Ms: -5 } } }));
  const r = await run(process.execPath, [CLI, 'serve', '--config', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /sip\.timers\.t1Ms/);
});
