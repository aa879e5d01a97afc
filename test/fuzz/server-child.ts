import { performance } from 'node:perf_hooks';
import { validateConfig } from '../../src/config/load.js';
import { build } from '../../src/server.js';
import type { ListeningPoint } from '../../src/server.js';
import { installLoopbackGuard } from './loopback-guard.js';

/**
 * The server under fuzz, in its own process (forked by server.fuzz.test.ts with --expose-gc): a crash is
 * seen as the process exiting, its heap is measured after a real GC, and its event loop is not
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
  /** Longest time the event loop was kept busy by this process since it started listening, ms. */
  loopBusyMaxMs: number;
  /** Longest wall-clock event-loop delay, ms: also counts time the process was not scheduled. */
  loopWallMaxMs: number;
  /** The UAS core's counters. */
  stats: Record<string, number>;
  /** Destinations the loopback guard refused, with counts. */
  refused: Record<string, number>;
}

const TICK_MS = 5;

/**
 * How long the event loop was kept busy by this process's own work. Every tick (5 ms) compares the wall
 * time since the previous tick with the CPU time the process used meanwhile: the smaller of the two, less
 * the tick, is the time the loop could not run. A process that is merely descheduled on a loaded machine
 * uses no CPU while it waits, so only its wall-clock delay (reported too) grows.
 */
class LoopSampler {
  /** Longest busy stretch, ms. */
  busyMaxMs = 0;
  /** Longest wall-clock delay of a tick, ms (includes time descheduled). */
  wallMaxMs = 0;
  private last = performance.now();
  private cpu = process.cpuUsage();
  private readonly timer = setInterval(() => this.tick(), TICK_MS);

  /** Starts over from now (after work that is not the server's, e.g. a forced GC). */
  rebase(): void {
    this.last = performance.now();
    this.cpu = process.cpuUsage();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.now();
    const used = process.cpuUsage(this.cpu);
    const wall = now - this.last;
    const busy = Math.min(wall, (used.user + used.system) / 1000);
    this.wallMaxMs = Math.max(this.wallMaxMs, wall - TICK_MS);
    this.busyMaxMs = Math.max(this.busyMaxMs, busy - TICK_MS);
    this.rebase();
  }
}

const refused = installLoopbackGuard();
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('server-child needs --expose-gc');

const server = build(validateConfig(JSON.parse(process.argv[2] ?? '{}')));
const points = await server.listen();
const loop = new LoopSampler();

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'measure') {
    const report: ChildReport = {
      heapUsed: 0,
      loopBusyMaxMs: loop.busyMaxMs,
      loopWallMaxMs: loop.wallMaxMs,
      stats: { ...server.core.stats },
      refused: Object.fromEntries(refused),
    };
    gc();
    gc();
    report.heapUsed = process.memoryUsage().heapUsed;
    loop.rebase();
    send({ type: 'report', report });
  } else if (msg.type === 'close') {
    loop.stop();
    void server.close().then(() => process.disconnect());
  }
});
send({ type: 'ready', points });
