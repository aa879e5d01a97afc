import type { Comparison, Measurement, StepName } from './measure.js';
import { STEPS } from './measure.js';

/** The target: presenced at least this many times the npm sip package's parse + serialize rate. */
export const TARGET_RATIO = 2;

/** The comparison for one group of messages (a kind, or all of them). */
export interface GroupResult {
  /** `PUBLISH`, `SUBSCRIBE`, `NOTIFY` or `overall`. */
  readonly group: string;
  /** Messages in the group. */
  readonly messages: number;
  readonly comparison: Comparison;
}

function fromNs(nsPerOp: number, ops: number): Measurement {
  return { nsPerOp, opsPerSec: 1e9 / nsPerOp, ops };
}

/**
 * The overall figures from per-kind ones: the mean time per message with every message weighted alike,
 * which is what cycling through the whole corpus measures.
 */
export function overall(groups: readonly GroupResult[]): GroupResult {
  const total = groups.reduce((n, g) => n + g.messages, 0);
  const pick = (step: StepName, side: 'presenced' | 'sip'): Measurement => {
    let ns = 0;
    let ops = 0;
    for (const g of groups) {
      const m = g.comparison.steps.find((s) => s.step === step)![side];
      ns += (m.nsPerOp * g.messages) / total;
      ops += m.ops;
    }
    return fromNs(ns, ops);
  };
  return {
    group: 'overall',
    messages: total,
    comparison: {
      steps: STEPS.map((step) => ({ step, presenced: pick(step, 'presenced'), sip: pick(step, 'sip') })),
      checksum: groups.reduce((n, g) => n + g.comparison.checksum, 0),
    },
  };
}

/** presenced ops/s divided by sip ops/s. */
export function ratio(presenced: Measurement, sip: Measurement): number {
  return presenced.opsPerSec / sip.opsPerSec;
}

function num(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A plain-text table: one row per group and step. */
export function formatTable(groups: readonly GroupResult[]): string {
  const head = ['kind (messages)', 'step', 'presenced ops/s', 'ns/op', 'sip ops/s', 'ns/op', 'presenced/sip'];
  const rows: string[][] = [];
  for (const g of groups) {
    for (const s of g.comparison.steps) {
      rows.push([
        `${g.group} (${g.messages})`,
        s.step,
        num(s.presenced.opsPerSec),
        num(s.presenced.nsPerOp),
        num(s.sip.opsPerSec),
        num(s.sip.nsPerOp),
        `${ratio(s.presenced, s.sip).toFixed(2)}x`,
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The closing line: the overall parse + serialize ratio against {@link TARGET_RATIO}. */
export function verdict(all: GroupResult): string {
  const s = all.comparison.steps.find((x) => x.step === 'parse+serialize')!;
  const r = ratio(s.presenced, s.sip);
  const met = r >= TARGET_RATIO ? 'met' : 'NOT met';
  return `parse+serialize overall: presenced/sip = ${r.toFixed(2)}x (target >= ${TARGET_RATIO}x: ${met})`;
}
