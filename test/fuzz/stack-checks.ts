import type { SipMessage, SipRequest } from '../../src/sip/message/message.js';
import { createResponse } from '../../src/sip/message/response.js';
import { serialize } from '../../src/sip/message/serialize.js';
import { ViaHeader } from '../../src/sip/parser/headers/via.js';
import { findHeaderEnd, parseMessage } from '../../src/sip/parser/parse-message.js';
import { requestKeys } from '../../src/sip/transaction/transaction-keys.js';
import { StreamFramer } from '../../src/sip/transport/stream-framer.js';
import { applyReceived } from '../../src/sip/transport/via-received.js';

/**
 * Invariants of the layers right above the parser, run on each mutant: what the transport does to every
 * request (received/rport) and how it frames a stream, and what the UAS core builds from an accepted
 * request. Each returns the broken invariants as text.
 */

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** What a framer made of some bytes: the frames in order and the failure that stopped it. */
function frameAll(pieces: readonly Buffer[], maxSize: number): { frames: Buffer[]; failure?: string } {
  const frames: Buffer[] = [];
  let failure: string | undefined;
  const framer = new StreamFramer(
    { maxMessageSize: maxSize, maxStreamBuffer: 2 * maxSize },
    { frame: (m) => frames.push(Buffer.from(m)), ping: () => undefined, fail: (status, defect) => (failure = `${status} ${defect}`) },
  );
  for (const p of pieces) framer.push(p);
  return failure === undefined ? { frames } : { frames, failure };
}

/** Split points for `data`, derived from its bytes (so a failure reproduces from the input alone). */
function pieces(data: Buffer, bytewise: boolean): Buffer[] {
  if (bytewise) return Array.from({ length: data.length }, (_, i) => data.subarray(i, i + 1));
  let h = data.length;
  for (let i = 0; i < data.length; i += 97) h = (Math.imul(h, 31) + data[i]!) >>> 0;
  const a = h % (data.length + 1);
  const b = (h >>> 8) % (data.length + 1);
  const [x, y] = a < b ? [a, b] : [b, a];
  return [data.subarray(0, x), data.subarray(x, y), data.subarray(y)];
}

/**
 * Stream framing (RFC 3261 §18.3) agrees with the parser: every frame the framer cuts that the parser
 * accepts holds exactly the header section and Content-Length octets the parser read (a disagreement
 * would let a body smuggle a second message); the frames do not depend on how the bytes were chunked;
 * and a message the parser accepts on a stream is framed to exactly its bytes.
 */
export function checkFraming(data: Buffer, maxSize: number, bytewise: boolean, out: string[]): void {
  const whole = frameAll([data], maxSize);
  const split = frameAll(pieces(data, bytewise), maxSize);
  // Over the size limit the failure may differ (a limit is checked as bytes arrive), not whether there is one.
  const sameFailure = data.length > maxSize
    ? (whole.failure === undefined) === (split.failure === undefined)
    : whole.failure === split.failure;
  const same = sameFailure && whole.frames.length === split.frames.length &&
    whole.frames.every((f, i) => f.equals(split.frames[i]!));
  if (!same) {
    out.push(`framing depends on chunking: ${whole.frames.length} frames (${whole.failure ?? 'no failure'}) whole, ` +
      `${split.frames.length} (${split.failure ?? 'no failure'}) split${bytewise ? ' byte by byte' : ''}`);
  }
  for (const f of whole.frames) {
    const r = parseMessage(f, { stream: true, maxSize });
    const he = findHeaderEnd(f);
    if (r.ok && he && he.bodyStart + r.message.body.length !== f.length) {
      out.push(`framer cut ${f.length} bytes but the parser read a ${r.message.body.length}-byte body after ${he.bodyStart}`);
    }
  }
  if (data[0] === 0x0d || data[0] === 0x0a) return; // the framer skips lone CR/LF before a message; the parser only CRLF pairs
  const p = parseMessage(data, { stream: true, maxSize });
  const he = findHeaderEnd(data);
  if (p.ok && he) {
    const expected = data.subarray(0, he.bodyStart + p.message.body.length);
    if (!whole.frames[0]?.equals(expected)) {
      out.push(`parser accepts ${expected.length} bytes on a stream but the framer cut ${whole.frames[0]?.length ?? 'nothing'} (${whole.failure ?? 'no failure'})`);
    }
  }
}

/**
 * What the transport layer does to a request on receipt (RFC 3261 §18.2.1, RFC 3581 §4) never throws and
 * never breaks a request that parsed: its top Via still parses and it still re-serialises to a message
 * that parses.
 */
function checkReceived(req: SipRequest, accepted: boolean, out: string[]): void {
  const before = req.tryHeader(ViaHeader);
  try {
    applyReceived(req, '127.0.0.1', 5999);
  } catch (e) {
    out.push(`applyReceived threw ${describe(e)}`);
    return;
  }
  if (!before.ok || !accepted) return;
  const after = req.tryHeader(ViaHeader);
  if (!after.ok) {
    out.push(`applyReceived broke the Via header: ${after.defect} in ${JSON.stringify(req.headers.get('Via')?.slice(0, 200))}`);
    return;
  }
  const again = parseMessage(serialize(req), { stream: true, maxSize: Number.MAX_SAFE_INTEGER });
  if (!again.ok) out.push(`after applyReceived the request no longer parses: ${again.status} ${again.defect}`);
}

/**
 * For a request that parsed: the transaction keys can be computed (RFC 3261 §17.2.3), and the response
 * the UAS core builds (§8.2.6) serialises to a response that parses, so the peer can match it.
 */
function checkAnswer(req: SipRequest, out: string[]): void {
  try {
    if (!requestKeys(req)) out.push('no transaction keys for a request that parsed');
  } catch (e) {
    out.push(`requestKeys threw ${describe(e)}`);
  }
  for (const status of [200, 400]) {
    let bytes: Buffer;
    try {
      bytes = serialize(createResponse(req, status));
    } catch (e) {
      out.push(`building the ${status} response threw ${describe(e)}`);
      continue;
    }
    const r = parseMessage(bytes, { stream: true, maxSize: Number.MAX_SAFE_INTEGER });
    if (!r.ok) out.push(`the ${status} response to an accepted request does not parse: ${r.status} ${r.defect}`);
  }
}

/** Runs the checks that apply to a (possibly partly) parsed message; `accepted` when parseMessage succeeded. */
export function checkStack(msg: SipMessage, accepted: boolean, out: string[]): void {
  if (msg.kind !== 'request') return;
  // On a copy: the caller's message stays as parsed.
  const req = msg.clone();
  checkReceived(req, accepted, out);
  if (accepted) checkAnswer(req, out);
}
