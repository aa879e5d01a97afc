// presenced against Kamailio's presence server (issue 7): the same SIPp scenarios against each, on
// loopback, one table. Usage: node dist/bench/compare/run.js [--quick] [--keep] (from the repository
// root, after a build; `npm run bench`). See bench/README.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureFanout } from './fanout.js';
import type { FanoutResult } from './fanout.js';
import { kamailioArgs, kamailioBinary, kamailioVersion, startKamailio } from './kamailio.js';
import { FULL, QUICK } from './lab.js';
import type { Lab, Settings } from './lab.js';
import { measureMemory, measureRate } from './measures.js';
import type { MemoryResult, RateKind, RateResult } from './measures.js';
import { formatSteps, formatTable } from './report.js';
import type { Row } from './report.js';
import { startCeiling, startPresenced } from './targets.js';
import type { Target } from './targets.js';

/** Everything measured on one server (null: not measured or failed; see notes). */
interface Results {
  name: string;
  rates: Partial<Record<RateKind, RateResult | null>>;
  fanouts: (FanoutResult | null)[];
  memory: MemoryResult | null;
  notes: string[];
}

const live = new Set<Target>();
const t0 = Date.now();

/** A progress line on stderr, with the seconds since the start. */
function note(line: string): void {
  process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
}

/**
 * Runs `measure` with a Lab whose servers are tracked, so an interrupted run still stops them. With
 * `settings.shareServer` every measure gets the same server, stopped at the end.
 */
async function withLab<T>(settings: Settings, workDir: string, start: () => Promise<Target>, measure: (l: Lab) => Promise<T>): Promise<T> {
  const track = async (): Promise<Target> => {
    const t = await start();
    live.add(t);
    return { ...t, stop: () => t.stop().finally(() => live.delete(t)) };
  };
  let shared: Promise<Target> | undefined;
  const l: Lab = {
    settings,
    workDir,
    note,
    start: async () => {
      if (!settings.shareServer) return track();
      shared ??= track();
      const t = await shared;
      return { ...t, stop: async () => undefined };
    },
  };
  try {
    return await measure(l);
  } finally {
    if (shared) await (await shared.catch(() => null))?.stop();
  }
}

/** Runs `fn`, turning a failure into null and a note. */
async function attempt<T>(r: Results, what: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    const msg = `${what}: ${(e as Error).message.split('\n')[0]}`;
    r.notes.push(msg);
    note(`  ${r.name} ${msg}`);
    return null;
  }
}

/** Half a sustained rate, kept within [low, high]; `fallback` when there is none. */
function halfRate(rate: RateResult | null | undefined, low: number, high: number, fallback: number): number {
  const r = rate?.sustained ? rate.sustained / 2 : fallback;
  return Math.min(high, Math.max(low, r));
}

/** The rates presenced's CPU per request was measured at, by measure: the other servers' are measured there too. */
type CpuRates = Partial<Record<RateKind, number>>;

function cpuRates(r: Results): CpuRates {
  const out: CpuRates = {};
  for (const [kind, rate] of Object.entries(r.rates) as [RateKind, RateResult | null][]) {
    if (rate && Number.isFinite(rate.cpuRate)) out[kind] = rate.cpuRate;
  }
  return out;
}

/** Every measure on one presence server. */
async function measureServer(l: Lab, name: string, cpuAt: CpuRates = {}): Promise<Results> {
  const r: Results = { name, rates: {}, fanouts: [], memory: null, notes: [] };
  for (const kind of ['publish-new', 'publish-modify', 'subscribe'] as const) {
    note(`${name}: ${kind}`);
    r.rates[kind] = await attempt(r, kind, () => measureRate(l, kind, cpuAt[kind]));
  }
  const subscribeRate = halfRate(r.rates.subscribe, 50, 2000, 200);
  for (const watchers of l.settings.fanouts) {
    note(`${name}: fan-out to ${watchers} watchers (subscribing at ${Math.round(subscribeRate)}/s)`);
    r.fanouts.push(await attempt(r, `fan-out ${watchers}`, () => measureFanout(l, watchers, subscribeRate)));
  }
  note(`${name}: memory`);
  const publishRate = halfRate(r.rates['publish-new'], 50, 2000, 200);
  r.memory = await attempt(r, 'memory', () => measureMemory(l, publishRate, subscribeRate));
  return r;
}

/** The ceiling responder answers PUBLISH only: the two PUBLISH rate measures. */
async function measureCeiling(l: Lab, cpuAt: CpuRates): Promise<Results> {
  const r: Results = { name: 'Node ceiling', rates: {}, fanouts: [], memory: null, notes: [] };
  for (const kind of ['publish-new', 'publish-modify'] as const) {
    note(`Node ceiling: ${kind}`);
    r.rates[kind] = await attempt(r, kind, () => measureRate(l, kind, cpuAt[kind]));
  }
  return r;
}

const fmtCount = (n: number): string => n.toLocaleString('en-US');

/** The rate presenced's CPU per request of `kind` was measured at, which the others use too. */
function at(p: Results, kind: RateKind): string {
  const rate = p.rates[kind]?.cpuRate;
  return rate !== undefined && Number.isFinite(rate) ? `${fmtCount(Math.round(rate))}/s` : "each server's 50%";
}

/** The table's rows from the results of each column. */
function rows(settings: Settings, p: Results, k: Results | null, c: Results | null): Row[] {
  const row = (measure: string, unit: Row['unit'], pick: (r: Results) => number | null | undefined, ceiling = false): Row => ({
    measure,
    unit,
    presenced: pick(p) ?? null,
    kamailio: k ? (pick(k) ?? null) : null,
    ceiling: ceiling && c ? (pick(c) ?? null) : null,
  });
  const rate = (kind: RateKind) => (r: Results) => r.rates[kind]?.sustained ?? null;
  const out: Row[] = [
    row('PUBLISH/s, new presentities', 'rate', rate('publish-new'), true),
    row('PUBLISH/s, modify with SIP-If-Match (1 initial : 10)', 'rate', rate('publish-modify'), true),
    row('SUBSCRIBE + initial NOTIFY dialogs/s', 'rate', rate('subscribe')),
  ];
  settings.fanouts.forEach((n, i) => {
    out.push(row(`fan-out to ${fmtCount(n)} watchers: NOTIFY/s`, 'rate', (r) => r.fanouts[i]?.notifyPerSecond));
    out.push(row(`fan-out to ${fmtCount(n)} watchers: PUBLISH to last NOTIFY, ms`, 'ms', (r) => r.fanouts[i]?.lastNotifyMs));
  });
  const labels: Record<RateKind, string> = { 'publish-new': 'PUBLISH new', 'publish-modify': 'PUBLISH modify', 'subscribe': 'SUBSCRIBE' };
  for (const kind of ['publish-new', 'publish-modify', 'subscribe'] as const) {
    const ceiling = kind !== 'subscribe';
    out.push(row(`${labels[kind]} p50 at 50% of max, ms`, 'ms', (r) => r.rates[kind]?.p50Ms, ceiling));
    out.push(row(`${labels[kind]} p99 at 50% of max, ms`, 'ms', (r) => r.rates[kind]?.p99Ms, ceiling));
  }
  const over = `over ${fmtCount(settings.memoryCount)}`;
  out.push(
    row(`memory per publication, bytes (VmRSS sum, ${over})`, 'bytes', (r) => r.memory?.publicationsRss),
    row(`memory per publication, bytes (Pss sum, ${over})`, 'bytes', (r) => r.memory?.publicationsPss),
    row(`memory per subscription, bytes (VmRSS sum, ${over})`, 'bytes', (r) => r.memory?.subscriptionsRss),
    row(`memory per subscription, bytes (Pss sum, ${over})`, 'bytes', (r) => r.memory?.subscriptionsPss),
  );
  const cpuLabels: Record<RateKind, string> = { 'publish-new': 'PUBLISH, new', 'publish-modify': 'PUBLISH, modify', 'subscribe': 'SUBSCRIBE dialog' };
  for (const kind of ['publish-new', 'publish-modify', 'subscribe'] as const) {
    const ceiling = kind !== 'subscribe';
    out.push(row(`CPU µs per ${cpuLabels[kind]} (at 50% of each max)`, 'us', (r) => r.rates[kind]?.halfRateCpuUsPerOp, ceiling));
    out.push(row(`CPU µs per ${cpuLabels[kind]} (all at ${at(p, kind)})`, 'us', (r) => r.rates[kind]?.cpuUsPerOp, ceiling));
  }
  settings.fanouts.forEach((n, i) => out.push(row(`CPU µs per NOTIFY, fan-out to ${fmtCount(n)}`, 'us', (r) => r.fanouts[i]?.cpuUsPerNotify)));
  return out;
}

/** The steps of every rate search and every note, per server. */
function details(all: Results[]): string {
  const out: string[] = [];
  for (const r of all) {
    for (const [kind, rate] of Object.entries(r.rates)) {
      if (!rate) continue;
      out.push(formatSteps(`${r.name}, ${kind} (sustained ${Math.round(rate.sustained)}/s):`, rate.steps));
      out.push(`  at 50%: ${rate.halfRateNote}`);
    }
    r.fanouts.forEach((f) => f && out.push(`${r.name}, fan-out to ${f.watchers}: ${f.note}`));
    if (r.memory) out.push(`${r.name}, memory: ${r.memory.note}`);
    for (const n of r.notes) out.push(`${r.name}: ${n}`);
  }
  return out.join('\n');
}

function firstLine(cmd: string, args: string[], match: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n').find((l) => match.test(l))?.trim() ?? '?';
  } catch (e) {
    // sipp -v exits with status 1 after printing its version.
    const out = String((e as { stdout?: string }).stdout ?? '');
    return out.split('\n').find((l) => match.test(l))?.trim() ?? '?';
  }
}

/** Machine and versions, printed above the table. */
function machine(kamailio: string | null): string {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  return [
    `machine: ${availableParallelism()} CPUs (${cpu}), Linux ${release()}`,
    `node ${process.version}; ${firstLine('sipp', ['-v'], /SIPp v/)}; ${kamailio ? kamailioVersion(kamailio) : 'Kamailio: not installed'}`,
  ].join('\n');
}

async function main(args: string[]): Promise<void> {
  const unknown = args.filter((a) => a !== '--quick' && a !== '--keep');
  if (unknown.length) {
    process.stderr.write(`unknown argument ${unknown[0]}; usage: run.js [--quick] [--keep]\n`);
    process.exitCode = 2;
    return;
  }
  const settings = args.includes('--quick') ? QUICK : FULL;
  if (!existsSync(resolve('dist/src/cli/main.js')) || !existsSync(resolve('dist/bench/compare/ceiling.js'))) {
    throw new Error('build first (npm run build) and run from the repository root');
  }
  if (firstLine('sipp', ['-v'], /SIPp v/) === '?') throw new Error('SIPp is not installed: run bench/install-bench-deps.sh');
  const kamailio = kamailioBinary();
  if (!kamailio) {
    if (!settings.quick) throw new Error('Kamailio is not installed: run bench/install-bench-deps.sh');
    note('Kamailio is not installed (bench/install-bench-deps.sh installs it): its column is skipped in this quick run.');
  }
  const workDir = mkdtempSync(join(tmpdir(), 'presenced-compare-'));
  const stopAll = () => {
    void Promise.all([...live].map((t) => t.stop())).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    const started = Date.now();
    const p = await withLab(settings, workDir, () => startPresenced(workDir), (l) => measureServer(l, 'presenced'));
    const cpuAt = cpuRates(p);
    const k = kamailio ? await withLab(settings, workDir, () => startKamailio(kamailio, workDir), (l) => measureServer(l, 'Kamailio', cpuAt)) : null;
    const c = await withLab(settings, workDir, startCeiling, (l) => measureCeiling(l, cpuAt));
    const out = [
      `presenced vs Kamailio presence (${settings.quick ? 'quick smoke run: figures mean little' : 'full run'}), ${new Date().toISOString()}`,
      machine(kamailio),
      'presenced: node dist/src/cli/main.js serve --host 127.0.0.1 --sip-port <port> --data-dir <tmp> --auth none (otherwise the default config: SQLite, durable)',
      ...(kamailio ? [`Kamailio: ${kamailio} ${kamailioArgs(0, '<tmp>/db').join(' ')} (a free port each start)`] : []),
      '',
      formatTable(rows(settings, p, k, c)),
      '',
      details([p, ...(k ? [k] : []), c]),
      '',
      `took ${Math.round((Date.now() - started) / 1000)} s`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    process.off('SIGINT', stopAll);
    process.off('SIGTERM', stopAll);
    if (args.includes('--keep')) note(`SIPp files kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`compare benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
