// SIP parse benchmark: presenced against the npm `sip` package on the captured PUBLISH, SUBSCRIBE and
// NOTIFY requests of ../shared/captures. Usage: node dist/bench/sip-parse/run.js [--quick]
// (see bench/README.md). Prints one table and the overall parse + serialize ratio.
import { KINDS, capturesDir, loadCorpus } from './corpus.js';
import { FULL_BUDGET, QUICK_BUDGET, compareImplementations } from './measure.js';
import { formatTable, overall, verdict } from './report.js';
import type { GroupResult } from './report.js';

function main(args: string[]): void {
  const unknown = args.filter((a) => a !== '--quick');
  if (unknown.length) {
    process.stderr.write(`unknown argument ${unknown[0]}; usage: run.js [--quick]\n`);
    process.exitCode = 2;
    return;
  }
  const quick = args.includes('--quick');
  const budget = quick ? QUICK_BUDGET : FULL_BUDGET;
  const corpus = loadCorpus();
  const groups: GroupResult[] = [];
  for (const kind of KINDS) {
    const inputs = corpus.filter((m) => m.kind === kind).map((m) => m.bytes);
    if (!inputs.length) continue;
    groups.push({ group: kind, messages: inputs.length, comparison: compareImplementations(inputs, budget) });
  }
  const all = overall(groups);
  const out = [
    `SIP parse benchmark (${quick ? 'quick smoke run: times are not meaningful' : 'full run'}), node ${process.version}`,
    `corpus: ${corpus.length} requests from ${capturesDir()}`,
    `budget: ${budget.ms} ms per measurement, median of ${budget.rounds} rounds; one op = one message`,
    '',
    formatTable([...groups, all]),
    '',
    `checksum ${all.comparison.checksum}`,
    verdict(all),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`sip-parse benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
