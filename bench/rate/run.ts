import { parseArgs } from 'node:util';
import { validateConfig } from '../../src/config/load.js';
import { buildPidf } from '../../src/presence/pidf/build.js';
import { build } from '../../src/server.js';
import { LoopNetwork } from '../../src/sip/transport/loop.js';
import { MemoryStores } from '../../src/store/memory/memory-stores.js';
import { FakeClock } from '../../src/util/clock.js';
import { newTag } from '../../src/util/ids.js';
import { SipPeer } from '../../test/support/sip-peer.js';

/**
 * `node dist/bench/rate/run.js [--watchers 100] [--publishes 100] [--window-ms 1000]`: NOTIFYs saved by
 * rate control (issue 6 item 4) under a bursty publisher. One presentity with `--watchers` watchers; its
 * PUA sends `--publishes` PUBLISHes evenly over `--window-ms`; the clock then runs 2 s more so held-back
 * final states go out. Everything runs in process on the LOOP network with a FakeClock (simulated time:
 * the figures count messages, not CPU). Three runs: no rate control; every watcher with Event
 * `max-rate=1`; the local policy of one round per presentity per second. Prints a Markdown table.
 */

const DOMAIN = 'home1.net';
const PS = { transport: 'LOOP' as const, address: 'ps.test', port: 5060 };
const PRESENTITY = `sip:alice@${DOMAIN}`;

interface Run {
  readonly label: string;
  readonly event: string;
  readonly presentityMs: number;
}

interface Outcome {
  readonly notifies: number;
  /** Watchers whose last NOTIFY carries the last published note. */
  readonly upToDate: number;
}

/** Lets queued work run: LOOP delivers one message per event-loop turn. */
async function settle(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

async function measure(run: Run, watchers: number, publishes: number, windowMs: number): Promise<Outcome> {
  const net = new LoopNetwork();
  const clock = new FakeClock();
  const stores = new MemoryStores();
  const config = validateConfig({
    domain: DOMAIN, nodeId: 'bench', sip: { host: PS.address, port: PS.port }, store: { kind: 'memory' },
    auth: { mode: 'none' }, presence: { rateControl: { minIntervalPerWatcherMs: 0, minIntervalPerPresentityMs: run.presentityMs } },
  });
  const server = build(config, { loopNetwork: net, clock, stores });
  await server.listen();
  const pua = await SipPeer.start(net, 'alice');
  const peers: SipPeer[] = [];
  try {
    for (let i = 0; i < watchers; i++) {
      const peer = await SipPeer.start(net, `w${i}`);
      peers.push(peer);
      const aor = `sip:w${i}@${DOMAIN}`;
      const res = await peer.send(peer.request('SUBSCRIBE', PRESENTITY, [
        ['From', `<${aor}>;tag=${newTag()}`], ['Contact', `<sip:w${i}@${peer.host}:${peer.port};transport=loop>`],
        ['Event', run.event], ['Accept', 'application/pidf+xml'], ['Expires', '3600'],
      ]), PS);
      if (res.status !== 200) throw new Error(`SUBSCRIBE answered ${res.status}`);
    }
    await settle(50);
    const before = peers.reduce((n, p) => n + p.received.length, 0);
    let etag: string | undefined;
    const step = windowMs / publishes;
    for (let i = 1; i <= publishes; i++) {
      const body = buildPidf({ entity: PRESENTITY, tupleId: 'phone', basic: 'open', note: `update ${i}` });
      const headers: Array<[string, string]> = [['From', `<${PRESENTITY}>;tag=${newTag()}`], ['Event', 'presence'], ['Content-Type', 'application/pidf+xml']];
      if (etag) headers.push(['SIP-If-Match', etag]);
      const res = await pua.send(pua.request('PUBLISH', PRESENTITY, headers, body.toString('utf8')), PS);
      if (res.status !== 200) throw new Error(`PUBLISH answered ${res.status}`);
      etag = res.headers.get('SIP-ETag') ?? undefined;
      await settle(20);
      clock.advance(step);
    }
    for (let t = 0; t < 2000; t += 50) {
      await settle(20);
      clock.advance(50);
    }
    await settle(100);
    const last = `update ${publishes}<`;
    return {
      notifies: peers.reduce((n, p) => n + p.received.length, 0) - before,
      upToDate: peers.filter((p) => p.received.at(-1)?.body.toString('utf8').includes(last)).length,
    };
  } finally {
    for (const p of [pua, ...peers]) await p.close();
    await server.close();
    await stores.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    watchers: { type: 'string', default: '100' }, publishes: { type: 'string', default: '100' }, 'window-ms': { type: 'string', default: '1000' },
  } });
  const watchers = Number(values.watchers);
  const publishes = Number(values.publishes);
  const windowMs = Number(values['window-ms']);
  const runs: Run[] = [
    { label: 'no rate control', event: 'presence', presentityMs: 0 },
    { label: 'Event max-rate=1 (RFC 6446)', event: 'presence;max-rate=1', presentityMs: 0 },
    { label: 'local policy: 1 round per presentity per 1000 ms', event: 'presence', presentityMs: 1000 },
  ];
  console.log(`${publishes} PUBLISHes in ${windowMs} ms to one presentity with ${watchers} watchers (simulated time, +2 s to drain)\n`);
  console.log('| run | NOTIFYs sent | NOTIFYs/s over the burst | saved per second | watchers with the final state |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  let baseline: number | undefined;
  for (const run of runs) {
    const started = process.hrtime.bigint();
    const o = await measure(run, watchers, publishes, windowMs);
    baseline ??= o.notifies;
    const perSecond = (o.notifies * 1000) / windowMs;
    const saved = ((baseline - o.notifies) * 1000) / windowMs;
    console.log(`| ${run.label} | ${o.notifies} | ${perSecond.toFixed(0)} | ${saved.toFixed(0)} | ${o.upToDate}/${watchers} |`);
    console.error(`  (${run.label}: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s wall)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
