import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, run, startServe } from '../../test/interop/support.js';
import type { ServeProcess } from '../../test/interop/support.js';
import { parseSippStats } from './sipp-stats.js';
import type { SippStats } from './sipp-stats.js';

/**
 * One load measurement: a fresh `presenced serve` (SQLite in a temporary directory), a warm-up, then
 * SIPp running one scenario of bench/presence/ at a fixed call rate for a fixed number of calls, with
 * the server's CPU time read from /proc before and after (Linux only).
 */

/** The load scenarios: `publish.xml` (one PUBLISH per call) and `subscribe.xml` (SUBSCRIBE, then its NOTIFY). */
export type LoadScenario = 'publish' | 'subscribe';

/** Server transactions per call of each scenario (PUBLISH; SUBSCRIBE and NOTIFY). */
export const TRANSACTIONS_PER_CALL: Readonly<Record<LoadScenario, number>> = { publish: 1, subscribe: 2 };

/** What to run. */
export interface LoadOptions {
  scenario: LoadScenario;
  /** Calls started per second. */
  rate: number;
  /** Calls in the measured run. */
  calls: number;
  transport: 'udp' | 'tcp';
  /** Calls run before measuring (at up to 500/s) so the server's code is compiled; 0 for none. */
  warmupCalls: number;
}

/** A measurement. */
export interface LoadResult extends SippStats {
  options: LoadOptions;
  /** SIPp's exit code: 0 when every call succeeded, 1 when some failed. */
  sippExit: number;
  /** Wall time of the measured SIPp run, from start to exit, ms. */
  wallMs: number;
  /** Successful calls per second of wall time. */
  completedPerSecond: number;
  /** Server CPU time (user + system) spent during the measured run, ms. */
  serverCpuMs: number;
  /** Server CPU time per successful call, µs. */
  cpuUsPerCall: number;
  /** Server CPU time per server transaction (see {@link TRANSACTIONS_PER_CALL}), µs. */
  cpuUsPerTransaction: number;
}

let clockTicks: number | undefined;

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat times (getconf CLK_TCK, else 100). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** CPU time (utime + stime, proc(5) fields 14 and 15) a process has used so far, ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot read CPU times of process ${pid}`);
  return ((utime + stime) * 1000) / ticksPerSecond();
}

/** Runs one scenario through SIPp against the server; resolves with SIPp's statistics and wall time. */
async function runSipp(server: ServeProcess, opts: { scenario: LoadScenario; rate: number; calls: number; transport: 'udp' | 'tcp'; service: string }): Promise<{ stats: SippStats; exit: number; wallMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'presenced-bench-'));
  const statFile = join(dir, 'stats.csv');
  const seconds = Math.ceil(opts.calls / opts.rate) + 30;
  try {
    const started = performance.now();
    const r = await run('sipp', [
      '-sf', join(ROOT, 'bench', 'presence', `${opts.scenario}.xml`), '-s', opts.service,
      '-i', '127.0.0.1', '-p', String(await freePort()), '-t', opts.transport === 'udp' ? 'u1' : 't1',
      '-m', String(opts.calls), '-r', String(opts.rate), '-l', String(opts.calls),
      '-timeout', `${seconds}s`, '-timeout_error', '-nostdin', '-trace_stat', '-stf', statFile, '-fd', '1',
      `127.0.0.1:${server.port}`,
    ], (seconds + 10) * 1000);
    const wallMs = performance.now() - started;
    if (r.code !== 0 && r.code !== 1) {
      throw new Error(`sipp ${opts.scenario} exited with ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    }
    return { stats: parseSippStats(readFileSync(statFile, 'utf8')), exit: r.code, wallMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one measurement on a fresh server (see the module comment). */
export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const server = await startServe();
  try {
    const { scenario, transport } = options;
    if (options.warmupCalls > 0) {
      await runSipp(server, { scenario, transport, rate: Math.min(options.rate, 500), calls: options.warmupCalls, service: 'warm' });
    }
    const cpuBefore = processCpuMs(server.pid);
    const { stats, exit, wallMs } = await runSipp(server, { scenario, transport, rate: options.rate, calls: options.calls, service: scenario === 'publish' ? 'pub' : 'watched' });
    const serverCpuMs = processCpuMs(server.pid) - cpuBefore;
    const perCall = stats.successful > 0 ? (serverCpuMs * 1000) / stats.successful : Number.NaN;
    return {
      ...stats,
      options,
      sippExit: exit,
      wallMs,
      completedPerSecond: (stats.successful * 1000) / wallMs,
      serverCpuMs,
      cpuUsPerCall: perCall,
      cpuUsPerTransaction: perCall / TRANSACTIONS_PER_CALL[scenario],
    };
  } finally {
    await server.stop();
  }
}
