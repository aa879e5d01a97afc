import { newNames, sleep, writeInjection } from './lab.js';
import type { Lab } from './lab.js';
import { usage, usageDelta } from './procfs.js';
import { parseResponseTimes, percentile, runSipp } from './sipp.js';
import type { SippResult } from './sipp.js';
import { judgeStep, nextRate, sustainedRate } from './stepping.js';
import type { StepOutcome } from './stepping.js';
import { freePort } from './targets.js';
import type { Target } from './targets.js';

// The rate and memory measures: SIPp runs of bench/compare/scenarios against a fresh server each.

/** The request-rate measures. */
export type RateKind = 'publish-new' | 'publish-modify' | 'subscribe';

/** Scenario and operations per SIPp call of each rate measure. */
export const RATE_KINDS: Record<RateKind, { scenario: string; opsPerCall: number }> = {
  'publish-new': { scenario: 'publish-new.xml', opsPerCall: 1 },
  // One initial PUBLISH and 10 modifies per call (publish-modify.xml).
  'publish-modify': { scenario: 'publish-modify.xml', opsPerCall: 11 },
  'subscribe': { scenario: 'subscribe.xml', opsPerCall: 1 },
};

/** What a rate measure found. */
export interface RateResult {
  kind: RateKind;
  /** The steps of the rate search, in order. */
  steps: StepOutcome[];
  /** Highest rate a step sustained (operations/s), 0 when none did. */
  sustained: number;
  /** Response time percentiles at 50% of {@link sustained}, ms (NaN when not measured). */
  p50Ms: number;
  p99Ms: number;
  /** Server CPU time (all its processes) per operation at 50% of {@link sustained}, microseconds. */
  halfRateCpuUsPerOp: number;
  /** The same at {@link cpuRate}, microseconds. */
  cpuUsPerOp: number;
  /** Operations/s of the CPU measurement (NaN when not measured). */
  cpuRate: number;
  /** How the 50% run (and the CPU run) went, for the report's details. */
  halfRateNote: string;
}

/** SIPp run of `scenario` for `calls` calls at `callRate` calls/s over injection file `names`. */
async function load(lab: Lab, target: Target, scenario: string, names: string, calls: number, callRate: number, logs = false): Promise<SippResult> {
  return runSipp(lab.workDir, {
    scenario,
    serverPort: target.port,
    localPort: await freePort(),
    calls,
    rate: callRate,
    maxSeconds: calls / callRate + 20,
    injectionFile: names,
    logs,
  });
}

/** Publishes an initial document for each of `names` at `rate`/s (state for later measures). */
export async function publishAll(lab: Lab, target: Target, names: readonly string[], rate: number): Promise<SippResult> {
  return load(lab, target, 'publish-new.xml', writeInjection(lab.workDir, names), names.length, rate);
}

/** Subscribes once to each of `names` at `rate`/s; the subscriptions stay. */
export async function subscribeAll(lab: Lab, target: Target, names: readonly string[], rate: number): Promise<SippResult> {
  return load(lab, target, 'subscribe.xml', writeInjection(lab.workDir, names), names.length, rate);
}

/** A server counts as idle when its processes use under this share of one core. */
const IDLE_SHARE = 0.05;

/**
 * Waits until `target` has been idle for `windowMs` (a server that fell behind has drained its backlog),
 * at most `maxMs`; returns whether it got there.
 */
export async function waitIdle(target: Target, windowMs: number, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let before = usage(target.pids()).cpuUs;
  while (Date.now() < deadline) {
    await sleep(windowMs);
    const now = usage(target.pids()).cpuUs;
    if (now - before < windowMs * 1000 * IDLE_SHARE) return true;
    before = now;
  }
  return false;
}

function describe(r: SippResult): string {
  const s = r.stats;
  return `${s.successful}/${s.created} calls ok, ${s.failed} failed, ${s.retransmissions} retransmissions, ${s.stray} stray`;
}

/**
 * Finds the sustained rate of `kind` on a fresh server by stepping (stepping.ts), then runs at 50% of
 * it for response times and CPU per operation. With `cpuRate` (operations/s, at most the sustained
 * rate), CPU per operation is measured in another run at that rate, so servers compare at one rate.
 */
export async function measureRate(lab: Lab, kind: RateKind, cpuRate?: number): Promise<RateResult> {
  const { scenario, opsPerCall } = RATE_KINDS[kind];
  const { settings } = lab;
  const target = await lab.start();
  try {
    // The SUBSCRIBE measure's watchers cycle over presentities that have a document.
    let names = (count: number): string => writeInjection(lab.workDir, newNames(kind === 'publish-new' ? 'pn' : 'pm', count));
    if (kind === 'subscribe') {
      const presentities = newNames('ps', settings.subscribeTargets);
      await publishAll(lab, target, presentities, Math.min(500, settings.subscribeTargets));
      const file = writeInjection(lab.workDir, presentities);
      names = () => file;
    }
    const warmRate = settings.plan.start / 2 / opsPerCall;
    const warmCalls = Math.max(1, Math.round(warmRate * settings.warmupSeconds));
    await load(lab, target, scenario, names(warmCalls), warmCalls, warmRate);
    await waitIdle(target, settings.idleWindowMs, settings.recoverMs);
    const steps: StepOutcome[] = [];
    for (let rate = nextRate(steps, settings.plan); rate !== null; rate = nextRate(steps, settings.plan)) {
      const callRate = rate / opsPerCall;
      const calls = Math.max(1, Math.round(callRate * settings.stepSeconds));
      const r = await load(lab, target, scenario, names(calls), calls, callRate);
      const outcome = judgeStep(r.stats, calls, callRate, opsPerCall);
      steps.push(outcome);
      lab.note(`  ${kind} ${target.name}: ${Math.round(rate)}/s -> ${Math.round(outcome.achieved)}/s ${outcome.passed ? 'ok' : `failed (${outcome.reason})`}`);
      // A server that fell behind drains its backlog before the next run.
      await waitIdle(target, settings.idleWindowMs, settings.recoverMs);
    }
    const sustained = sustainedRate(steps);
    if (sustained === 0) {
      return { kind, steps, sustained, p50Ms: NaN, p99Ms: NaN, halfRateCpuUsPerOp: NaN, cpuUsPerOp: NaN, cpuRate: NaN, halfRateNote: 'no step passed' };
    }

    /** `seconds` at `rate` operations/s once the server is idle; its calls, log and CPU per operation. */
    const timed = async (rate: number, seconds: number, logs: boolean) => {
      const idle = await waitIdle(target, settings.idleWindowMs, settings.recoverMs);
      const callRate = rate / opsPerCall;
      const calls = Math.max(1, Math.round(callRate * seconds));
      const before = usage(target.pids());
      const r = await load(lab, target, scenario, names(calls), calls, callRate, logs);
      const cpuUs = usageDelta(before, usage(target.pids())).cpuUs;
      const cpuUsPerOp = r.stats.successful > 0 ? cpuUs / (r.stats.successful * opsPerCall) : NaN;
      const busy = idle ? '' : ' (the server was still busy from the run before)';
      return { r, cpuUsPerOp, note: `${Math.round(rate)}/s: ${describe(r)}, ${cpuUsPerOp.toFixed(1)} µs CPU each${busy}` };
    };
    const half = await timed(sustained / 2, settings.latencySeconds, true);
    const times = parseResponseTimes(half.r.log);
    const notes = [`${half.note}, ${times.length} response times`];
    // CPU per request falls as the rate rises (fewer wake-ups per message), so it is also compared at one rate.
    let cpu = { rate: sustained / 2, usPerOp: half.cpuUsPerOp };
    if (cpuRate !== undefined && cpuRate <= sustained && Math.round(cpuRate) !== Math.round(sustained / 2)) {
      const run = await timed(cpuRate, settings.latencySeconds, false);
      cpu = { rate: cpuRate, usPerOp: run.cpuUsPerOp };
      notes.push(`CPU run at ${run.note}`);
    }
    return {
      kind,
      steps,
      sustained,
      p50Ms: percentile(times, 50) / 1000,
      p99Ms: percentile(times, 99) / 1000,
      halfRateCpuUsPerOp: half.cpuUsPerOp,
      cpuUsPerOp: cpu.usPerOp,
      cpuRate: cpu.rate,
      halfRateNote: notes.join('; '),
    };
  } finally {
    await target.stop();
  }
}

/** Resident memory added per publication and per subscription, bytes (measured over `settings.memoryCount` of each). */
export interface MemoryResult {
  publicationsRss: number;
  publicationsPss: number;
  subscriptionsRss: number;
  subscriptionsPss: number;
  /** What was added, for the report's details. */
  note: string;
}

/**
 * On a fresh server: `memoryCount` publications of new presentities at `publishRate`/s, then as many
 * more, measured; then one subscription to each of the first at `subscribeRate`/s, then one to each of
 * the second, measured. Memory of the server's processes is read once completed transactions have gone
 * (`settings.settleMs`). Figures are bytes per item.
 */
export async function measureMemory(lab: Lab, publishRate: number, subscribeRate: number): Promise<MemoryResult> {
  const { settings } = lab;
  const target = await lab.start();
  try {
    // Each measured batch follows a first batch of the same kind, size and rate: it loads code,
    // compiles the hot paths and takes the memory of requests in flight (transactions, buffers, garbage)
    // to its high-water mark, which resident memory does not give back; the measured batch then adds
    // only what its state keeps.
    const warmPubs = newNames('mw', settings.memoryCount);
    const names = newNames('mm', settings.memoryCount);
    await publishAll(lab, target, warmPubs, publishRate);
    await sleep(settings.settleMs);
    const u0 = usage(target.pids());
    const pubs = await publishAll(lab, target, names, publishRate);
    await sleep(settings.settleMs);
    const u1 = usage(target.pids());
    await subscribeAll(lab, target, warmPubs, subscribeRate);
    await sleep(settings.settleMs);
    const u2 = usage(target.pids());
    const subs = await subscribeAll(lab, target, names, subscribeRate);
    await sleep(settings.settleMs);
    const u3 = usage(target.pids());

    const perItem = (bytes: number, n: number): number => (n > 0 ? bytes / n : NaN);
    const p = usageDelta(u0, u1);
    const s = usageDelta(u2, u3);
    return {
      publicationsRss: perItem(p.rssBytes, pubs.stats.successful),
      publicationsPss: perItem(p.pssBytes, pubs.stats.successful),
      subscriptionsRss: perItem(s.rssBytes, subs.stats.successful),
      subscriptionsPss: perItem(s.pssBytes, subs.stats.successful),
      note: `publications at ${Math.round(publishRate)}/s: ${describe(pubs)}; subscriptions at ${Math.round(subscribeRate)}/s: ${describe(subs)}`,
    };
  } finally {
    await target.stop();
  }
}
