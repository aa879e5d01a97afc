import type { MemoryReading } from './protocol.js';

// The memory bench's arithmetic and table (pure, tested in test/unit/bench/memory.test.ts).

/** One batch of the memory bench and the server's memory around it. */
export interface Phase {
  label: string;
  /** Calls SIPp completed. */
  successful: number;
  /** Right before the batch, not collected. */
  start: MemoryReading;
  /** Right after the batch, not collected. */
  end: MemoryReading;
  /** Right after the batch, collected: completed transactions still held. */
  busy: MemoryReading;
  /** Once every transaction ended, not collected: what resident memory shows. */
  raw: MemoryReading;
  /** Once every transaction ended, collected: the state the batch keeps. */
  after: MemoryReading;
}

/** What a phase added per item over the phase before it, rounded: bytes, and CPU microseconds. */
export interface PerItem {
  /** heapUsed, both readings collected. */
  heap: number;
  /** external (ArrayBuffers included), both readings collected. */
  external: number;
  /** VmRSS, both readings collected. */
  rss: number;
  /** VmRSS as it stood before collecting (what a reading from outside the process sees). */
  rssRaw: number;
  pss: number;
  /** CPU time of the batch (from its start to its last call) per successful call, µs. */
  cpuUs: number;
}

/** What `phase` added per successful call since `before` (the previous phase). */
export function perItem(before: Phase, phase: Phase): PerItem {
  const n = phase.successful;
  const per = (a: number, b: number): number => (n > 0 ? Math.round((b - a) / n) : NaN);
  return {
    heap: per(before.after.heapUsed, phase.after.heapUsed),
    external: per(before.after.external, phase.after.external),
    rss: per(before.after.rss, phase.after.rss),
    rssRaw: per(before.raw.rss, phase.raw.rss),
    pss: per(before.after.pss, phase.after.pss),
    cpuUs: per(phase.start.cpuUs, phase.end.cpuUs),
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
