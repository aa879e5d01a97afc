import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, run, scenario, startServe } from './support.js';
import type { ServeProcess } from './support.js';

// SIPp (Debian package sip-tester) talks to `presenced serve` over UDP and TCP on loopback.
describe('SIPp against presenced serve', () => {
  let server: ServeProcess;
  before(async () => {
    server = await startServe();
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'presenced exits cleanly on SIGTERM');
  });

  for (const [name, transport] of [['UDP', 'u1'], ['TCP', 't1']] as const) {
    test(`OPTIONS pings over ${name} all get 200 with Allow, Accept and Supported`, async () => {
      const local = await freePort();
      const r = await run('sipp', [
        '-sf', scenario('options.xml'), '-s', 'ping', '-i', '127.0.0.1', '-p', String(local), '-t', transport,
        '-m', '50', '-r', '50', '-l', '10', '-timeout', '30s', '-timeout_error', '-nostdin',
        `127.0.0.1:${server.port}`,
      ]);
      assert.equal(r.code, 0, `sipp exit ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    });

    test(`malformed and unsupported requests over ${name} get 400, 501 and 420`, async () => {
      const local = await freePort();
      const r = await run('sipp', [
        '-sf', scenario('bad-request.xml'), '-s', 'ping', '-i', '127.0.0.1', '-p', String(local), '-t', transport,
        '-m', '5', '-r', '10', '-timeout', '30s', '-timeout_error', '-nostdin', `127.0.0.1:${server.port}`,
      ]);
      assert.equal(r.code, 0, `sipp exit ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    });
  }
});
