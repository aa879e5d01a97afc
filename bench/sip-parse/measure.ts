import { presenced, sipPackage } from './subjects.js';
import type { AccessedFields, Subject } from './subjects.js';

/** The steps measured for each implementation, one operation being one message. */
export const STEPS = ['parse', 'access', 'serialize', 'parse+serialize', 'parse+access+serialize'] as const;

/** One of {@link STEPS}. */
export type StepName = (typeof STEPS)[number];

/** How long one measurement (one step of one implementation) may run. */
export interface Budget {
  /** Wall-clock milliseconds for the whole measurement: a tenth warms up, the rest is split in rounds. */
  readonly ms: number;
  /** Timed rounds; the reported figure is their median. */
  readonly rounds: number;
}

/** `npm run bench:sip-parse`: about 2 s per measurement. */
export const FULL_BUDGET: Budget = { ms: 2000, rounds: 10 };
/** `--quick`: about 0.2 s per measurement, a smoke run whose times mean little. */
export const QUICK_BUDGET: Budget = { ms: 200, rounds: 3 };

/** The median of the rounds of one measurement. */
export interface Measurement {
  /** Nanoseconds per message. */
  readonly nsPerOp: number;
  /** Messages per second (1e9 / nsPerOp). */
  readonly opsPerSec: number;
  /** Messages processed in the timed part of all rounds. */
  readonly ops: number;
}

/** Both implementations on one step. */
export interface StepComparison {
  readonly step: StepName;
  readonly presenced: Measurement;
  readonly sip: Measurement;
}

/** The result of {@link compareImplementations}. */
export interface Comparison {
  /** One entry per step, in {@link STEPS} order. */
  readonly steps: StepComparison[];
  /** Sum of every value the timed code returned; printed so that no work can be optimised away. */
  readonly checksum: number;
}

/**
 * One timed operation: `prepare` builds its input outside the clock, `run` does the work and returns a
 * number derived from the result. `fresh` inputs are rebuilt before every timed pass (the access step
 * needs messages whose headers have not been read yet, or it would time presenced's parse cache).
 */
interface Runner<I> {
  prepare(data: Buffer): I;
  run(input: I): number;
  fresh: boolean;
}

/**
 * Messages per timed pass, rounded up to a multiple of the input count so each message counts alike.
 * Fresh pools are small: their messages are young objects that every scavenge during the timed pass
 * would copy, which would charge the collector's work for the pool to the step.
 */
const POOL_TARGET = 256;
const FRESH_POOL_TARGET = 64;

function now(): bigint {
  return process.hrtime.bigint();
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A step of one implementation, ready to be timed in rounds. */
interface Timer {
  /** Runs untimed passes until `ms` milliseconds of wall clock have passed (at least one pass). */
  warm(ms: number): void;
  /** Runs timed passes until `ms` milliseconds of wall clock have passed; returns nanoseconds per op. */
  round(ms: number): number;
  /** Operations timed so far. */
  readonly ops: number;
  /** Sum of every value `run` returned. */
  readonly sum: number;
}

function timer<I>(runner: Runner<I>, inputs: readonly Buffer[]): Timer {
  const size = inputs.length * Math.ceil((runner.fresh ? FRESH_POOL_TARGET : POOL_TARGET) / inputs.length);
  const pool: I[] = [];
  const refill = (): void => {
    for (let i = 0; i < size; i++) pool[i] = runner.prepare(inputs[i % inputs.length]!);
  };
  refill();
  let used = false;
  let sum = 0;
  let ops = 0;
  // One pass over the pool; returns its timed nanoseconds.
  const pass = (): number => {
    if (runner.fresh && used) refill();
    used = true;
    const t0 = now();
    for (let i = 0; i < size; i++) sum += runner.run(pool[i]!);
    return Number(now() - t0);
  };
  const deadline = (ms: number): bigint => now() + BigInt(Math.round(ms * 1e6));
  return {
    warm(ms) {
      const end = deadline(ms);
      do pass();
      while (now() < end);
    },
    round(ms) {
      const end = deadline(ms);
      let ns = 0;
      let n = 0;
      do {
        ns += pass();
        n += size;
      } while (now() < end);
      ops += n;
      return ns / n;
    },
    get ops() {
      return ops;
    },
    get sum() {
      return sum;
    },
  };
}

function stepTimer<P>(s: Subject<P>, step: StepName, inputs: readonly Buffer[]): Timer {
  const parsed = (data: Buffer): P => s.parse(data);
  const bytes = (data: Buffer): Buffer => data;
  switch (step) {
    case 'parse':
      return timer({ prepare: bytes, run: (d) => (s.parse(d) ? 1 : 0), fresh: false }, inputs);
    case 'access':
      return timer({ prepare: parsed, run: (m) => s.access(m), fresh: true }, inputs);
    case 'serialize':
      return timer({ prepare: parsed, run: (m) => s.serialize(m).length, fresh: false }, inputs);
    case 'parse+serialize':
      return timer({ prepare: bytes, run: (d) => s.serialize(s.parse(d)).length, fresh: false }, inputs);
    case 'parse+access+serialize':
      return timer(
        {
          prepare: bytes,
          run: (d) => {
            const m = s.parse(d);
            return s.access(m) + s.serialize(m).length;
          },
          fresh: false,
        },
        inputs,
      );
  }
}

function result(perRound: number[], ops: number): Measurement {
  const nsPerOp = median(perRound);
  return { nsPerOp, opsPerSec: 1e9 / nsPerOp, ops };
}

/**
 * Warms both implementations up, then alternates their timed rounds so that both see the same machine
 * (other processes, CPU frequency) and their ratio stays meaningful on a shared host.
 */
function compareStep(step: StepName, inputs: readonly Buffer[], budget: Budget): { c: StepComparison; sum: number } {
  const a = stepTimer(presenced, step, inputs);
  const b = stepTimer(sipPackage, step, inputs);
  a.warm(budget.ms * 0.1);
  b.warm(budget.ms * 0.1);
  const roundMs = (budget.ms * 0.9) / budget.rounds;
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < budget.rounds; r++) {
    ra.push(a.round(roundMs));
    rb.push(b.round(roundMs));
  }
  return { c: { step, presenced: result(ra, a.ops), sip: result(rb, b.ops) }, sum: a.sum + b.sum };
}

function describe(f: AccessedFields): string {
  return JSON.stringify(f);
}

/**
 * Checks, untimed, that both implementations parse every input and read the same header values from it.
 * @throws Error naming the first input (by index) where they disagree or one of them rejects it.
 */
export function checkSameFields(inputs: readonly Buffer[]): void {
  inputs.forEach((data, i) => {
    const a = describe(presenced.fields(presenced.parse(data)));
    const b = describe(sipPackage.fields(sipPackage.parse(data)));
    if (a !== b) throw new Error(`input ${i}: presenced reads ${a} but sip reads ${b}`);
  });
}

/**
 * Times every step of {@link STEPS} for presenced and for the npm `sip` package on the same inputs,
 * cycling through them (one operation = one message), after {@link checkSameFields}. Runs about
 * `2 × STEPS.length × budget.ms` milliseconds.
 * @throws Error when the implementations disagree on an input.
 */
export function compareImplementations(inputs: readonly Buffer[], budget: Budget): Comparison {
  if (!inputs.length) throw new Error('no input to measure');
  checkSameFields(inputs);
  let checksum = 0;
  const steps = STEPS.map((step): StepComparison => {
    const { c, sum } = compareStep(step, inputs, budget);
    checksum += sum;
    return c;
  });
  return { steps, checksum };
}
