import { HeaderList } from '../message/headers.js';
import type { HeaderField, HeaderGrammar } from '../message/headers.js';
import { canonicalName } from '../message/header-names.js';
import { SipRequest, SipResponse } from '../message/message.js';
import type { SipMessage } from '../message/message.js';
import { CallIdHeader } from './headers/call-id.js';
import { ContentLengthHeader } from './headers/content-length.js';
import { CSeqHeader } from './headers/cseq.js';
import { FromHeader, ToHeader } from './headers/from-to.js';
import { MaxForwardsHeader } from './headers/max-forwards.js';
import { ViaHeader } from './headers/via.js';
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
 * (400 naming the defect, 505 for another SIP version, 513 for an oversized message); `message` is the
 * partly parsed message when the start line and header lines could be read, so a response can be built.
 */
export type MessageParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; status: number; defect: string; message?: SipMessage };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

/** Where the header section ends: index of the blank line and the index where the body starts. */
export function findHeaderEnd(data: Buffer, from = 0): { end: number; bodyStart: number } | undefined {
  const crlf = data.indexOf(CRLFCRLF, from);
  const lf = data.indexOf(LFLF, from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return undefined;
}

function fail(status: number, defect: string, message?: SipMessage): MessageParseResult {
  return message ? { ok: false, status, defect, message } : { ok: false, status, defect };
}

/**
 * Parses one SIP message (RFC 3261 §7, §25) from `data`. Never throws on wire input.
 * Leading CRLFs (keep-alives, RFC 5626 §4.4.1) are skipped. Line folding is undone; header names are
 * canonicalised; header values stay raw. The mandatory headers of §8.1.1 are parsed now, so a message
 * that passes can be handed to the transaction layer without further checks of its own.
 */
export function parseMessage(data: Buffer, opts: ParseOptions = {}): MessageParseResult {
  const maxSize = opts.maxSize ?? 65_535;
  if (data.length > maxSize) return fail(513, 'Message Too Large');
  let start = 0;
  while (start + 1 < data.length && data[start] === 0x0d && data[start + 1] === 0x0a) start += 2;
  const he = findHeaderEnd(data, start);
  let headText: string;
  let bodyStart: number;
  if (he) {
    headText = data.toString('utf8', start, he.end);
    bodyStart = he.bodyStart;
  } else if (!opts.stream) {
    // A datagram with no blank line: headers run to the end and there is no body.
    headText = data.toString('utf8', start).replace(/\r?\n$/, '');
    bodyStart = data.length;
  } else {
    return fail(400, 'Missing blank line after headers');
  }
  const lines = headText.split(/\r?\n/);
  const startLine = lines[0] ?? '';

  // Header lines with folding undone (RFC 3261 §7.3.1).
  const fields: HeaderField[] = [];
  for (let i = 1; i < lines.length; i++) {
    let line = lines[i]!;
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) line += ` ${lines[++i]!.trim()}`;
    const colon = line.indexOf(':');
    if (colon <= 0) return fail(400, `Malformed header line '${line.slice(0, 40)}'`);
    const rawName = line.slice(0, colon).replace(/[ \t]+$/, '');
    if (!isToken(rawName)) return fail(400, `Invalid header name '${rawName.slice(0, 40)}'`);
    const name = canonicalName(rawName);
    fields.push({ name, key: name.toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  const headers = new HeaderList(fields);

  let message: SipMessage;
  if (startLine.startsWith('SIP/')) {
    const m = /^SIP\/(\d+\.\d+) (\d{3}) (.*)$/.exec(startLine);
    if (!m) return fail(400, 'Malformed status line');
    if (m[1] !== '2.0') return fail(400, `Unsupported SIP version ${m[1]}`);
    const status = Number(m[2]);
    if (status < 100 || status > 699) return fail(400, 'Status code out of range');
    message = new SipResponse(status, m[3]!, headers);
  } else {
    const parts = startLine.split(' ');
    if (parts.length !== 3) return fail(400, 'Malformed request line');
    const [method, uri, version] = parts as [string, string, string];
    if (!isToken(method)) return fail(400, 'Invalid method in request line');
    if (!uri) return fail(400, 'Empty Request-URI');
    const vm = /^SIP\/(\d+\.\d+)$/i.exec(version);
    if (!vm) return fail(400, 'Malformed SIP version in request line');
    message = new SipRequest(method, uri, headers);
    message.version = version;
    if (vm[1] !== '2.0') return fail(505, `Version Not Supported: SIP/${vm[1]}`, message);
  }

  // Body framing (RFC 3261 §18.3, §20.14).
  const cl = headers.parse(ContentLengthHeader);
  if (!cl.ok) return fail(400, `Bad Content-Length header: ${cl.defect}`, message);
  const available = data.length - bodyStart;
  if (cl.value === undefined) {
    if (opts.stream) return fail(400, 'Missing Content-Length header on a stream transport', message);
    message.body = data.subarray(bodyStart);
  } else {
    if (cl.value > available) return fail(400, 'Content-Length larger than the message body', message);
    // Over datagrams, octets past Content-Length are discarded (RFC 3261 §18.3).
    message.body = data.subarray(bodyStart, bodyStart + cl.value);
  }

  // Mandatory headers (RFC 3261 §8.1.1): each must be present once and well-formed.
  const mandatory: HeaderGrammar<unknown>[] = [ViaHeader, FromHeader, ToHeader, CallIdHeader, CSeqHeader];
  for (const g of mandatory) {
    const r = headers.parse(g);
    if (!r.ok) return fail(400, `Bad ${g.name} header: ${r.defect}`, message);
    if (r.value === undefined) return fail(400, `Missing ${g.name} header`, message);
  }
  const mf = headers.parse(MaxForwardsHeader);
  if (!mf.ok) return fail(400, `Bad Max-Forwards header: ${mf.defect}`, message);
  if (message.kind === 'request') {
    const cseq = message.required(CSeqHeader);
    if (cseq.method !== message.method) return fail(400, 'CSeq method does not match the request method', message);
  }
  return { ok: true, message };
}
