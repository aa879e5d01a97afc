import { monitorEventLoopDelay } from 'node:perf_hooks';
import { validateConfig } from '../../src/config/load.js';
import { build } from '../../src/server.js';
import type { ListeningPoint } from '../../src/server.js';
import { installLoopbackGuard } from './loopback-guard.js';

/**
 * The server under fuzz, in its own process (forked by server.fuzz.test.ts with --expose-gc): a crash is
 * seen as the process exiting, its heap is measured after a real GC, and its event-loop delay is not
 * disturbed by the test generating mutants. The configuration comes as JSON in argv[2].
 *
 * Messages from the parent: `measure` (answered with a {@link ChildReport}) and `close` (closes the
 * server and disconnects, so the process exits by itself once nothing is left open).
 */

/** What the child sends back. */
export type ChildMessage =
  | { type: 'ready'; points: ListeningPoint[] }
  | { type: 'report'; report: ChildReport };

/** One measurement of the server process. */
export interface ChildReport {
  /** V8 heap in use after two full GCs, bytes. */
  heapUsed: number;
  /** Longest event-loop delay seen since the server started listening, ms. */
  loopMaxMs: number;
  /** The UAS core's counters. */
  stats: Record<string, number>;
  /** Destinations the loopback guard refused, with counts. */
  refused: Record<string, number>;
}

const refused = installLoopbackGuard();
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('server-child needs --expose-gc');

const server = build(validateConfig(JSON.parse(process.argv[2] ?? '{}')));
const points = await server.listen();
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'measure') {
    // Read before the GCs below, which block the loop themselves.
    const loopMaxMs = delay.max / 1e6;
    gc();
    gc();
    send({
      type: 'report',
      report: {
        heapUsed: process.memoryUsage().heapUsed,
        loopMaxMs,
        stats: { ...server.core.stats },
        refused: Object.fromEntries(refused),
      },
    });
  } else if (msg.type === 'close') {
    delay.disable();
    void server.close().then(() => process.disconnect());
  }
});
send({ type: 'ready', points });
