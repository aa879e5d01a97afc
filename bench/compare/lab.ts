import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PLAN } from './stepping.js';
import type { StepPlan } from './stepping.js';
import type { Target } from './targets.js';

// What every measure shares: the run's settings, the working directory, and injection files of
// presentity names for SIPp.

/** Sizes and durations of one comparison run. */
export interface Settings {
  /** A CI smoke run: small counts, short steps; its figures mean little. */
  quick: boolean;
  /** Every measure of a server runs on one instance instead of a fresh one each (saves start-ups). */
  shareServer: boolean;
  /** Rate search of the PUBLISH and SUBSCRIBE measures. */
  plan: StepPlan;
  /** Load at half the first step's rate before a rate search, seconds (JIT, pools, caches warm up). */
  warmupSeconds: number;
  /** Length of one rate step, seconds (its call count is rate × this). */
  stepSeconds: number;
  /** Longest wait for a server to go idle after a step (draining a backlog), ms. */
  recoverMs: number;
  /** A server is idle when it used under 5% of a core over this long, ms. */
  idleWindowMs: number;
  /** Length of the run at 50% of the sustained rate (response times, CPU per request), seconds. */
  latencySeconds: number;
  /** Publications, then subscriptions, added for the memory measures (figures are scaled to 10,000). */
  memoryCount: number;
  /** Watcher counts of the fan-out measures. */
  fanouts: number[];
  /** Presentities published before the SUBSCRIBE measure; its watchers cycle over them. */
  subscribeTargets: number;
  /**
   * Wait after adding state before reading memory, ms: until completed transactions are gone (presenced
   * keeps a non-INVITE server transaction for Timer J, 64*T1 = 32 s, RFC 3261 §17.2.2; Kamailio its
   * transactions for its 5 s wait timer).
   */
  settleMs: number;
}

/** The full run: a few minutes per server. */
export const FULL: Settings = {
  quick: false,
  shareServer: false,
  plan: DEFAULT_PLAN,
  warmupSeconds: 2,
  stepSeconds: 3,
  recoverMs: 30_000,
  idleWindowMs: 500,
  latencySeconds: 5,
  memoryCount: 10_000,
  fanouts: [1_000, 10_000],
  subscribeTargets: 1_000,
  settleMs: 34_000,
};

/** The CI smoke run (`--quick`): every measure once, tiny, well under a minute in all. */
export const QUICK: Settings = {
  quick: true,
  shareServer: true,
  plan: { ...DEFAULT_PLAN, start: 250, maxSteps: 2 },
  warmupSeconds: 0.3,
  stepSeconds: 0.4,
  recoverMs: 3_000,
  idleWindowMs: 200,
  latencySeconds: 0.3,
  memoryCount: 100,
  fanouts: [10, 50],
  subscribeTargets: 50,
  settleMs: 300,
};

/** A measure's context: settings, a directory for SIPp's files, and how to start a fresh server. */
export interface Lab {
  readonly settings: Settings;
  readonly workDir: string;
  /** Starts a fresh instance of the server under test (the shared one with `settings.shareServer`). */
  start(): Promise<Target>;
  /** Writes progress lines (stderr). */
  note(line: string): void;
}

let files = 0;

/** `count` presentity user names `<prefix><run>x<i>`, unique across the run. */
export function newNames(prefix: string, count: number): string[] {
  const run = ++files;
  return Array.from({ length: count }, (_, i) => `${prefix}${run}x${i}`);
}

/** Writes a SIPp injection file (`SEQUENTIAL`, one name a line) in `workDir`; returns its path. */
export function writeInjection(workDir: string, names: readonly string[]): string {
  const path = join(workDir, `names-${++files}.csv`);
  writeFileSync(path, `SEQUENTIAL\n${names.join('\n')}\n`);
  return path;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
