import type { SippStats } from './sipp.js';

// Finding a sustained rate by stepping up: start at a rate, multiply by a factor while each step passes
// (or step down from the start until one passes); once a passing and a failing rate bracket the limit,
// narrow the bracket at its geometric middle a few times. Pure functions; the runner (measures.ts) does
// the SIPp runs.

/** How rates are stepped. Rates are in the measure's unit per second. */
export interface StepPlan {
  /** First rate tried. */
  start: number;
  /** Each passing step is followed by one at rate × factor. */
  factor: number;
  /** No step above this rate. */
  max: number;
  /** When the first step fails, rates are halved down to this one, then the search gives up. */
  min: number;
  /**
   * Steps spent narrowing the bracket once a rate passed and a higher one failed: each tries the geometric
   * middle of the highest passing and the lowest failing rate above it (2 steps take a 1.5 bracket to 1.11).
   */
  refine: number;
  /** Most steps in one search (every search ends). */
  maxSteps: number;
}

/**
 * Steps of 1,000/s × 1.5 up to 60,000/s (above SIPp's own ceiling on this kind of machine), then 2 steps
 * narrowing the bracket: the sustained rate found is within about 11% under the highest passing rate.
 */
export const DEFAULT_PLAN: StepPlan = { start: 1000, factor: 1.5, max: 60_000, min: 60, refine: 2, maxSteps: 16 };

/** Brackets narrower than this ratio are not split further. */
const NARROWEST = 1.05;

/** The outcome of one step. */
export interface StepOutcome {
  /** Rate asked of SIPp. */
  target: number;
  /** Rate reached: successful operations over the elapsed time. */
  achieved: number;
  passed: boolean;
  /** Why it failed ('' when it passed). */
  reason: string;
}

/** The rate of the next step after `history`, or null when the search is over. */
export function nextRate(history: readonly StepOutcome[], plan: StepPlan): number | null {
  if (history.length >= plan.maxSteps) return null;
  const last = history[history.length - 1];
  if (!last) return plan.start;
  const bracketAt = bracketIndex(history);
  if (bracketAt >= 0) {
    if (history.length - 1 - bracketAt >= plan.refine) return null;
    const low = Math.max(...history.filter((s) => s.passed).map((s) => s.target));
    const high = Math.min(...history.filter((s) => !s.passed && s.target > low).map((s) => s.target));
    return high / low > NARROWEST ? Math.round(Math.sqrt(low * high)) : null;
  }
  if (last.passed) {
    const next = Math.round(last.target * plan.factor);
    return next <= plan.max ? next : null;
  }
  const lower = Math.round(last.target / 2);
  return lower >= plan.min ? lower : null;
}

/**
 * Index of the step after which the history first held a passing rate under a failing one (the limit is
 * bracketed), or -1.
 */
function bracketIndex(history: readonly StepOutcome[]): number {
  let lowestPass = Infinity;
  let highestFail = -Infinity;
  for (let i = 0; i < history.length; i++) {
    const s = history[i]!;
    if (s.passed) lowestPass = Math.min(lowestPass, s.target);
    else highestFail = Math.max(highestFail, s.target);
    if (lowestPass < highestFail) return i;
  }
  return -1;
}

/** The highest rate achieved by a passing step, or 0 when none passed. */
export function sustainedRate(history: readonly StepOutcome[]): number {
  return history.filter((s) => s.passed).reduce((best, s) => Math.max(best, s.achieved), 0);
}

/** Most failed calls a passing step may have, as a share of the calls made (< 0.1%). */
export const MAX_FAILURE_SHARE = 0.001;
/** A passing step reaches at least this share of its target rate. */
export const MIN_ACHIEVED_SHARE = 0.9;

/**
 * Judges one SIPp run of `expectedCalls` calls at `target` calls/s, each call `opsPerCall` operations:
 * it passes with every call made, under 0.1% failed, no retransmission and no stray message, and at
 * least 90% of the target rate reached.
 */
export function judgeStep(stats: SippStats, expectedCalls: number, target: number, opsPerCall = 1): StepOutcome {
  const achieved = stats.elapsedSeconds > 0 ? (stats.successful * opsPerCall) / stats.elapsedSeconds : 0;
  const targetOps = target * opsPerCall;
  const reasons: string[] = [];
  if (stats.created < expectedCalls) reasons.push(`${stats.created}/${expectedCalls} calls made in time`);
  if (stats.failed > stats.created * MAX_FAILURE_SHARE) reasons.push(`${stats.failed} failed`);
  if (stats.retransmissions > 0) reasons.push(`${stats.retransmissions} retransmissions`);
  if (stats.stray > 0) reasons.push(`${stats.stray} stray messages`);
  if (achieved < targetOps * MIN_ACHIEVED_SHARE) reasons.push(`reached ${Math.round(achieved)}/s`);
  return { target: targetOps, achieved, passed: reasons.length === 0, reason: reasons.join(', ') };
}
