import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { parseMessage } from '../../src/sip/parser/parse-message.js';
import { checkMessage, loadGrammars } from './invariants.js';
import type { Violation } from './invariants.js';
import { MUTATION_NAMES, Mutator, fuzzSettings, loadCorpus } from './mutator.js';
import type { Mutant } from './mutator.js';

// Issue "hostile input": no byte sequence can crash the parser or make it slow; a malformed message gets
// 400/505/513 naming its defect; a parsed one re-serialises to a parseable one. At least 200,000 mutants
// (FUZZ_COUNT overrides, FUZZ_SEED picks another run), each parsed as a datagram and as a framed stream
// message, with every header grammar run on what parsed.

const MAX_SIZE = 65_535;
const DEFAULT_COUNT = 200_000;
/** Every n-th mutant also has each of its header values fed to every grammar (the rest: own header only). */
const CROSS_FEED_EVERY = 10;
const MAX_REPORTED = 20;

function report(seed: number, m: Mutant, violations: readonly Violation[]): string {
  const text = m.bytes.toString('latin1');
  const shown = text.length > 400 ? `${text.slice(0, 400)}… (${text.length} bytes)` : text;
  const what = violations.map((v) => `${v.mode}: ${v.what}`).join('; ');
  return `FUZZ_SEED=${seed} mutant #${m.index} [${m.ops.join(' + ')}] of ${m.seedName}: ${what}\n  input: ${JSON.stringify(shown)}`;
}

test('the corpus holds the captures and the RFC 4475 messages, and mutants are a function of the seed', () => {
  const corpus = loadCorpus();
  assert.ok(corpus.filter((s) => s.name.startsWith('captures/')).length >= 30, 'captures missing');
  assert.ok(corpus.filter((s) => s.name.startsWith('rfc4475/')).length >= 40, 'RFC 4475 fixtures missing');
  const a = new Mutator(corpus, 42);
  const b = new Mutator(corpus, 42);
  const c = new Mutator(corpus, 43);
  let differs = 0;
  for (let i = 0; i < 200; i++) {
    const x = a.mutant(i);
    assert.deepEqual(b.mutant(i), x);
    if (!c.mutant(i).bytes.equals(x.bytes)) differs++;
  }
  assert.ok(differs > 150, `another seed gave ${200 - differs} identical mutants of 200`);
});

test('parseMessage and every header grammar survive mutated messages', async (t) => {
  const { seed, count } = fuzzSettings(DEFAULT_COUNT);
  t.diagnostic(`FUZZ_SEED=${seed} FUZZ_COUNT=${count}`);
  const grammars = await loadGrammars();
  const names = grammars.map((g) => g.name);
  for (const n of ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Event', 'Subscription-State', 'WWW-Authenticate']) {
    assert.ok(names.includes(n), `grammar ${n} not found among ${names.join(', ')}`);
  }
  const mutator = new Mutator(loadCorpus(), seed);
  const outcomes = new Map<string, number>();
  const usedOps = new Set<string>();
  const failures: string[] = [];
  let failing = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const m = mutator.mutant(i);
    for (const op of m.ops) usedOps.add(op);
    const r = checkMessage(m.bytes, { grammars, maxSize: MAX_SIZE, crossFeed: i % CROSS_FEED_EVERY === 0 });
    for (const o of r.outcomes) outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    if (r.violations.length) {
      failing++;
      if (failures.length < MAX_REPORTED) failures.push(report(seed, m, r.violations));
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  t.diagnostic(`${count} mutants in ${seconds} s; parse outcomes (both modes): ${JSON.stringify(Object.fromEntries(outcomes))}`);
  assert.equal(failing, 0, `${failing} mutants broke an invariant; the first ones:\n${failures.join('\n')}`);

  // The run is worth something only if it reached every outcome and used every mutation.
  if (count >= 20_000) {
    const ok = outcomes.get('ok') ?? 0;
    assert.ok(ok >= count * 0.1, `only ${ok} of ${2 * count} parses succeeded: the round-trip checks barely ran`);
    for (const o of ['fail-400', 'fail-505', 'fail-513']) assert.ok((outcomes.get(o) ?? 0) > 0, `no ${o} outcome`);
    assert.deepEqual([...usedOps].sort(), [...MUTATION_NAMES].sort());
  }
});

/**
 * The fastest of seven timings, ms: the other processes of a loaded machine (CI runs two test files at
 * once) only ever add time, so the minimum is the steadiest estimate of the work itself.
 */
function timed(fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function options(extra: string): Buffer {
  return Buffer.from(
    'OPTIONS sip:ps@localhost SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-lin\r\nMax-Forwards: 70\r\n' +
      'From: <sip:alice@localhost>;tag=a1\r\nTo: <sip:ps@localhost>\r\nCall-ID: lin@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n' +
      `${extra}Content-Length: 0\r\n\r\n`,
    'latin1',
  );
}

// Shapes an attacker would pick to find quadratic work; `n` scales the size.
const SHAPES: ReadonlyArray<readonly [string, (n: number) => string]> = [
  ['10,000-style header lines', (n) => 'X-F: v\r\n'.repeat(n)],
  ['repeated Via lines', (n) => 'Via: SIP/2.0/UDP h;branch=z9hG4bK2\r\n'.repeat(n)],
  ['Via parameters', (n) => `Via: SIP/2.0/UDP h;branch=z9hG4bK3${';p'.repeat(n)}\r\n`],
  ['folded lines', (n) => `X-F: a${'\r\n b'.repeat(n)}\r\n`],
  ['name-addr list', (n) => `Contact: ${'<sip:a@b>,'.repeat(n)}<sip:a@b>\r\nRoute: ${'<sip:p@h;lr>,'.repeat(n)}<sip:p@h>\r\n`],
  ['nested <', (n) => `Contact: ${'<'.repeat(n)}\r\nRoute: ${'<sip:'.repeat(n)}\r\n`],
  ['quotes and escapes', (n) => `Contact: "${'\\"'.repeat(n)} <sip:a@b>\r\nWarning: 399 h "${'\\'.repeat(n)}\r\n`],
  ['comments', (n) => `Retry-After: 5 ${'('.repeat(n)}\r\n`],
  ['auth parameters', (n) => `WWW-Authenticate: Digest ${'a=b,'.repeat(n)}realm="x"\r\nAuthorization: ${'a,'.repeat(n)}\r\n`],
  ['URI escapes', (n) => `To: <sip:${'%41'.repeat(n)}@h;${'x=%41;'.repeat(n)}>\r\n`],
  ['distinct header names', (n) => Array.from({ length: n }, (_, i) => `X-${i}: v\r\n`).join('')],
];

test('hostile shapes parse in linear time (4× the input takes well under 16× the time)', async () => {
  const grammars = await loadGrammars();
  const work = (data: Buffer): void => {
    for (const stream of [false, true]) {
      const r = parseMessage(data, { stream, maxSize: 1 << 20 });
      for (const g of grammars) r.message?.tryHeader(g);
    }
  };
  const slow: string[] = [];
  for (const [name, shape] of SHAPES) {
    const small = options(shape(1_000));
    const large = options(shape(4_000));
    work(small);
    const a = timed(() => work(small));
    const b = timed(() => work(large));
    // Linear work takes ~4× as long; quadratic ~16×. Below 10 ms nothing is worth reporting.
    if (b > 10 && b > 10 * Math.max(a, 0.5)) slow.push(`${name}: ${small.length} bytes ${a.toFixed(1)} ms, ${large.length} bytes ${b.toFixed(1)} ms`);
  }
  assert.deepEqual(slow, []);
});
