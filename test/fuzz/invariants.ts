import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { HeaderGrammar } from '../../src/sip/message/headers.js';
import { createResponse } from '../../src/sip/message/response.js';
import { serialize } from '../../src/sip/message/serialize.js';
import type { SipMessage } from '../../src/sip/message/message.js';
import { parseMessage } from '../../src/sip/parser/parse-message.js';
import type { MessageParseResult } from '../../src/sip/parser/parse-message.js';
import { checkFraming, checkStack } from './stack-checks.js';

/** The statuses a parse failure may carry (RFC 3261 §21.4.1 400, §21.5.6 505, §21.5.7 513). */
export const FAILURE_STATUSES: ReadonlySet<number> = new Set([400, 505, 513]);

/** A single parse slower than this is timed again; slower three times in a row is a finding. */
export const SLOW_PARSE_MS = 50;

/**
 * Every header grammar exported by a module of src/sip/parser/headers (found at run time, so a grammar
 * added later is fuzzed without touching this file). A grammar is an object with a `name` and `parse`.
 */
export async function loadGrammars(): Promise<Array<HeaderGrammar<unknown>>> {
  const dir = new URL('../../src/sip/parser/headers/', import.meta.url);
  const out: Array<HeaderGrammar<unknown>> = [];
  for (const f of readdirSync(fileURLToPath(dir)).filter((n) => n.endsWith('.js')).sort()) {
    const mod = (await import(new URL(f, dir).href)) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      const g = v as Partial<HeaderGrammar<unknown>> | null;
      if (g && typeof g === 'object' && typeof g.name === 'string' && typeof g.parse === 'function' && !out.includes(g as HeaderGrammar<unknown>)) {
        out.push(g as HeaderGrammar<unknown>);
      }
    }
  }
  return out;
}

/** What one check saw, for coverage counting. */
export type Outcome = 'ok' | `fail-${number}`;

/** A broken invariant: which one, in which mode, with the details. */
export interface Violation {
  readonly mode: 'datagram' | 'stream';
  readonly what: string;
}

/** Options of {@link checkMessage}. */
export interface CheckOptions {
  /** The header grammars to run on the parsed (or partly parsed) message. */
  readonly grammars: ReadonlyArray<HeaderGrammar<unknown>>;
  /** maxSize given to parseMessage, bytes. */
  readonly maxSize: number;
  /** Also feed each header value to every grammar, not only the grammar of its own header. */
  readonly crossFeed?: boolean;
  /** Also frame the bytes pushed one at a time (else in three pieces) and compare with one push. */
  readonly bytewise?: boolean;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** parseMessage, timed; a slow parse is repeated to tell a GC pause from slow code. */
function timedParse(data: Buffer, stream: boolean, maxSize: number): { result: MessageParseResult; ms: number } {
  let t0 = performance.now();
  let result = parseMessage(data, { stream, maxSize });
  let ms = performance.now() - t0;
  for (let i = 0; i < 2 && ms > SLOW_PARSE_MS; i++) {
    t0 = performance.now();
    result = parseMessage(data, { stream, maxSize });
    ms = Math.min(ms, performance.now() - t0);
  }
  return { result, ms };
}

/** Runs every grammar on the message's header lines (and, crossFeed, on every header value); none may throw. */
function checkGrammars(msg: SipMessage, opts: CheckOptions, out: string[]): void {
  for (const g of opts.grammars) {
    try {
      const r = msg.tryHeader(g);
      if (typeof r !== 'object' || typeof r.ok !== 'boolean') out.push(`${g.name}: tryHeader returned ${String(r)}`);
      else if (!r.ok && (typeof r.defect !== 'string' || !r.defect)) out.push(`${g.name}: failure without a defect`);
    } catch (e) {
      out.push(`${g.name}: tryHeader threw ${describe(e)}`);
    }
  }
  if (!opts.crossFeed) return;
  const values = new Set(msg.headers.all().map((f) => f.value));
  for (const v of values) {
    for (const g of opts.grammars) {
      try {
        g.parse([v]);
      } catch (e) {
        out.push(`${g.name}: parse(${JSON.stringify(v.slice(0, 80))}) threw ${describe(e)}`);
      }
    }
  }
}

/** A parsed message re-serialises to bytes that parse to the same message, and serialising is stable. */
function checkRoundTrip(msg: SipMessage, maxSize: number, out: string[]): void {
  const first = serialize(msg);
  const again = parseMessage(first, { stream: true, maxSize: Math.max(maxSize, first.length) });
  if (!again.ok) {
    out.push(`re-serialised message does not parse: ${again.status} ${again.defect}`);
    return;
  }
  const b = again.message;
  if (b.kind !== msg.kind) out.push(`round trip changed the kind to ${b.kind}`);
  else if (b.kind === 'request' && msg.kind === 'request' && (b.method !== msg.method || b.uri !== msg.uri)) {
    out.push(`round trip changed the Request-Line to ${b.method} ${b.uri}`);
  } else if (b.kind === 'response' && msg.kind === 'response' && (b.status !== msg.status || b.reason !== msg.reason)) {
    out.push(`round trip changed the Status-Line to ${b.status} ${b.reason}`);
  }
  const fields = (m: SipMessage): string =>
    JSON.stringify(m.headers.all().filter((f) => f.key !== 'content-length').map((f) => [f.name, f.value]));
  if (fields(b) !== fields(msg)) out.push('round trip changed the header fields');
  if (!b.body.equals(msg.body)) out.push('round trip changed the body');
  if (!serialize(b).equals(first)) out.push('serialising the re-parsed message gives other bytes');
}

/** The stateless answer the UAS core builds for a malformed request must be buildable and serialisable. */
function checkRejection(result: Extract<MessageParseResult, { ok: false }>, out: string[]): void {
  const msg = result.message;
  if (msg?.kind !== 'request') return;
  if (!msg.headers.has('Via') || !msg.headers.has('CSeq') || !msg.headers.has('Call-ID')) return;
  try {
    serialize(createResponse(msg, result.status, result.defect));
  } catch (e) {
    out.push(`building the ${result.status} response threw ${describe(e)}`);
  }
}

/** Checks one parse of `data` in one mode; returns the outcome and the broken invariants. */
function checkMode(data: Buffer, stream: boolean, opts: CheckOptions): { outcome: Outcome; problems: string[] } {
  const problems: string[] = [];
  let parsed: { result: MessageParseResult; ms: number };
  try {
    parsed = timedParse(data, stream, opts.maxSize);
  } catch (e) {
    return { outcome: 'fail-0', problems: [`parseMessage threw ${describe(e)}`] };
  }
  const { result, ms } = parsed;
  if (ms > SLOW_PARSE_MS) problems.push(`parseMessage took ${ms.toFixed(1)} ms for ${data.length} bytes`);
  if (result.ok) {
    try {
      checkGrammars(result.message, opts, problems);
      checkRoundTrip(result.message, opts.maxSize, problems);
      checkStack(result.message, true, problems);
    } catch (e) {
      problems.push(`checking the parsed message threw ${describe(e)}`);
    }
    return { outcome: 'ok', problems };
  }
  if (!FAILURE_STATUSES.has(result.status)) problems.push(`failure status ${result.status}`);
  if (typeof result.defect !== 'string' || !result.defect.trim()) problems.push(`${result.status} without a defect`);
  if ((result.status === 513) !== data.length > opts.maxSize) {
    problems.push(`status ${result.status} for ${data.length} bytes with maxSize ${opts.maxSize}`);
  }
  if (result.message) {
    try {
      checkGrammars(result.message, { ...opts, crossFeed: false }, problems);
      checkRejection(result, problems);
      checkStack(result.message, false, problems);
    } catch (e) {
      problems.push(`checking the partial message threw ${describe(e)}`);
    }
  }
  return { outcome: `fail-${result.status}`, problems };
}

/**
 * Parses `data` as a datagram and as a stream-framed message and checks the invariants of issue "hostile
 * input": parseMessage never throws and is fast; a failure is 400/505/513 with a defect (513 exactly when
 * the message is over maxSize); a parsed message re-serialises to one that parses to the same fields; no
 * header grammar throws on what it is given; and the layers above agree with the parser (see
 * stack-checks.ts: stream framing, received/rport, responses built from accepted requests).
 */
export function checkMessage(data: Buffer, opts: CheckOptions): { outcomes: [Outcome, Outcome]; violations: Violation[] } {
  const d = checkMode(data, false, opts);
  const s = checkMode(data, true, opts);
  const framing: string[] = [];
  try {
    checkFraming(data, opts.maxSize, opts.bytewise ?? false, framing);
  } catch (e) {
    framing.push(`framing threw ${describe(e)}`);
  }
  const violations: Violation[] = [
    ...d.problems.map((what) => ({ mode: 'datagram' as const, what })),
    ...s.problems.map((what) => ({ mode: 'stream' as const, what })),
    ...framing.map((what) => ({ mode: 'stream' as const, what })),
  ];
  return { outcomes: [d.outcome, s.outcome], violations };
}
