import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, run, scenario, startServe } from './support.js';
import type { ServeProcess } from './support.js';

// SIPp subscribes to presence at `presenced serve` with Accept: application/pidf-diff+xml (RFC 5263) and
// checks the bodies over the network: <pidf-full> version 1, a <pidf-diff> version 2 replacing only the
// changed tuple, <pidf-full> version 3 after a refresh (test/interop/scenarios/presence-partial.xml).

describe('SIPp partial notification against presenced serve', () => {
  let server: ServeProcess;
  before(async () => {
    server = await startServe();
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'presenced exits cleanly on SIGTERM');
  });

  for (const [name, transport] of [['UDP', 'u1'], ['TCP', 't1']] as const) {
    test(`over ${name}: full state, then a diff of the changed tuple, then full state after a refresh`, async () => {
      const r = await run('sipp', [
        '-sf', scenario('presence-partial.xml'), '-s', `frank-${name.toLowerCase()}`, '-i', '127.0.0.1', '-p', String(await freePort()),
        '-t', transport, '-m', '1', '-timeout', '30s', '-timeout_error', '-nostdin', `127.0.0.1:${server.port}`,
      ], 40_000);
      assert.equal(r.code, 0, `sipp exit ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
    });
  }
});
