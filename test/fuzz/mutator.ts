import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A seeded mutation engine for SIP messages. Every mutant is a pure function of (seed, index), so a
 * failure found at index 123456 is reproduced by `mutator.mutant(123456)` with the same seed, without
 * generating the mutants before it.
 *
 * Messages are handled as latin1 strings: one char per byte, so every byte value survives the round
 * trip through `Buffer.from(s, 'latin1')` and invalid UTF-8 can be written as `\xff`.
 */

/** mulberry32: a 32-bit PRNG, small, fast and good enough for fuzzing (not for anything secret). */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next value, 0 to 2^32-1. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer from 0 to n-1 (0 when n <= 0). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 4_294_967_296) * n);
  }

  /** An integer from lo to hi inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 4_294_967_296 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Mixes a run seed and a mutant index into the seed of that mutant (murmur3's finaliser). */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One valid message the mutations start from. */
export interface SeedMessage {
  /** Where it came from, e.g. `captures/linphone-01-REGISTER.txt`. */
  readonly name: string;
  /** The message bytes as a latin1 string. */
  readonly text: string;
}

/** One mutated message: its bytes, the mutations applied in order, and the seed message it came from. */
export interface Mutant {
  readonly index: number;
  readonly bytes: Buffer;
  readonly ops: readonly string[];
  readonly seedName: string;
}

const MINIMAL_REQUEST =
  'OPTIONS sip:ps@localhost SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-fuzz;rport\r\n' +
  'Max-Forwards: 70\r\nFrom: "Alice" <sip:alice@localhost>;tag=a1\r\nTo: <sip:ps@localhost>\r\n' +
  'Call-ID: fuzz-1@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n';
const MINIMAL_RESPONSE =
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-fuzz;received=127.0.0.1;rport=5060\r\n' +
  'From: <sip:ps@localhost>;tag=b1\r\nTo: <sip:alice@localhost>;tag=a1\r\nCall-ID: fuzz-2@127.0.0.1\r\n' +
  'CSeq: 7 NOTIFY\r\nContent-Length: 0\r\n\r\n';

/**
 * The seed corpus: the real captures in `../shared/captures/*.txt`, the RFC 4475 and RFC 5118 torture
 * messages under `test/conformance/fixtures/` (valid and invalid: both are good starting points), and
 * two minimal messages. Paths are relative to the working directory, the repository root.
 */
export function loadCorpus(): SeedMessage[] {
  const out: SeedMessage[] = [
    { name: 'minimal-request', text: MINIMAL_REQUEST },
    { name: 'minimal-response', text: MINIMAL_RESPONSE },
  ];
  const dirs: Array<[string, string, string]> = [
    ['captures', join(process.cwd(), '..', 'shared', 'captures'), '.txt'],
    ['rfc4475', join(process.cwd(), 'test', 'conformance', 'fixtures', 'rfc4475'), '.dat'],
    ['rfc5118', join(process.cwd(), 'test', 'conformance', 'fixtures', 'rfc5118'), '.dat'],
  ];
  for (const [label, dir, ext] of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith(ext)).sort();
    } catch {
      continue;
    }
    for (const f of names) out.push({ name: `${label}/${f}`, text: readFileSync(join(dir, f)).toString('latin1') });
  }
  return out;
}

/** The run settings: `FUZZ_SEED` (decimal or 0x hex; default fixed) and a count (`FUZZ_COUNT` overrides). */
export function fuzzSettings(defaultCount: number, countVar = 'FUZZ_COUNT'): { seed: number; count: number } {
  const rawSeed = process.env.FUZZ_SEED;
  const seed = rawSeed ? Number(rawSeed) >>> 0 : 0x5eed5;
  const rawCount = process.env[countVar];
  const count = rawCount ? Math.max(0, Math.floor(Number(rawCount))) : defaultCount;
  if (!Number.isFinite(count)) throw new RangeError(`${countVar} must be a number`);
  return { seed, count };
}

// ---------------------------------------------------------------------------------------------------
// Structure helpers

interface Parts {
  lines: string[];
  body: string;
  /** Whether the input had a blank line between header section and body. */
  blank: boolean;
}

function split(s: string): Parts {
  const at = s.indexOf('\r\n\r\n');
  if (at < 0) return { lines: s.split('\r\n'), body: '', blank: false };
  return { lines: s.slice(0, at).split('\r\n'), body: s.slice(at + 4), blank: true };
}

function assemble(p: Parts): string {
  return p.blank ? `${p.lines.join('\r\n')}\r\n\r\n${p.body}` : p.lines.join('\r\n');
}

/** Index of a random header line (not the start line), or -1 when there is none. */
function headerLine(rng: Prng, p: Parts): number {
  return p.lines.length > 1 ? 1 + rng.int(p.lines.length - 1) : -1;
}

/** Position just after the colon of header line `i`, or the line's start when it has none. */
function valueStart(line: string): number {
  const c = line.indexOf(':');
  return c < 0 ? 0 : c + 1;
}

function insertAt(s: string, at: number, what: string): string {
  return s.slice(0, at) + what + s.slice(at);
}

function randomBytes(rng: Prng, n: number, printable: boolean): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(printable ? rng.range(32, 126) : rng.int(256));
  return out;
}

/** Replaces a random character range of a header value (or of the whole text without header lines). */
function editHeaderValue(rng: Prng, s: string, edit: (value: string) => string): string {
  const p = split(s);
  const i = headerLine(rng, p);
  if (i < 0) return edit(s);
  const line = p.lines[i]!;
  const v = valueStart(line);
  p.lines[i] = line.slice(0, v) + edit(line.slice(v));
  return assemble(p);
}

/** Reads and replaces the Content-Length lines. */
function setContentLength(s: string, value: string | undefined, compact = false): string {
  const p = split(s);
  p.lines = p.lines.filter((l, i) => i === 0 || !/^(content-length|l)[ \t]*:/i.test(l));
  if (value !== undefined) p.lines.push(`${compact ? 'l' : 'Content-Length'}: ${value}`);
  p.blank = true;
  return assemble(p);
}

/**
 * The message with one Content-Length header holding its real body length (and a blank line if it had
 * none), so that a stream transport frames it as one message and its other defects reach the parser.
 */
export function withTrueContentLength(bytes: Buffer): Buffer {
  const s = bytes.toString('latin1');
  return Buffer.from(setContentLength(s, String(split(s).body.length)), 'latin1');
}

// ---------------------------------------------------------------------------------------------------
// Mutations

const INTERESTING_BYTES = ['\0', '\r', '\n', '\t', ' ', ':', ';', ',', '=', '<', '>', '"', '\\', '%', '@', '[', ']',
  '?', '&', '(', ')', '/', '.', '*', '\x7f', '\x01', '\xff', '\xc3', '\x80'];
const BOUNDARY_NUMBERS = ['0', '-1', '-0', '+1', '1', '00000000000000000001', '2147483647', '2147483648', '4294967295',
  '4294967296', '9007199254740993', '1e30', '1E3', '0x10', '1.5', '.5', '65535', '65536', '70', '699', '700', '99',
  'NaN', 'Infinity', '', '9'.repeat(400), '1'.repeat(20)];
const INVALID_UTF8 = ['\xff', '\xfe', '\xc3\x28', '\xc0\xaf', '\xe0\x80\xaf', '\xed\xa0\x80', '\xf4\x90\x80\x80', '\xe2\x82',
  '\x80', '\xf0\x9f\x98'];
const VALID_UTF8 = ['\xc3\xa9', '\xe2\x82\xac', '\xf0\x9f\x98\x80', '\xef\xbb\xbf', '\xc2\xa0', '\xe2\x80\xa8'];
const TOKENS = ['sip:', 'sips:', 'tel:', 'pres:', 'mailto:', '[::1]', '[::ffff:127.0.0.1]', '[', ']', '::', ':', 'branch=',
  'z9hG4bK', 'tag=', 'rport', 'received=', 'maddr=', 'ttl=', ';lr', '*', '<sip:a@b>', '<', '>', '"', '\\"', '\\',
  'SIP/2.0', 'SIP/2.0/UDP', 'SIP/2.0/TCP', 'sip:%00@host', '%', '%0', '%zz', '%25', '@', '@@', 'user=phone', '+',
  'q=1.0', 'q=2', 'expires=', 'Digest', 'nonce=', 'realm=""', 'presence', 'presence.winfo', 'id=', 'boundary=',
  'multipart/mixed', 'application/pidf+xml', 'a@b@c', 'sip:[1::2', 'sip:host:99999', 'sip:host:', ';;', ',,', '=='];
const START_LINES = ['OPTIONS sip:ps@localhost SIP/2.0', 'SUBSCRIBE sip:bob@localhost SIP/2.0', 'ACK sip:a@b SIP/2.0',
  'INVITE sip:a@b SIP/2.0', 'CANCEL sip:a@b SIP/2.0', 'SIP/2.0 200 OK', 'SIP/2.0 100 Trying', 'SIP/2.0 699 ',
  'SIP/2.0 481', 'SIP/3.0 200 OK', 'SIP/2.0 1000 Huge', 'SIP/2.0 099 Low', 'sip/2.0 200 ok', 'OPTIONS  sip:a@b SIP/2.0',
  'OPTIONS sip:a@b SIP/2.0 ', 'OPTIONS sip:a@b SIP/2.1', 'OPTIONS sip:a@b SIP/20', 'OPTIONS <sip:a@b> SIP/2.0',
  'OPT\0IONS sip:a@b SIP/2.0', 'OPTIONS sip:a b SIP/2.0', 'OPTIONS', 'SIP/2.0', '', 'NEWMETHOD sip:a@b SIP/2.0',
  'OPTIONS * SIP/2.0', 'OPTIONS sip:a@b?Route=%3Csip:x%3E SIP/2.0', 'SIP/2.0 200 OK\xff'];
const COMPACT: Array<[RegExp, string]> = [[/^Via:/i, 'v:'], [/^From:/i, 'f:'], [/^To:/i, 't:'], [/^Call-ID:/i, 'i:'],
  [/^Contact:/i, 'm:'], [/^Content-Type:/i, 'c:'], [/^Content-Length:/i, 'l:'], [/^Event:/i, 'o:'], [/^Supported:/i, 'k:']];

type Mutation = (rng: Prng, s: string, corpus: readonly SeedMessage[]) => string;

/** Random byte-level edits. */
const bitFlip: Mutation = (rng, s) => {
  if (!s.length) return s;
  const chars = s.split('');
  for (let n = rng.range(1, 8); n > 0; n--) {
    const i = rng.int(chars.length);
    chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) ^ (1 << rng.int(8)));
  }
  return chars.join('');
};
const insertBytes: Mutation = (rng, s) => {
  let what = '';
  for (let n = rng.range(1, 16); n > 0; n--) what += rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : randomBytes(rng, 1, false);
  return insertAt(s, rng.int(s.length + 1), what);
};
const deleteRange: Mutation = (rng, s) => {
  const at = rng.int(s.length);
  return s.slice(0, at) + s.slice(at + rng.range(1, 64));
};
const duplicateRange: Mutation = (rng, s) => {
  const at = rng.int(s.length);
  const chunk = s.slice(at, at + rng.range(1, 256));
  return insertAt(s, rng.int(s.length + 1), chunk.repeat(rng.range(1, 16)));
};
const splice: Mutation = (rng, s, corpus) => {
  const other = rng.pick(corpus).text;
  return s.slice(0, rng.int(s.length + 1)) + other.slice(rng.int(other.length + 1));
};
const insertChunk: Mutation = (rng, s, corpus) => {
  const other = rng.pick(corpus).text;
  const at = rng.int(other.length);
  return insertAt(s, rng.int(s.length + 1), other.slice(at, at + rng.range(1, 200)));
};

/** Header-line edits. */
const duplicateHeader: Mutation = (rng, s) => {
  const p = split(s);
  const i = headerLine(rng, p);
  if (i < 0) return s;
  const copies = rng.chance(0.05) ? 100 : rng.range(1, 3);
  p.lines.splice(i, 0, ...new Array<string>(copies).fill(p.lines[i]!));
  return assemble(p);
};
const deleteHeader: Mutation = (rng, s) => {
  const p = split(s);
  const i = headerLine(rng, p);
  if (i >= 0) p.lines.splice(i, 1);
  return assemble(p);
};
const reorderHeaders: Mutation = (rng, s) => {
  const p = split(s);
  for (let i = p.lines.length - 1; i > 1; i--) {
    const j = 1 + rng.int(i);
    [p.lines[i], p.lines[j]] = [p.lines[j]!, p.lines[i]!];
  }
  return assemble(p);
};
const swapHeaderValues: Mutation = (rng, s) => {
  const p = split(s);
  const i = headerLine(rng, p);
  const j = headerLine(rng, p);
  if (i < 0) return s;
  const a = p.lines[i]!;
  const b = p.lines[j]!;
  p.lines[i] = a.slice(0, valueStart(a)) + b.slice(valueStart(b));
  return assemble(p);
};
const compactOrCase: Mutation = (rng, s) => {
  const p = split(s);
  const i = headerLine(rng, p);
  if (i < 0) return s;
  const line = p.lines[i]!;
  const compact = COMPACT.find(([re]) => re.test(line));
  if (compact && rng.chance(0.5)) {
    p.lines[i] = line.replace(compact[0], compact[1]);
  } else {
    const v = valueStart(line);
    let name = '';
    for (const ch of line.slice(0, v)) name += rng.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase();
    p.lines[i] = name + line.slice(v);
  }
  return assemble(p);
};

/** Numbers, lengths and the start line. */
const numberBoundary: Mutation = (rng, s) => {
  const runs = [...s.matchAll(/\d+/g)];
  if (!runs.length) return s;
  const m = rng.pick(runs);
  return s.slice(0, m.index) + rng.pick(BOUNDARY_NUMBERS) + s.slice(m.index + m[0].length);
};
const contentLengthLie: Mutation = (rng, s) => {
  const body = split(s).body.length;
  switch (rng.int(8)) {
    case 0: return setContentLength(s, undefined);
    case 1: return setContentLength(s, String(body + rng.range(1, 1000)));
    case 2: return setContentLength(s, String(Math.max(0, body - rng.range(1, 100))));
    case 3: return setContentLength(s, rng.pick(['-1', '-0', '1e3', '0x10', '+5', ' 5 5', 'abc', '2147483648', '9'.repeat(30)]));
    case 4: return setContentLength(s, String(body), true);
    case 5: return setContentLength(s, String(body)).replace(/(Content-Length: \d+)/, `$1\r\nContent-Length: ${body + 1}`);
    case 6: return setContentLength(s, String(body)) + randomBytes(rng, rng.range(1, 64), false);
    default: return setContentLength(s, `${' '.repeat(rng.range(0, 3))}${body}\r\n ${rng.chance(0.5) ? '' : '0'}`);
  }
};
const replaceStartLine: Mutation = (rng, s, corpus) => {
  const p = split(s);
  const other = split(rng.pick(corpus).text).lines[0]!;
  p.lines[0] = rng.chance(0.5) ? other : rng.pick(START_LINES);
  return assemble(p);
};

/** Oversized and deeply nested shapes. */
const overlongValue: Mutation = (rng, s) => {
  const size = rng.chance(0.3) ? 65_536 : rng.range(1_000, 60_000);
  const fill = rng.pick(['a', '%41', ';p', ',', ' ', '<sip:a@b>,', '"q" ', '\\"']);
  return editHeaderValue(rng, s, (v) => v + fill.repeat(Math.ceil(size / fill.length)).slice(0, size));
};
const manyHeaders: Mutation = (rng, s) => {
  const p = split(s);
  const n = rng.pick([1_000, 10_000]);
  const i = Math.max(1, headerLine(rng, p));
  const kind = rng.int(3);
  const line = kind === 0 ? 'X-F: v' : kind === 1 ? (p.lines[i] ?? 'Via: SIP/2.0/UDP h') : 'Route: <sip:p@h;lr>';
  p.lines.splice(i, 0, ...new Array<string>(n).fill(line));
  return assemble(p);
};
const manyParams: Mutation = (rng, s) => {
  const n = rng.pick([1_000, 10_000]);
  const param = rng.pick([';p', ';p=v', ';branch=z9hG4bK1', ';received=1.2.3.4', ';;', ';tag=x', ',a', ';q=0.5']);
  const p = split(s);
  const via = p.lines.findIndex((l, k) => k > 0 && /^(via|v)[ \t]*:/i.test(l));
  const i = via > 0 && rng.chance(0.6) ? via : headerLine(rng, p);
  if (i < 0) return s + param.repeat(n);
  p.lines[i] += param.repeat(n);
  return assemble(p);
};
const deepNesting: Mutation = (rng, s) => {
  const n = rng.pick([10, 1_000, 10_000]);
  const open = rng.pick(['<', '(', '[', '"', '\\', '<sip:', '"\\', '%']);
  return editHeaderValue(rng, s, (v) => insertAt(v, rng.int(v.length + 1), open.repeat(n)));
};
const unterminatedQuote: Mutation = (rng, s) =>
  editHeaderValue(rng, s, (v) => insertAt(v, rng.int(v.length + 1), rng.pick(['"', '"\\', '\\', '"abc', '("', '<"'])));
const controlInjection: Mutation = (rng, s) => {
  const ctl = rng.pick(['\0', '\r', '\n', '\r\n', '\n\r', '\x7f', '\x01', '\x1b', '\t', '\r\n ', '\r\n\t', '\n ']);
  return rng.chance(0.7)
    ? editHeaderValue(rng, s, (v) => insertAt(v, rng.int(v.length + 1), ctl))
    : insertAt(s, rng.int(s.length + 1), ctl);
};
const utf8Injection: Mutation = (rng, s) => {
  const seq = rng.chance(0.7) ? rng.pick(INVALID_UTF8) : rng.pick(VALID_UTF8);
  return rng.chance(0.7)
    ? editHeaderValue(rng, s, (v) => insertAt(v, rng.int(v.length + 1), seq))
    : insertAt(s, rng.int(s.length + 1), seq);
};
const tokenInjection: Mutation = (rng, s) =>
  editHeaderValue(rng, s, (v) => {
    const at = rng.int(v.length + 1);
    const cut = rng.chance(0.5) ? rng.range(0, 8) : 0;
    return v.slice(0, at) + rng.pick(TOKENS) + v.slice(at + cut);
  });
const whitespace: Mutation = (rng, s) => {
  const seps = [...s.matchAll(/[:;=,<>@/]/g)];
  if (!seps.length) return s;
  const m = rng.pick(seps);
  const ws = rng.pick([' ', '\t', '  ', ' \t ', '\r\n ', '\r\n\t']);
  return insertAt(s, m.index + (rng.chance(0.5) ? 1 : 0), ws);
};
const lineEnds: Mutation = (rng, s) => {
  switch (rng.int(4)) {
    case 0: return s.replace(/\r\n/g, '\n');
    case 1: return s.replace(/\r\n/g, '\r');
    case 2: return s.replace(/\r\n/g, () => (rng.chance(0.5) ? '\n' : '\r\n'));
    default: return `${'\r\n'.repeat(rng.range(1, 4))}${s}`;
  }
};

/** Truncation at a structural point: a line end, a separator, the blank line, inside the body. */
const truncate: Mutation = (rng, s) => {
  const points = [...s.matchAll(/\r\n|[:;,<>"@ =]/g)].map((m) => m.index + rng.int(m[0].length + 1));
  const blank = s.indexOf('\r\n\r\n');
  if (blank >= 0) points.push(blank, blank + 2, blank + 4, blank + 4 + rng.int(s.length - blank - 3));
  return s.slice(0, points.length ? rng.pick(points) : rng.int(s.length + 1));
};

/** Not SIP at all. */
const garbage: Mutation = (rng) => {
  const n = rng.pick([0, 1, 2, 4, 16, 100, 1_000, 8_000]);
  switch (rng.int(4)) {
    case 0: return randomBytes(rng, n, false);
    case 1: return randomBytes(rng, n, true);
    case 2: return `SIP/2.0 ${randomBytes(rng, n, rng.chance(0.5))}`;
    default: return `${rng.pick(START_LINES)}\r\n${randomBytes(rng, n, true)}`;
  }
};

/** The mutations by name, with their weight (expensive ones are rarer). */
const MUTATIONS: ReadonlyArray<readonly [string, number, Mutation]> = [
  ['bitFlip', 10, bitFlip],
  ['insertBytes', 10, insertBytes],
  ['deleteRange', 8, deleteRange],
  ['duplicateRange', 5, duplicateRange],
  ['splice', 5, splice],
  ['insertChunk', 5, insertChunk],
  ['duplicateHeader', 6, duplicateHeader],
  ['deleteHeader', 6, deleteHeader],
  ['reorderHeaders', 3, reorderHeaders],
  ['swapHeaderValues', 4, swapHeaderValues],
  ['compactOrCase', 4, compactOrCase],
  ['numberBoundary', 10, numberBoundary],
  ['contentLengthLie', 8, contentLengthLie],
  ['replaceStartLine', 5, replaceStartLine],
  ['overlongValue', 0.4, overlongValue],
  ['manyHeaders', 0.2, manyHeaders],
  ['manyParams', 0.4, manyParams],
  ['deepNesting', 0.6, deepNesting],
  ['unterminatedQuote', 5, unterminatedQuote],
  ['controlInjection', 6, controlInjection],
  ['utf8Injection', 5, utf8Injection],
  ['tokenInjection', 10, tokenInjection],
  ['whitespace', 6, whitespace],
  ['lineEnds', 2, lineEnds],
  ['truncate', 6, truncate],
  ['garbage', 2, garbage],
];
const TOTAL_WEIGHT = MUTATIONS.reduce((sum, [, w]) => sum + w, 0);

function pickMutation(rng: Prng): readonly [string, number, Mutation] {
  let r = (rng.next() / 4_294_967_296) * TOTAL_WEIGHT;
  for (const m of MUTATIONS) {
    r -= m[1];
    if (r < 0) return m;
  }
  return MUTATIONS[MUTATIONS.length - 1]!;
}

/** Names of every mutation, for coverage checks. */
export const MUTATION_NAMES: readonly string[] = MUTATIONS.map(([name]) => name);

/** Produces mutants of a corpus; `mutant(i)` depends only on the seed, the corpus and `i`. */
export class Mutator {
  constructor(
    private readonly corpus: readonly SeedMessage[],
    readonly seed: number,
  ) {
    if (!corpus.length) throw new Error('empty fuzz corpus');
  }

  /** Mutant number `index`: one to five mutations of one corpus message. */
  mutant(index: number): Mutant {
    const rng = new Prng(caseSeed(this.seed, index));
    const from = rng.pick(this.corpus);
    let text = from.text;
    const ops: string[] = [];
    do {
      const [name, , apply] = pickMutation(rng);
      text = apply(rng, text, this.corpus);
      ops.push(name);
      // Keep mutants bounded: a chain of growing mutations stops at ~200 KB.
    } while (ops.length < 5 && text.length < 200_000 && rng.chance(0.45));
    return { index, bytes: Buffer.from(text, 'latin1'), ops, seedName: from.name };
  }
}
