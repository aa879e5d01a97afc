import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SubscriptionLifecycle } from '../../../../src/events/notifier/lifecycle.js';
import { WatcherInfoLog } from '../../../../src/presence/winfo/watcher-log.js';
import { MemoryWatcherInfoStore } from '../../../../src/store/memory/watcher-info-store.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { silentLogger } from '../../../../src/util/logger.js';

const ALICE = 'sip:alice@example.com';

function record(id: string, over: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id, resource: ALICE, event: 'presence', state: 'pending', watcher: 'sip:bob@example.com', callId: `c-${id}`, localTag: id,
    remoteTag: 'r', localUri: ALICE, remoteUri: 'sip:bob@example.com', remoteTarget: 'sip:bob@192.0.2.1', routeSet: [],
    localCSeq: 0, remoteCSeq: 1, secure: false, accept: ['application/pidf+xml'], expiresAt: 600_000, createdAt: 0, ...over,
  };
}

function setup(historySeconds = 3600): { log: WatcherInfoLog; clock: FakeClock; changed: string[] } {
  const clock = new FakeClock();
  const changed: string[] = [];
  const log = new WatcherInfoLog({
    store: new MemoryWatcherInfoStore(), clock, logger: silentLogger, watchedPackage: 'presence', historySeconds, onChange: (p) => changed.push(p),
  });
  return { log, clock, changed };
}

async function states(log: WatcherInfoLog): Promise<string[]> {
  return (await log.watchers(ALICE)).map((w) => `${w.subscriptionId}:${w.status}:${w.event}${w.fetch ? ':fetch' : ''}`);
}

test('RFC 3857 §3.2.3: subscribe, approved, and every end reason; other packages are ignored; each step notifies', async () => {
  const { log, changed } = setup();
  const steps: SubscriptionLifecycle[] = [
    { kind: 'created', record: record('a') },
    { kind: 'state', record: record('a', { state: 'active' }) },
    { kind: 'refreshed', record: record('a', { state: 'active' }) },
    { kind: 'created', record: record('b') },
    { kind: 'terminated', record: record('b'), reason: 'giveup' },
    { kind: 'created', record: record('c', { state: 'active' }) },
    { kind: 'terminated', record: record('c', { state: 'active' }), reason: 'transport error' },
    { kind: 'created', record: record('d') },
    { kind: 'refreshed', record: record('d', { state: 'active' }) },
    { kind: 'terminated', record: record('d', { state: 'active' }), reason: 'noresource' },
    { kind: 'fetched', record: record('e', { expiresAt: 0 }) },
    { kind: 'refused', record: record('f') },
    { kind: 'created', record: record('x', { event: 'presence.winfo' }) },
  ];
  for (const s of steps) log.observe(s);
  await log.flushed();
  assert.deepEqual(await states(log), [
    'a:active:approved', 'b:terminated:giveup', 'c:terminated:deactivated', 'd:terminated:noresource', 'e:pending:subscribe:fetch', 'f:terminated:rejected',
  ]);
  assert.equal(changed.length, 12);
});

test('anonymous watchers: their display name is never logged; history is bounded by historySeconds and purged', async () => {
  const { log, clock } = setup(3600);
  log.observe({ kind: 'created', record: record('a', { watcher: 'sip:anonymous@anonymous.invalid', watcherDisplayName: 'Bob' }) });
  log.observe({ kind: 'created', record: record('b', { watcherDisplayName: 'Bob' }) });
  await log.flushed();
  const [anon, named] = await log.watchers(ALICE);
  assert.equal(anon!.anonymous, true);
  assert.equal(anon!.displayName, undefined);
  assert.equal(named!.displayName, 'Bob');
  clock.advance(1800_000);
  log.observe({ kind: 'terminated', record: record('b'), reason: 'timeout' });
  await log.flushed();
  assert.deepEqual((await log.watchers(ALICE, 1000)).map((w) => w.subscriptionId), ['b'], 'a shorter history asked for');
  clock.advance(1800_001);
  assert.equal(await log.purge(), 2);
  assert.deepEqual(await states(log), ['b:terminated:timeout']);
});
