import type { MemoryReading } from './protocol.js';

// The memory bench's arithmetic and table (pure, tested in test/unit/bench/memory.test.ts).

/** One batch of the memory bench and the server's memory around it. */
export interface Phase {
  label: string;
  /** Calls SIPp completed. */
  successful: number;
  /** Right after the batch, collected: completed transactions still held. */
  busy: MemoryReading;
  /** Once every transaction ended, not collected: what resident memory shows. */
  raw: MemoryReading;
  /** Once every transaction ended, collected: the state the batch keeps. */
  after: MemoryReading;
}

/** Bytes per item a phase added over `before` (both collected readings), rounded. */
export interface PerItem {
  heap: number;
  /** external (ArrayBuffers included). */
  external: number;
  rss: number;
  pss: number;
}

/** What `phase` added per successful call since `before`. */
export function perItem(before: MemoryReading, phase: Phase): PerItem {
  const n = phase.successful;
  const per = (a: number, b: number): number => (n > 0 ? Math.round((b - a) / n) : NaN);
  return {
    heap: per(before.heapUsed, phase.after.heapUsed),
    external: per(before.external, phase.after.external),
    rss: per(before.rss, phase.after.rss),
    pss: per(before.pss, phase.after.pss),
  };
}

/**
 * Bytes of heap and external memory per transaction still alive right after a batch: what the busy
 * reading holds above the drained one, over the transactions it counted (NaN without any).
 */
export function perTransaction(phase: Phase): number {
  const live = phase.busy.serverTransactions + phase.busy.clientTransactions;
  const held = phase.busy.heapUsed + phase.busy.external - (phase.after.heapUsed + phase.after.external);
  return live > 0 ? Math.round(held / live) : NaN;
}

const MB = (n: number): string => (n / 1048576).toFixed(1);

/** The readings as a table: one row per phase, MiB, with the transactions alive right after each batch. */
export function formatTable(start: MemoryReading, phases: readonly Phase[]): string {
  const head = ['after', 'calls ok', 'heapUsed', 'external', 'arrayBuf', 'heapTotal', 'new space', 'RSS raw', 'RSS gc', 'Pss gc', 'tx busy', 'B/tx'];
  const row = (label: string, ok: string, r: MemoryReading, raw: MemoryReading, tx: string, perTx: string): string[] => [
    label, ok, MB(r.heapUsed), MB(r.external), MB(r.arrayBuffers), MB(r.heapTotal), MB(r.spaces['new_space'] ?? 0),
    MB(raw.rss), MB(r.rss), MB(r.pss), tx, perTx,
  ];
  const rows = [head, row('start', '-', start, start, '-', '-')];
  for (const p of phases) {
    const tx = `${p.busy.serverTransactions}+${p.busy.clientTransactions}`;
    rows.push(row(p.label, String(p.successful), p.after, p.raw, tx, String(perTransaction(p))));
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n')}\n(MiB; RSS raw: before collecting; tx busy: server+client transactions right after the batch; B/tx: heap+external they held each)\n`;
}
