import { isAscii, isUtf8 } from 'node:buffer';
import { HeaderList } from '../message/headers.js';
import type { HeaderGrammar } from '../message/headers.js';
import { SipRequest, SipResponse } from '../message/message.js';
import type { SipMessage } from '../message/message.js';
import { CallIdHeader } from './headers/call-id.js';
import { ContentLengthHeader } from './headers/content-length.js';
import { CSeqHeader } from './headers/cseq.js';
import { FromHeader, ToHeader } from './headers/from-to.js';
import { MaxForwardsHeader } from './headers/max-forwards.js';
import { ViaHeader } from './headers/via.js';
import { hasControlBytes, readHeaderLines } from './header-lines.js';
import type { HeaderLines } from './header-lines.js';
import { isToken } from './scanner.js';

/** Options for {@link parseMessage}. */
export interface ParseOptions {
  /**
   * The message came over a stream transport (TCP, TLS): Content-Length is mandatory (RFC 3261 §18.3) and
   * the buffer holds exactly one framed message. Over datagrams a missing Content-Length means "the rest
   * of the datagram", which real clients rely on.
   */
  stream?: boolean;
  /** Largest message accepted, in bytes (default 65,535); larger gets 513. */
  maxSize?: number;
}

/**
 * The outcome of parsing one message. On failure `status` is the response a server sends for a request
 * (400 naming the defect, 505 for another SIP version, 513 for an oversized message; a response that
 * fails is dropped, RFC 3261 §18.1.2); `message` is the partly parsed message when the start line and
 * header lines could be read, so a response can be built.
 */
export type MessageParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; status: number; defect: string; message?: SipMessage; kind?: 'request' | 'response' };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

/**
 * Where the header section ends: the index of the blank line and the index where the body starts.
 * Lines end in CRLF, or in a bare LF from lenient senders; the first blank line of either kind counts.
 */
export function findHeaderEnd(data: Buffer, from = 0): { end: number; bodyStart: number } | undefined {
  const crlf = data.indexOf(CRLFCRLF, from);
  // A bare-LF blank line can only come first if it lies before the CRLF one: search that far only.
  const lfArea = crlf < 0 ? data : data.subarray(0, crlf + 2);
  const lf = lfArea.indexOf(LFLF, from);
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  if (crlf >= 0) return { end: crlf, bodyStart: crlf + 4 };
  return undefined;
}

type Failure = { status: number; defect: string };

function fail(status: number, defect: string, message?: SipMessage): MessageParseResult {
  return message ? { ok: false, status, defect, message, kind: message.kind } : { ok: false, status, defect };
}

/**
 * A failure with no partly parsed message, told apart as a response when the data starts (after
 * keep-alive CRLFs) with `SIP/`, so that the layer above never answers it (RFC 3261 §18.1.2).
 */
function failBare(status: number, defect: string, data: Buffer, start: number): MessageParseResult {
  const isResponse = data.length >= start + 4 && data.toString('latin1', start, start + 4).toUpperCase() === 'SIP/';
  return { ok: false, status, defect, kind: isResponse ? 'response' : 'request' };
}

/** True when `s` starts with `SIP/` in any letter case (RFC 3261 §7.1), as String#toUpperCase sees it. */
function startsWithSip(s: string): boolean {
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(1);
  const c = s.charCodeAt(2);
  // ASCII letters are compared in place (| 0x20 folds only them onto s, i, p); other characters take
  // toUpperCase, which also maps U+017F and U+0131 onto S and I.
  if (a < 128 && b < 128 && c < 128) return (a | 0x20) === 0x73 && (b | 0x20) === 0x69 && (c | 0x20) === 0x70 && s.charCodeAt(3) === 0x2f;
  return s.length >= 4 && s.slice(0, 4).toUpperCase() === 'SIP/';
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §7.1: case-insensitive); the number, or undefined. */
function versionNumber(v: string): string | undefined {
  if (v.length < 7 || !startsWithSip(v)) return undefined;
  const dot = v.indexOf('.', 4);
  if (dot < 5 || dot === v.length - 1) return undefined;
  for (let i = 4; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (i !== dot && (c < 48 || c > 57)) return undefined;
  }
  return v.slice(4);
}

/** Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §7.1, §25.1): exactly two single SPs. */
function splitRequestLine(line: string): [string, string, string] | string {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 > 0 && sp2 > sp1 + 1 && sp2 < line.length - 1 && line.indexOf(' ', sp2 + 1) < 0) {
    return [line.slice(0, sp1), line.slice(sp1 + 1, sp2), line.slice(sp2 + 1)];
  }
  // Not three non-empty elements: split to name the defect.
  const parts = line.split(' ');
  if (parts.length === 3 && parts[0] && parts[1] && parts[2]) return parts as [string, string, string];
  if (parts.length < 3) {
    if (line.includes('\t')) return 'Malformed Request-Line: elements must be separated by SP';
    return 'Malformed Request-Line: missing SIP-Version';
  }
  // RFC 4475 §3.1.2.9, §3.1.2.10, §3.1.2.8: each is rejected rather than guessed at.
  if (parts[parts.length - 1] === '') return 'Malformed Request-Line: white space after SIP-Version';
  if (parts.includes('')) return 'Malformed Request-Line: more than one SP between elements';
  return 'Malformed Request-Line: white space in the Request-URI';
}

// Methods whose CSeq rule the parser enforces (RFC 3261 §8.1.1.5). For any other method a mismatch is
// left to the UAS core, which answers 501 for the unknown method (RFC 4475 §3.1.2.18).
const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'UPDATE',
  'MESSAGE', 'REFER', 'PUBLISH',
]);

const MANDATORY: readonly HeaderGrammar<unknown>[] = [ViaHeader, FromHeader, ToHeader, CallIdHeader, CSeqHeader];

/** Parses the start line into a message with `headers`, or gives the defect. */
function startLine(line: string, headers: HeaderList): SipMessage | Failure {
  if (startsWithSip(line)) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2, §25.1)
    const sp = line.indexOf(' ');
    const version = versionNumber(sp < 0 ? line : line.slice(0, sp));
    if (version === undefined) return { status: 400, defect: 'Malformed Status-Line: bad SIP-Version' };
    if (version !== '2.0') return { status: 505, defect: `Version Not Supported: SIP/${version}` };
    const code = line.slice(sp + 1, sp + 4);
    const after = line.charCodeAt(sp + 4);
    if (!/^[1-6][0-9][0-9]$/.test(code) || (sp + 4 < line.length && after !== 32)) {
      return { status: 400, defect: 'Malformed Status-Line: Status-Code must be three digits from 100 to 699' };
    }
    // A missing SP before an empty Reason-Phrase is tolerated (RFC 4475 §3.1.1.13).
    const reason = line.slice(sp + 5);
    for (let i = 0; i < reason.length; i++) {
      const c = reason.charCodeAt(i);
      if ((c < 32 && c !== 9) || c === 127) return { status: 400, defect: 'Control character in Reason-Phrase' };
    }
    const res = new SipResponse(Number(code), reason, headers);
    res.version = line.slice(0, sp);
    return res;
  }
  const parts = splitRequestLine(line);
  if (typeof parts === 'string') return { status: 400, defect: parts };
  const [method, uri, version] = parts;
  if (!isToken(method)) return { status: 400, defect: 'Malformed Request-Line: Method is not a token' };
  const number = versionNumber(version);
  if (number === undefined) return { status: 400, defect: 'Malformed Request-Line: bad SIP-Version' };
  const req = new SipRequest(method, uri, headers);
  req.version = version;
  return req;
}

/**
 * The Request-URI checks that need no policy: it parses as a URI (any scheme: an unknown one is the
 * UAS core's 416, RFC 4475 §3.3.2), is not wrapped in <> (§3.1.2.7), and a SIP URI carries no
 * header fields (RFC 3261 §19.1.1 Table 1; RFC 4475 §3.1.2.11).
 */
function checkRequestUri(req: SipRequest): string | undefined {
  if (req.uri.charCodeAt(0) === 0x3c) return 'Bad Request-URI: enclosed in <>';
  const r = req.requestUri;
  if (!r.ok) return `Bad Request-URI: ${r.defect}`;
  if ('headers' in r.value && r.value.headers.length) return 'Bad Request-URI: header fields are not allowed in it';
  return undefined;
}

/** A decoded header section: its start line, its header lines, and whether it was all ASCII. */
interface DecodedHead {
  ascii: boolean;
  startLine: string;
  lines: HeaderLines;
}

function readHead(head: Buffer): DecodedHead {
  // ASCII (nearly every head) decodes faster as latin1, to the same characters.
  const ascii = isAscii(head);
  const text = head.toString(ascii ? 'latin1' : 'utf8');
  let lineEnd = text.indexOf('\n');
  if (lineEnd < 0) lineEnd = text.length;
  const fieldsStart = lineEnd + 1;
  if (text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  const lines = fieldsStart < text.length
    ? readHeaderLines(text, fieldsStart, !hasControlBytes(head))
    : { fields: [], blankLine: false };
  return { ascii, startLine: text.slice(0, lineEnd), lines };
}

/**
 * Parses one SIP message (RFC 3261 §7, §25) from `data`. Never throws on wire input.
 * Leading CRLFs (keep-alives, RFC 5626 §4.4.1) are skipped. Line folding is undone; header names are
 * canonicalised; header values stay raw. The start line, the Request-URI and the mandatory headers of
 * §8.1.1 are checked now, so a message that passes can be handed to the transaction layer without
 * further checks of its own; other headers are parsed when first used.
 */
export function parseMessage(data: Buffer, opts: ParseOptions = {}): MessageParseResult {
  const maxSize = opts.maxSize ?? 65_535;
  // RFC 3261 §18.1.1 / §21.5.10: too large gets 513; its header section is still read (the transport
  // bounds what it buffers) so that the 513 can be sent back.
  const oversized = data.length > maxSize;
  let start = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  while (start + 1 < data.length && data[start] === 0x0d && data[start + 1] === 0x0a) start += 2;
  // The usual blank line is CRLF CRLF; a bare-LF one ends the head instead when it comes first, which the
  // header-line reader notices (an empty line) rather than a second search of the bytes.
  const crlf = data.indexOf(CRLFCRLF, start);
  const he = crlf >= 0 ? { end: crlf, bodyStart: crlf + 4 } : findHeaderEnd(data, start);
  let headEnd: number;
  let bodyStart: number;
  if (he) {
    headEnd = he.end;
    if (data[headEnd - 1] === 0x0d) headEnd--; // a CRLF line followed by a bare-LF blank line
    bodyStart = he.bodyStart;
  } else if (!opts.stream) {
    // A datagram with no blank line: headers run to the end and there is no body.
    headEnd = data.length;
    if (data[headEnd - 1] === 0x0a) headEnd--;
    if (data[headEnd - 1] === 0x0d) headEnd--;
    bodyStart = data.length;
  } else {
    return failBare(oversized ? 513 : 400, oversized ? 'Message Too Large' : 'Missing blank line after headers', data, start);
  }
  let head = data.subarray(start, headEnd);
  let decoded = readHead(head);
  if (crlf >= 0 && decoded.lines.blankLine) {
    // A bare-LF blank line before the CRLF one: the head ends there.
    const lf = findHeaderEnd(data, start)!;
    headEnd = data[lf.end - 1] === 0x0d ? lf.end - 1 : lf.end;
    bodyStart = lf.bodyStart;
    head = data.subarray(start, headEnd);
    decoded = readHead(head);
  }
  // RFC 3261 §25.1: the start line and header fields are UTF-8 (TEXT-UTF8char, UTF8-NONASCII). Invalid
  // sequences are decoded as U+FFFD only to read the partly parsed message for the 400.
  const utf8Defect: Failure | undefined = decoded.ascii || isUtf8(head) ? undefined : { status: 400, defect: 'Header section is not valid UTF-8' };
  const read = decoded.lines;
  const first = decoded.startLine;
  const headers = new HeaderList(read.fields);
  const message = startLine(first, headers);
  if (!('kind' in message)) return failBare(oversized ? 513 : message.status, oversized ? 'Message Too Large' : message.defect, data, start);
  if (oversized) return fail(513, 'Message Too Large', message);
  const early = utf8Defect ?? read.failure;
  if (early) return fail(early.status, early.defect, message);

  if (message.kind === 'request') {
    if (message.version.slice(4) !== '2.0') {
      return fail(505, `Version Not Supported: ${message.version}`, message);
    }
    const uriDefect = checkRequestUri(message);
    if (uriDefect) return fail(400, uriDefect, message);
  }

  // Body framing (RFC 3261 §18.3, §20.14).
  const cl = headers.parse(ContentLengthHeader);
  if (!cl.ok) return fail(400, `Bad Content-Length header: ${cl.defect}`, message);
  const available = data.length - bodyStart;
  if (cl.value === undefined) {
    // RFC 3261 §18.3: Content-Length MUST be used with stream-oriented transports.
    if (opts.stream) return fail(400, 'Missing Content-Length header on a stream transport', message);
    message.body = data.subarray(bodyStart);
  } else {
    // RFC 3261 §18.3: a body shorter than Content-Length is an error (400 for a request).
    if (cl.value > available) return fail(400, 'Content-Length larger than the message body', message);
    // Over datagrams, octets past Content-Length MUST be discarded (RFC 3261 §18.3).
    message.body = data.subarray(bodyStart, bodyStart + cl.value);
  }

  // Mandatory headers (RFC 3261 §8.1.1): each must be present once and well-formed.
  let missing: string[] | undefined;
  for (const g of MANDATORY) {
    const r = headers.parse(g);
    if (!r.ok) return fail(400, `Bad ${g.name} header: ${r.defect}`, message);
    if (r.value === undefined) (missing ??= []).push(g.name);
  }
  if (missing) return fail(400, `Missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}`, message);
  if (message.kind === 'request') {
    const mf = headers.parse(MaxForwardsHeader);
    if (!mf.ok) return fail(400, `Bad Max-Forwards header: ${mf.defect}`, message);
    const cseq = message.required(CSeqHeader);
    // RFC 3261 §8.1.1.5: the CSeq method MUST match the request method.
    if (cseq.method !== message.method && KNOWN_METHODS.has(message.method)) {
      return fail(400, 'CSeq method does not match the request method', message);
    }
  }
  return { ok: true, message };
}
