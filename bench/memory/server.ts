import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { loadConfig } from '../../src/config/load.js';
import { build } from '../../src/server.js';
import { createLogger } from '../../src/util/logger.js';
import type { MemoryReading, Probe, ProbeReply } from './protocol.js';

// The server the memory bench measures: what `presenced serve --host 127.0.0.1 --sip-port <port>
// --http-port 0 --data-dir <dir> --auth none` runs (same configuration, same build()), in a process
// started with --expose-gc and an IPC channel, so the driver (run.ts) can ask it to collect garbage,
// read its memory and write heap snapshots between SIPp batches. Usage:
//   node --expose-gc [V8 flags] dist/bench/memory/server.js <sip-port> <data-dir> [sqlite|memory]
// (`memory`: the memory stores instead of SQLite, to see what records kept in memory cost).

const [portArg, dataDir, storeKind = 'sqlite'] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!portArg || !dataDir || (storeKind !== 'sqlite' && storeKind !== 'memory') || !process.send || !gc) {
  process.stderr.write('usage: node --expose-gc dist/bench/memory/server.js <sip-port> <data-dir> [sqlite|memory] (as a child with IPC)\n');
  process.exit(2);
}

/** A `Name:   1234 kB` line of a /proc/self file, in bytes (0 when absent). */
function kbField(file: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(file, 'latin1'));
  return m ? Number(m[1]) * 1024 : 0;
}

const config = loadConfig(undefined, {
  sip: { host: '127.0.0.1', port: Number(portArg) },
  http: { port: 0 },
  store: { kind: storeKind, dataDir },
  auth: { mode: 'none' },
});
const server = build(config, { logger: createLogger(config.log.level) });

function read(collect: boolean): MemoryReading {
  // Two full collections: the first may only queue finalizers (weak references, external buffers).
  if (collect) {
    gc!();
    gc!();
  }
  const m = process.memoryUsage();
  const spaces: Record<string, number> = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = s.space_used_size;
  const tx = server.transactions.size;
  const cpu = process.cpuUsage();
  return {
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    rss: kbField('/proc/self/status', 'VmRSS'),
    pss: kbField('/proc/self/smaps_rollup', 'Pss'),
    spaces,
    serverTransactions: tx.server,
    clientTransactions: tx.client,
    cpuUs: cpu.user + cpu.system,
  };
}

process.on('message', (p: Probe) => {
  let reply: ProbeReply;
  try {
    if (p.kind === 'read') reply = { id: p.id, reading: read(p.collect) };
    else if (p.kind === 'snapshot') {
      gc();
      reply = { id: p.id, file: writeHeapSnapshot(p.file) };
    } else {
      void server.close().then(() => process.exit(0));
      return;
    }
  } catch (e) {
    reply = { id: p.id, error: (e as Error).message };
  }
  process.send!(reply);
});

server.listen().then(
  () => process.send!({ id: 0, ready: true } satisfies ProbeReply),
  (e: unknown) => {
    process.stderr.write(`listen failed: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
