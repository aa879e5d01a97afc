import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTwinRelay } from './sipp-twin-relay.js';
import { freePort, run, scenario, startServe } from './support.js';
import type { RunResult, ServeProcess } from './support.js';

// SIPp publishes and watches presence at `presenced serve` over UDP and TCP (RFC 3903, RFC 6665,
// RFC 3856): a publisher and a watcher as two SIPp processes, the publisher paced by the watcher through
// 3PCC twin commands.

/** Arguments of one SIPp run of `file` for presentity `service` against the server. */
async function sippArgs(file: string, service: string, transport: 'u1' | 't1', server: ServeProcess, extra: string[] = []): Promise<string[]> {
  return [
    '-sf', scenario(file), '-s', service, '-i', '127.0.0.1', '-p', String(await freePort()), '-t', transport,
    '-m', '1', '-timeout', '30s', '-timeout_error', '-nostdin', ...extra, `127.0.0.1:${server.port}`,
  ];
}

/** A SIPp run for a failure message: its exit code and its last screens (the scenario screen shows where it stopped). */
function explain(who: string, r: RunResult): string {
  return `${who}: sipp exit ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`;
}

describe('SIPp presence publisher and watcher against presenced serve', () => {
  let server: ServeProcess;
  before(async () => {
    server = await startServe();
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'presenced exits cleanly on SIGTERM');
  });

  for (const [name, transport] of [['UDP', 'u1'], ['TCP', 't1']] as const) {
    test(`over ${name}: the watcher gets a NOTIFY for open, closed and removed, in order, then a terminated one`, async () => {
      const service = `carol-${name.toLowerCase()}`;
      const relay = await startTwinRelay();
      try {
        const twin = ['-3pcc', `127.0.0.1:${relay.port}`];
        const [published, watched] = await Promise.all([
          run('sipp', await sippArgs('presence-publisher.xml', service, transport, server, twin), 40_000),
          run('sipp', await sippArgs('presence-watcher.xml', service, transport, server, twin), 40_000),
        ]);
        // Either twin failing stalls the other until its timeout: report both.
        const report = `${explain('watcher', watched)}\n${explain('publisher', published)}\ntwin commands passed: ${relay.passed.join(', ') || 'none'}`;
        assert.equal(watched.code, 0, report);
        assert.equal(published.code, 0, report);
        assert.equal(relay.passed.length, 3, report);
      } finally {
        await relay.close();
      }
    });

    test(`over ${name}: a fetch (SUBSCRIBE Expires 0) gets 200 and one terminated NOTIFY with the current document`, async () => {
      const r = await run('sipp', await sippArgs('presence-fetch.xml', `dave-${name.toLowerCase()}`, transport, server), 40_000);
      assert.equal(r.code, 0, explain('fetch', r));
    });

    test(`over ${name}: a malformed PIDF gets 400 naming the defect, a wrong type 415 with Accept, Event foo 489 with Allow-Events`, async () => {
      const r = await run('sipp', await sippArgs('publish-rejections.xml', `erin-${name.toLowerCase()}`, transport, server), 40_000);
      assert.equal(r.code, 0, explain('rejections', r));
    });
  }
});
