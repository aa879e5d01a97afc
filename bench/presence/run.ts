import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { measureLoad } from './load.js';
import type { LoadResult, LoadScenario } from './load.js';

/**
 * `npm run bench:presence`: PUBLISH and SUBSCRIBE/NOTIFY load from SIPp against `presenced serve`.
 *
 *   node dist/bench/presence/run.js [--quick] [--calls N] [--rates 500,1000,2000]
 *                                   [--scenarios publish,subscribe] [--transport udp|tcp]
 *
 * Prints one Markdown table row per scenario and rate, with the machine it ran on.
 */

function list(text: string, what: string): number[] {
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`${what}: give positive whole numbers separated by commas`);
  return values;
}

function row(r: LoadResult): string {
  const o = r.options;
  const cells = [
    o.scenario,
    o.transport.toUpperCase(),
    String(o.rate),
    String(o.calls),
    r.callRate.toFixed(0),
    r.completedPerSecond.toFixed(0),
    String(r.failed),
    String(r.retransmissions),
    String(r.strayMessages),
    // SIPp measures response times in whole milliseconds.
    r.meanResponseMs < 1 ? '<1' : r.meanResponseMs.toFixed(0),
    r.serverCpuMs.toFixed(0),
    r.cpuUsPerCall.toFixed(0),
    r.cpuUsPerTransaction.toFixed(0),
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      calls: { type: 'string' },
      rates: { type: 'string' },
      scenarios: { type: 'string', default: 'publish,subscribe' },
      transport: { type: 'string', default: 'udp' },
    },
  });
  const calls = values.calls ? list(values.calls, '--calls')[0]! : values.quick ? 300 : 5000;
  const rates = values.rates ? list(values.rates, '--rates') : values.quick ? [300] : [500, 1000, 2000];
  const scenarios = values.scenarios.split(',') as LoadScenario[];
  if (scenarios.some((s) => s !== 'publish' && s !== 'subscribe')) throw new Error('--scenarios: publish and/or subscribe');
  const transport = values.transport;
  if (transport !== 'udp' && transport !== 'tcp') throw new Error('--transport: udp or tcp');
  const warmupCalls = values.quick ? 100 : 1000;

  const cpu = cpus();
  console.log(`node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${calls} calls per run after ${warmupCalls} warm-up calls; a fresh presenced serve (SQLite) per run\n`);
  console.log('| scenario | transport | target calls/s | calls | SIPp calls/s | completed/s | failed | retransmissions | stray msgs | mean response ms | server CPU ms | CPU µs/call | CPU µs/transaction |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const scenario of scenarios) {
    for (const rate of rates) {
      console.log(row(await measureLoad({ scenario, rate, calls, transport, warmupCalls })));
    }
  }
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
