import { randomBytes } from 'node:crypto';
import { isToken, quote, unquote } from '../parser/scanner.js';
import { canonicalName } from './header-names.js';
import { HeaderList } from './headers.js';
import type { HeaderField, ParseResult } from './headers.js';
import type { MediaType } from './types.js';

/**
 * MIME multipart bodies (RFC 2046 §5.1) as SIP carries them: multipart/related for RLS notifications
 * (RFC 2387, RFC 4662 §5) and multipart/mixed. Parsing is linear in the body size and bounded in the
 * number of parts; nested multiparts stay opaque part bodies.
 */

/** One body part: its own header fields (Content-Type, Content-ID, Content-Transfer-Encoding, …) and octets. */
export interface MultipartPart {
  headers: HeaderList;
  /** The part's octets; a view into the parsed buffer, not a copy. */
  body: Buffer;
}

/** A parsed multipart body. */
export interface MultipartBody {
  parts: MultipartPart[];
  /** The Content-Type parameters of the multipart, unquoted: `boundary`, and `type`, `start` for related. */
  params: Map<string, string | null>;
}

/** Options for {@link parseMultipart}. */
export interface MultipartParseOptions {
  /** Most parts accepted; more is a defect (default 1000). */
  maxParts?: number;
}

/** Options for {@link buildMultipart}. */
export interface MultipartBuildOptions {
  /** `related` (RFC 2387) or `mixed` (RFC 2046 §5.1.3). */
  type: 'related' | 'mixed';
  /** related only: the Content-ID of the root part, with its angle brackets; default the first part. */
  start?: string;
  /** The boundary to use; default a random one. Must not occur in any part. */
  boundary?: string;
}

// boundary := 0*69<bchars> bcharsnospace; bchars := bcharsnospace / " "  (RFC 2046 §5.1.1)
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const CRLF = Buffer.from('\r\n');

function isLineSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09;
}

/**
 * Where the delimiter line found at `at` ends (the index after its line break), or -1 when the match is
 * not a delimiter: RFC 2046 §5.1.1 puts a delimiter at the start of a line, followed by optional
 * transport-padding and CRLF (a bare LF is tolerated), or by `--` for the close delimiter.
 */
function delimiterEnd(body: Buffer, at: number, len: number): { next: number; close: boolean } | undefined {
  if (at > 0 && body[at - 1] !== 0x0a) return undefined;
  let i = at + len;
  if (body[i] === 0x2d && body[i + 1] === 0x2d) return { next: i + 2, close: true };
  while (isLineSpace(body[i])) i++;
  if (body[i] === 0x0d && body[i + 1] === 0x0a) return { next: i + 2, close: false };
  if (body[i] === 0x0a) return { next: i + 1, close: false };
  return undefined;
}

/** The headers of one part: `name: value` lines with folding undone (RFC 2045 §3 / RFC 822 syntax). */
function partHeaders(text: string): ParseResult<HeaderList> {
  const fields: HeaderField[] = [];
  if (!text) return { ok: true, value: new HeaderList(fields) };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) line += ` ${lines[++i]!.trim()}`;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (!isToken(name)) return { ok: false, defect: `malformed body part header line '${line.slice(0, 40)}'` };
    const canonical = canonicalName(name);
    fields.push({ name: canonical, key: canonical.toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return { ok: true, value: new HeaderList(fields) };
}

/** Splits one encapsulation (the octets between two delimiter lines) into headers and body. */
function part(chunk: Buffer): ParseResult<MultipartPart> {
  // body-part := MIME-part-headers [CRLF *OCTET]: a leading line break means "no headers".
  if (chunk[0] === 0x0a) return { ok: true, value: { headers: new HeaderList(), body: chunk.subarray(1) } };
  if (chunk[0] === 0x0d && chunk[1] === 0x0a) return { ok: true, value: { headers: new HeaderList(), body: chunk.subarray(2) } };
  const crlf = chunk.indexOf('\r\n\r\n');
  const lf = chunk.indexOf('\n\n');
  let headEnd = chunk.length;
  let bodyStart = chunk.length;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) [headEnd, bodyStart] = [crlf, crlf + 4];
  else if (lf >= 0) [headEnd, bodyStart] = [lf, lf + 2];
  const headers = partHeaders(chunk.toString('utf8', 0, headEnd));
  if (!headers.ok) return headers;
  return { ok: true, value: { headers: headers.value, body: chunk.subarray(bodyStart) } };
}

/**
 * Parses a multipart body (RFC 2046 §5.1.1) with the boundary of its Content-Type. The preamble before
 * the first delimiter and the epilogue after the close delimiter are ignored; the line break before
 * each delimiter belongs to the delimiter, not to the part. Never throws on wire input.
 * Defects: no or an invalid boundary, no delimiter, a missing close delimiter, a malformed part header,
 * more than `maxParts` parts.
 */
export function parseMultipart(body: Buffer, contentType: MediaType, opts: MultipartParseOptions = {}): ParseResult<MultipartBody> {
  const maxParts = opts.maxParts ?? 1000;
  if (contentType.type !== 'multipart') return { ok: false, defect: `not a multipart type: ${contentType.type}/${contentType.subtype}` };
  const params = new Map<string, string | null>();
  for (const [k, v] of contentType.params) params.set(k, v === null ? null : unquote(v));
  const boundary = params.get('boundary');
  if (!boundary) return { ok: false, defect: 'multipart Content-Type has no boundary parameter' };
  if (!BOUNDARY.test(boundary)) return { ok: false, defect: 'invalid multipart boundary' };
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: MultipartPart[] = [];
  let partStart = -1;
  for (let from = 0; ;) {
    const at = body.indexOf(delimiter, from);
    if (at < 0) {
      return { ok: false, defect: partStart < 0 ? 'no multipart boundary delimiter in the body' : 'missing multipart close delimiter' };
    }
    const d = delimiterEnd(body, at, delimiter.length);
    if (!d) {
      from = at + 1;
      continue;
    }
    if (partStart >= 0) {
      // The CRLF (or LF) before the delimiter is part of the delimiter (RFC 2046 §5.1.1).
      let end = at - 1;
      if (end > partStart && body[end - 1] === 0x0d) end--;
      const p = part(body.subarray(partStart, Math.max(end, partStart)));
      if (!p.ok) return p;
      if (parts.length === maxParts) return { ok: false, defect: `more than ${maxParts} body parts` };
      parts.push(p.value);
    } else if (d.close) {
      return { ok: false, defect: 'multipart body has no body part' };
    }
    if (d.close) return { ok: true, value: { parts, params } };
    partStart = d.next;
    from = d.next;
  }
}

/**
 * The root part of a multipart/related body (RFC 2387 §3.2): the part whose Content-ID equals the
 * `start` parameter, or the first part when there is none. Undefined when `start` names no part.
 */
export function rootPart(mp: MultipartBody): MultipartPart | undefined {
  const start = mp.params.get('start');
  if (!start) return mp.parts[0];
  return mp.parts.find((p) => p.headers.get('Content-ID') === start);
}

function boundaryFor(parts: readonly MultipartPart[], chosen: string | undefined): string {
  const occurs = (b: string): boolean =>
    parts.some((p) => p.body.includes(b, 0, 'latin1') || p.headers.all().some((f) => f.value.includes(b)));
  if (chosen !== undefined) {
    if (!BOUNDARY.test(chosen)) throw new RangeError(`invalid multipart boundary '${chosen}'`);
    if (occurs(chosen)) throw new RangeError('multipart boundary occurs in a body part');
    return chosen;
  }
  // 144 random bits: a collision with part content is practically impossible, but it is checked.
  for (let i = 0; i < 8; i++) {
    const b = randomBytes(18).toString('base64url');
    if (!occurs(b)) return b;
  }
  throw new Error('could not find a multipart boundary absent from every part');
}

/**
 * Builds a multipart body and its Content-Type value. For `related`, the `type` parameter is the
 * Content-Type of the root part (RFC 2387 §3.1: required), and `start` is written when given.
 * @throws RangeError when `start` names no part's Content-ID, the root part has no Content-Type, there
 *   are no parts, or a given boundary is invalid or occurs in a part (all caller bugs).
 */
export function buildMultipart(parts: readonly MultipartPart[], opts: MultipartBuildOptions): { body: Buffer; contentType: string } {
  if (!parts.length) throw new RangeError('a multipart body needs at least one part');
  const boundary = boundaryFor(parts, opts.boundary);
  let contentType = `multipart/${opts.type}`;
  if (opts.type === 'related') {
    const root = opts.start === undefined ? parts[0] : parts.find((p) => p.headers.get('Content-ID') === opts.start);
    if (!root) throw new RangeError(`no part has Content-ID ${opts.start}`);
    const rootType = root.headers.get('Content-Type');
    if (!rootType) throw new RangeError('the root part of a multipart/related body needs a Content-Type');
    // RFC 2387 §3.1: type is the media type/subtype of the root, without its parameters.
    contentType += `;type=${quote(rootType.split(';')[0]!.trim())}`;
    if (opts.start !== undefined) contentType += `;start=${quote(opts.start)}`;
  }
  contentType += `;boundary=${isToken(boundary) ? boundary : quote(boundary)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\n`;
    for (const f of p.headers.all()) head += `${f.name}: ${f.value}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), p.body, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { body: Buffer.concat(chunks), contentType };
}
