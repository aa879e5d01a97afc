import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { newNames, sleep, writeInjection } from '../compare/lab.js';
import { runSipp } from '../compare/sipp.js';
import type { SippResult } from '../compare/sipp.js';
import { freePort } from '../compare/targets.js';
import { perItem, formatTable } from './figures.js';
import type { Phase } from './figures.js';
import type { MemoryReading, Probe, ProbeReply } from './protocol.js';

// Memory per publication and per subscription of presenced (issue 7), steadier than resident memory
// alone: the server (server.ts, the `serve` configuration) runs in a child process with --expose-gc;
// SIPp adds `--count` publications of new presentities, then as many more (measured), then one
// subscription to each of the first, then one to each of the second (measured). After each batch the
// driver waits until every transaction has ended (Timer J is 64*T1 = 32 s after the last final
// response), collects garbage twice and reads heap, external memory, VmRSS and Pss; the per-item
// figures are the differences over a measured batch divided by its successful calls. The batch before
// each measured one is of the same kind: it loads and compiles the code paths and grows the heap, so
// the measured batch adds what its state keeps. Run from the repository root after a build:
//   node dist/bench/memory/run.js [--count 10000] [--publish-rate 500] [--subscribe-rate 250]
//     [--node-flags="--max-semi-space-size=2"] [--store sqlite|memory] [--snapshots <dir>] [--keep]

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    'publish-rate': { type: 'string', default: '500' },
    'subscribe-rate': { type: 'string', default: '250' },
    'node-flags': { type: 'string', default: '' },
    store: { type: 'string', default: 'sqlite' },
    snapshots: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const count = Number(opts.count);
const publishRate = Number(opts['publish-rate']);
const subscribeRate = Number(opts['subscribe-rate']);
const nodeFlags = opts['node-flags'].split(/\s+/).filter((f) => f !== '');
/** Longest wait for the transactions of a batch to end, ms (Timer J is 32 s with the default T1). */
const DRAIN_MS = 90_000;

/** The measured server: a forked server.ts answering probes over IPC. */
class Measured {
  private next = 1;
  private readonly waiting = new Map<number, (r: ProbeReply) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (r: ProbeReply) => {
      const done = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      done?.(r);
    });
  }

  static async start(dataDir: string): Promise<Measured> {
    const port = await freePort();
    const child = fork(resolve('dist/bench/memory/server.js'), [String(port), dataDir, opts.store], {
      execArgv: ['--expose-gc', ...nodeFlags],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const m = new Measured(child, port);
    await new Promise<void>((res, rej) => {
      m.waiting.set(0, () => res());
      child.once('exit', (code) => rej(new Error(`the measured server exited (${code}) before listening`)));
    });
    return m;
  }

  async read(collect: boolean): Promise<MemoryReading> {
    const r = await this.ask({ kind: 'read', collect });
    if (!('reading' in r)) throw new Error(`read failed: ${JSON.stringify(r)}`);
    return r.reading;
  }

  async snapshot(file: string): Promise<string> {
    const r = await this.ask({ kind: 'snapshot', file });
    if (!('file' in r)) throw new Error(`snapshot failed: ${JSON.stringify(r)}`);
    return r.file;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((res) => this.child.once('exit', () => res()));
    this.child.send({ id: this.next++, kind: 'stop' } satisfies Probe);
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }

  private ask(p: { kind: 'read'; collect: boolean } | { kind: 'snapshot'; file: string }): Promise<ProbeReply> {
    const id = this.next++;
    return new Promise((res) => {
      this.waiting.set(id, res);
      this.child.send({ id, ...p } satisfies Probe);
    });
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'presenced-memory-'));
const note = (line: string): void => void process.stderr.write(`${line}\n`);

/** One SIPp batch of `scenario` over `names` at `rate` calls/s. */
async function batch(server: Measured, scenario: string, names: readonly string[], rate: number): Promise<SippResult> {
  const r = await runSipp(workDir, {
    scenario,
    serverPort: server.port,
    localPort: await freePort(),
    calls: names.length,
    rate,
    maxSeconds: names.length / rate + 30,
    injectionFile: writeInjection(workDir, names),
  });
  const s = r.stats;
  note(`  ${scenario}: ${s.successful}/${s.created} ok, ${s.failed} failed, ${s.retransmissions} retransmissions, ${s.stray} stray, ${s.elapsedSeconds.toFixed(1)} s`);
  return r;
}

/** Waits until the server has no transaction left; returns the reading right after the batch (collected). */
async function drain(server: Measured): Promise<MemoryReading> {
  const busy = await server.read(true);
  const deadline = Date.now() + DRAIN_MS;
  for (;;) {
    const r = await server.read(false);
    if (r.serverTransactions === 0 && r.clientTransactions === 0) break;
    if (Date.now() > deadline) throw new Error(`transactions still alive after ${DRAIN_MS} ms: ${r.serverTransactions} server, ${r.clientTransactions} client`);
    await sleep(1000);
  }
  return busy;
}

/** Runs one measured phase: a batch, the drain, the readings (and a snapshot when asked). */
async function phase(server: Measured, label: string, scenario: string, names: readonly string[], rate: number): Promise<Phase> {
  note(`${label}: ${names.length} at ${rate}/s`);
  const start = await server.read(false);
  const result = await batch(server, scenario, names, rate);
  const end = await server.read(false);
  if (opts.snapshots) note(`  snapshot ${await server.snapshot(join(resolve(opts.snapshots), `${label}-busy.heapsnapshot`))}`);
  const busy = await drain(server);
  const raw = await server.read(false);
  const after = await server.read(true);
  if (opts.snapshots) note(`  snapshot ${await server.snapshot(join(resolve(opts.snapshots), `${label}.heapsnapshot`))}`);
  return { label, successful: result.stats.successful, start, end, busy, raw, after };
}

async function main(): Promise<void> {
  if (opts.snapshots) mkdirSync(opts.snapshots, { recursive: true });
  const server = await Measured.start(mkdtempSync(join(workDir, 'data-')));
  try {
    const start = await server.read(true);
    const warm = newNames('mw', count);
    const measured = newNames('mm', count);
    const phases = [
      await phase(server, 'publish-warm', 'publish-new.xml', warm, publishRate),
      await phase(server, 'publish', 'publish-new.xml', measured, publishRate),
      await phase(server, 'subscribe-warm', 'subscribe.xml', warm, subscribeRate),
      await phase(server, 'subscribe', 'subscribe.xml', measured, subscribeRate),
    ];
    process.stdout.write(`node flags: ${nodeFlags.join(' ') || '(none)'}; ${opts.store} stores; ${count} per batch; PUBLISH ${publishRate}/s, SUBSCRIBE ${subscribeRate}/s\n`);
    process.stdout.write(formatTable(start, phases));
    const lines = [['per publication', perItem(phases[0]!, phases[1]!)], ['per subscription', perItem(phases[2]!, phases[3]!)]] as const;
    for (const [what, p] of lines) {
      process.stdout.write(`${what}: heap ${p.heap} + external ${p.external} = ${p.heap + p.external} bytes; RSS ${p.rss} (before collecting ${p.rssRaw}), Pss ${p.pss}; CPU ${p.cpuUs} µs\n`);
    }
  } finally {
    await server.stop();
    if (!opts.keep) rmSync(workDir, { recursive: true, force: true });
    else note(`files kept in ${workDir}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
