import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contactStatus, startBaresip } from './baresip-support.js';
import type { Baresip } from './baresip-support.js';
import { startServe } from './support.js';
import type { ServeProcess } from './support.js';

// Two baresip 1.0.0 instances (Debian package baresip-core) against `presenced serve` (issue 3): alice
// registers and publishes (RFC 3903) open and closed; bob has alice in his contacts, subscribes (RFC 3856)
// and shows each change in his contact list, which the test reads through bob's ctrl_tcp interface.

/** Polls bob's contact list until alice shows `expected`; fails with the last text after `timeoutMs`. */
async function untilStatus(bob: Baresip, alice: string, expected: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await bob.command('contacts');
    if (contactStatus(text, alice) === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`bob never showed ${alice} as ${expected}; last contact list:\n${text}\nbob's output (end):\n${bob.output().slice(-4000)}`);
}

describe('baresip publishes and watches presence through presenced serve', () => {
  let server: ServeProcess;
  before(async () => {
    server = await startServe();
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'presenced exits cleanly on SIGTERM');
  });

  for (const transport of ['udp', 'tcp'] as const) {
    test(`over ${transport.toUpperCase()}: bob's contact list follows alice going online, offline and online again`, async () => {
      const alice = `sip:alice-${transport}@localhost`;
      const bob = `sip:bob-${transport}@localhost`;
      // The account and outbound proxy as in shared/captures/baresip-*.txt; pubint turns publishing on.
      const outbound = `outbound="sip:127.0.0.1:${server.port};transport=${transport}"`;
      const started: Baresip[] = [];
      try {
        const starts = await Promise.allSettled([
          startBaresip({ account: `<${alice};transport=${transport}>;${outbound};regint=60;pubint=60` }),
          startBaresip({ account: `<${bob};transport=${transport}>;${outbound};regint=60;pubint=0`, contacts: [`"Alice" <${alice}>;presence=p2p`] }),
        ]);
        for (const s of starts) if (s.status === 'fulfilled') started.push(s.value);
        for (const s of starts) if (s.status === 'rejected') throw s.reason;
        const [a, b] = started as [Baresip, Baresip];
        // alice publishes open once registered; bob's subscription shows it.
        await untilStatus(b, alice, 'Online');
        await a.command('presence_offline');
        await untilStatus(b, alice, 'Offline');
        await a.command('presence_online');
        await untilStatus(b, alice, 'Online');
        // baresip logs each change it took from a NOTIFY.
        assert.match(b.output(), /changed status from \S*Online\S* to \S*Offline/);
        assert.match(b.output(), /changed status from \S*Offline\S* to \S*Online/);
      } finally {
        await Promise.all(started.map((p) => p.stop()));
      }
    });
  }
});
