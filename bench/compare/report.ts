import type { StepOutcome } from './stepping.js';

// The comparison table: one row per measure; columns presenced, Kamailio, their ratio and the Node
// ceiling. Pure formatting.

/** How a row's figures are written: rates as whole numbers per second, times and sizes with units. */
export type Unit = 'rate' | 'ms' | 'us' | 'bytes';

/** One measure for every target; null where a target was not measured or the measure does not apply. */
export interface Row {
  /** Label, with its unit (e.g. "PUBLISH/s, new presentities"). */
  measure: string;
  unit: Unit;
  presenced: number | null;
  kamailio: number | null;
  ceiling: number | null;
}

/** A figure in its unit; '-' for null or a value that is not finite. */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return '-';
  switch (unit) {
    case 'rate':
    case 'bytes':
      return Math.round(value).toLocaleString('en-US');
    case 'ms':
      return value < 10 ? value.toFixed(2) : value.toFixed(1);
    case 'us':
      return value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
  }
}

/** presenced / Kamailio as "0.42x"; '-' unless both are finite and Kamailio's is not 0. */
export function formatRatio(presenced: number | null, kamailio: number | null): string {
  if (presenced === null || kamailio === null || !Number.isFinite(presenced) || !Number.isFinite(kamailio) || kamailio === 0) return '-';
  const r = presenced / kamailio;
  return `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}x`;
}

/** The plain-text table, measure column left-aligned, figures right-aligned. */
export function formatTable(rows: readonly Row[]): string {
  const head = ['measure', 'presenced', 'Kamailio', 'presenced/Kamailio', 'Node ceiling'];
  const cells = rows.map((r) => [
    r.measure,
    formatValue(r.presenced, r.unit),
    formatValue(r.kamailio, r.unit),
    formatRatio(r.presenced, r.kamailio),
    formatValue(r.ceiling, r.unit),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** One line per step of a rate search: "  4,500/s -> 4,480/s ok" or "... FAILED: 12 retransmissions". */
export function formatSteps(title: string, steps: readonly StepOutcome[]): string {
  const lines = steps.map((s) => {
    const verdict = s.passed ? 'ok' : `FAILED: ${s.reason}`;
    return `  ${formatValue(s.target, 'rate')}/s -> ${formatValue(s.achieved, 'rate')}/s ${verdict}`;
  });
  return [title, ...lines].join('\n');
}
