import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lastSippRow, sippStatRow } from '../sipp-csv.js';

// Running SIPp 3.6 on loopback and reading what it writes: the -trace_stat CSV, the -trace_counts CSV
// and the log lines of our scenarios' <log> actions (bench/compare/scenarios/).

/** Directory of this benchmark's SIPp scenarios (run from the repository root). */
export const SCENARIOS = resolve('bench/compare/scenarios');

/** Cumulative figures of one SIPp run (last row of its -trace_stat file). */
export interface SippStats {
  /** Calls started ("TotalCallCreated"). */
  created: number;
  successful: number;
  failed: number;
  /** Messages SIPp sent again because no answer came in time ("Retransmissions(C)"). */
  retransmissions: number;
  /** Messages SIPp could not match to a call ("OutOfCallMsgs(C)" + "DeadCallMsgs(C)"). */
  stray: number;
  /** From the start of traffic to the last statistics row, seconds (microsecond resolution). */
  elapsedSeconds: number;
}

/** Seconds since the epoch in a SIPp time cell `2026-11-22<TAB>01:52:34.722620<TAB>1795312354.722620`. */
function epochSeconds(cell: string): number {
  const n = Number(cell.split('\t').pop());
  if (!Number.isFinite(n)) throw new Error(`not a SIPp time: ${JSON.stringify(cell)}`);
  return n;
}

/** Reads the last row of a SIPp `-trace_stat` file. Throws naming a missing or non-numeric column. */
export function parseSippStats(csv: string): SippStats {
  const { cell, num } = sippStatRow(csv);
  return {
    created: num('TotalCallCreated'),
    successful: num('SuccessfulCall(C)'),
    failed: num('FailedCall(C)'),
    retransmissions: num('Retransmissions(C)'),
    stray: num('OutOfCallMsgs(C)') + num('DeadCallMsgs(C)'),
    elapsedSeconds: epochSeconds(cell('CurrentTime')) - epochSeconds(cell('StartTime')),
  };
}

/**
 * Values in the last row of a SIPp `-trace_counts` file of the columns whose names end with `suffix`
 * (e.g. `_NOTIFY_Recv`), in scenario order. Returns [] for a file without a data row yet.
 */
export function lastCounts(csv: string, suffix: string): number[] {
  const rows = csv.split(/\r?\n/).filter((r) => r.trim() !== '');
  if (rows.length < 2) return [];
  const { names, values } = lastSippRow(csv);
  const out: number[] = [];
  names.forEach((name, i) => {
    if (name.endsWith(suffix)) out.push(Number(values[i] ?? 'NaN'));
  });
  return out;
}

/** Response times logged by our scenarios as `rt <microseconds>` lines, in microseconds. */
export function parseResponseTimes(log: string): number[] {
  const out: number[] = [];
  for (const m of log.matchAll(/^rt (\d+(?:\.\d+)?)$/gm)) out.push(Number(m[1]));
  return out;
}

/**
 * Arrival times of fan-out NOTIFYs logged as `notify <round> <seconds> <microseconds>`: per round, the
 * epoch times in microseconds.
 */
export function parseNotifyArrivals(log: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const m of log.matchAll(/^notify (\d+) (\d+)(?:\.\d+)? (\d+)(?:\.\d+)?$/gm)) {
    const round = Number(m[1]);
    const list = out.get(round) ?? [];
    list.push(Number(m[2]) * 1e6 + Number(m[3]));
    out.set(round, list);
  }
  return out;
}

/** The `p`-th percentile (0 < p <= 100, nearest rank) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** One SIPp client run against a server on 127.0.0.1. */
export interface SippOptions {
  /** Scenario file name in {@link SCENARIOS}. */
  scenario: string;
  /** Server port on 127.0.0.1. */
  serverPort: number;
  /** SIPp's own local UDP port (a free one). */
  localPort: number;
  /** Calls to make (-m). */
  calls: number;
  /** Calls started per second (-r). */
  rate: number;
  /** Global time limit (-timeout), seconds; the process is killed 15 s after it. */
  maxSeconds: number;
  /** Injection file (-inf), if the scenario reads [field0]. */
  injectionFile?: string;
  /** Value of [service] (-s). */
  service?: string;
  /** Most calls open at once (-l). */
  limit?: number;
  /** Write the scenario's <log> lines (-trace_logs). */
  logs?: boolean;
  /** Write -trace_counts every 100 ms (for watching progress while it runs). */
  counts?: boolean;
}

/** A SIPp process and the files it writes. */
export interface SippProcess {
  readonly pid: number;
  /** Directory SIPp runs in; its files land there. */
  readonly dir: string;
  /** Current text of its -trace_counts file ('' before the first dump). */
  counts(): string;
  /** Resolves when SIPp exits. */
  readonly done: Promise<SippResult>;
}

/** What a finished SIPp run left. */
export interface SippResult {
  /** SIPp's exit status (0: every call succeeded; 1: some failed; null: killed). */
  code: number | null;
  stats: SippStats;
  /** Its <log> lines ('' without {@link SippOptions.logs}). */
  log: string;
  /** The end of its standard output and error, for diagnostics. */
  tail: string;
}

let runs = 0;

/** Starts SIPp in a fresh directory under `workDir`. */
export function startSipp(workDir: string, o: SippOptions): SippProcess {
  const dir = join(workDir, `sipp-${++runs}-${o.scenario.replace(/\.xml$/, '')}`);
  mkdirSync(dir, { recursive: true });
  const args = [
    '-sf', join(SCENARIOS, o.scenario),
    '-i', '127.0.0.1', '-p', String(o.localPort), '-t', 'u1',
    '-m', String(o.calls), '-r', String(Math.max(1, Math.round(o.rate))), '-rp', '1000',
    '-timeout', `${Math.ceil(o.maxSeconds)}s`,
    '-nostdin', '-buff_size', String(4 << 20),
    '-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', o.counts ? '100ms' : '1',
  ];
  if (o.injectionFile) args.push('-inf', o.injectionFile);
  if (o.service) args.push('-s', o.service);
  if (o.limit) args.push('-l', String(o.limit));
  if (o.logs) args.push('-trace_logs', '-log_file', join(dir, 'log.txt'));
  if (o.counts) args.push('-trace_counts');
  args.push(`127.0.0.1:${o.serverPort}`);

  const proc = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString('latin1')).slice(-4000));
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const killer = setTimeout(() => {
    if (proc.exitCode === null && proc.pid) process.kill(proc.pid, 'SIGKILL');
  }, (o.maxSeconds + 15) * 1000);
  const read = (name: string): string => {
    try {
      return readFileSync(join(dir, name), 'latin1');
    } catch {
      return '';
    }
  };
  const done = new Promise<SippResult>((resolveDone, reject) => {
    proc.once('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    proc.once('close', (code) => {
      clearTimeout(killer);
      try {
        resolveDone({ code, stats: parseSippStats(read('stat.csv')), log: o.logs ? read('log.txt') : '', tail });
      } catch (e) {
        reject(new Error(`SIPp ${o.scenario} left no statistics (exit ${code}): ${(e as Error).message}\n${tail}`));
      }
    });
  });
  return {
    pid: proc.pid!,
    dir,
    counts: () => {
      const file = readdirSync(dir).find((f) => f.endsWith('_counts.csv'));
      return file ? read(file) : '';
    },
    done,
  };
}

/** Runs SIPp to completion. */
export function runSipp(workDir: string, o: SippOptions): Promise<SippResult> {
  return startSipp(workDir, o).done;
}
