import { ContentLengthHeader } from '../parser/headers/content-length.js';
import type { ParseResult } from '../message/headers.js';

/** What a {@link StreamFramer} reports. Called synchronously from {@link StreamFramer.push}. */
export interface FramerSink {
  /** One complete message: header section, blank line and exactly Content-Length body octets. */
  frame(message: Buffer): void;
  /** A double-CRLF keep-alive "ping" was read between messages; answer with a CRLF "pong" (RFC 5626 §4.4.1). */
  ping(): void;
  /**
   * The stream cannot be framed any further; the framer ignores all later input and the connection must
   * be closed. `status` is 400 (Content-Length missing or bad) or 513 (too large). `bytes` is the header
   * section when `headComplete`, else the start of what was buffered (possibly empty).
   */
  fail(status: number, defect: string, bytes: Buffer, headComplete: boolean): void;
}

/** The size limits a framer enforces, in bytes (a slice of `TransportLimits`). */
export interface FramerLimits {
  maxMessageSize: number;
  maxStreamBuffer: number;
}

const CR = 0x0d;
const LF = 0x0a;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
const EMPTY: Buffer = Buffer.alloc(0);
/** Content-Length or its compact form `l`, with folded continuation lines (RFC 3261 §7.3.1, §20.14). */
const CONTENT_LENGTH = /(?:^|\n)(?:content-length|l)[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/gi;

/**
 * Frames SIP messages on a byte stream (TCP, TLS) by Content-Length (RFC 3261 §18.3, which makes the
 * header mandatory there). Chunks may split a message anywhere or carry several messages. CRLFs between
 * messages are skipped (RFC 3261 §7.5) and a double CRLF is reported as a keep-alive ping.
 *
 * Work is linear in the bytes received: each byte is searched for the blank line at most once, and a
 * message split over chunks is copied once when it completes. A message that fills a whole chunk is
 * handed on without copying.
 */
export class StreamFramer {
  /** Bytes of the current, incomplete message. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Full length of the current message once its header section has been read, else -1. */
  private total = -1;
  /** The last (up to 3) bytes buffered, to find a blank line split between chunks. */
  private tail: Buffer = EMPTY;
  /** LFs seen in the current run of CRLFs between messages. */
  private lfRun = 0;
  private failed = false;

  constructor(
    private readonly limits: FramerLimits,
    private readonly sink: FramerSink,
  ) {}

  /** Feeds the next chunk read from the stream. */
  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.failed) {
      if (this.buffered === 0) {
        pos = this.skipKeepAlive(chunk, pos);
        if (pos >= chunk.length) return;
      }
      if (this.total < 0) {
        const headLen = this.findBlankLine(chunk, pos);
        if (headLen < 0) {
          this.hold(chunk, pos);
          return;
        }
        if (!this.readHead(chunk, pos, headLen)) return;
      }
      const need = this.total - this.buffered;
      if (chunk.length - pos < need) {
        this.hold(chunk, pos);
        return;
      }
      const end = pos + need;
      let message: Buffer;
      if (this.buffered === 0) {
        // Zero copy only when the message is the whole chunk, so a retained body never pins a larger buffer.
        message = pos === 0 && end === chunk.length ? chunk : Buffer.from(chunk.subarray(pos, end));
      } else {
        this.chunks.push(chunk.subarray(pos, end));
        message = Buffer.concat(this.chunks, this.total);
      }
      pos = end;
      this.reset();
      this.sink.frame(message);
    }
  }

  /** Skips CR and LF before a message (RFC 3261 §7.5); every double CRLF is one ping (RFC 5626 §4.4.1). */
  private skipKeepAlive(chunk: Buffer, pos: number): number {
    while (pos < chunk.length) {
      const c = chunk[pos]!;
      if (c === LF) {
        if (++this.lfRun === 2) {
          this.lfRun = 0;
          this.sink.ping();
        }
      } else if (c !== CR) {
        this.lfRun = 0;
        return pos;
      }
      pos++;
    }
    return pos;
  }

  /**
   * Length of the header section including its blank line (CRLF CRLF, or LF LF as the parser accepts),
   * counted from the start of the current message, or -1 when it has not arrived yet.
   */
  private findBlankLine(chunk: Buffer, pos: number): number {
    if (this.tail.length) {
      // A blank line that starts in the buffered bytes and ends in this chunk.
      const window = Buffer.concat([this.tail, chunk.subarray(pos, pos + 3)]);
      const at = earliest(window, 0);
      if (at) return this.buffered - this.tail.length + at.end;
    }
    const at = earliest(chunk, pos);
    return at ? this.buffered + at.end - pos : -1;
  }

  /** Reads Content-Length from the complete header section and sets the message length. */
  private readHead(chunk: Buffer, pos: number, headLen: number): boolean {
    const fromChunk = headLen - this.buffered;
    const head = this.buffered === 0
      ? chunk.subarray(pos, pos + headLen)
      : Buffer.concat([...this.chunks, chunk.subarray(pos, pos + fromChunk)], headLen);
    const cl = contentLength(head);
    // RFC 3261 §18.3: the Content-Length header field MUST be used with stream oriented transports.
    if (!cl.ok) return this.fail(400, `Bad Content-Length header: ${cl.defect}`, head, true);
    if (cl.value === undefined) return this.fail(400, 'Missing Content-Length header on a stream transport', head, true);
    this.total = headLen + cl.value;
    if (this.total > this.limits.maxMessageSize) return this.fail(513, 'Message Too Large', head, true);
    if (this.total > this.limits.maxStreamBuffer) {
      return this.fail(513, `Message larger than the stream buffer of ${this.limits.maxStreamBuffer} bytes`, head, true);
    }
    return true;
  }

  /** Keeps the rest of a chunk for the current message, within the limits. */
  private hold(chunk: Buffer, pos: number): void {
    const part = chunk.subarray(pos);
    this.chunks.push(part);
    this.buffered += part.length;
    if (this.total < 0) {
      this.tail = part.length >= 3
        ? part.subarray(part.length - 3)
        : Buffer.concat([this.tail, part]).subarray(-3);
      if (this.buffered > this.limits.maxMessageSize) {
        this.fail(513, 'Message Too Large: header section not terminated', this.chunks[0]!, false);
      } else if (this.buffered > this.limits.maxStreamBuffer) {
        this.fail(513, `Stream buffer of ${this.limits.maxStreamBuffer} bytes exceeded`, this.chunks[0]!, false);
      }
    }
  }

  private fail(status: number, defect: string, bytes: Buffer, headComplete: boolean): false {
    this.failed = true;
    this.reset();
    this.sink.fail(status, defect, bytes, headComplete);
    return false;
  }

  private reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.total = -1;
    this.tail = EMPTY;
  }
}

/** The first blank line at or after `from`: where the body starts (`end`), or undefined. */
function earliest(data: Buffer, from: number): { end: number } | undefined {
  const crlf = data.indexOf(CRLFCRLF, from);
  const lf = data.indexOf(LFLF, from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf + 4 };
  if (lf >= 0) return { end: lf + 2 };
  return undefined;
}

/** Content-Length of a header section through the header's own grammar; undefined value when absent. */
function contentLength(head: Buffer): ParseResult<number | undefined> {
  const text = head.toString('latin1');
  const values: string[] = [];
  CONTENT_LENGTH.lastIndex = 0;
  for (let m = CONTENT_LENGTH.exec(text); m; m = CONTENT_LENGTH.exec(text)) {
    values.push(m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim());
  }
  return values.length ? ContentLengthHeader.parse(values) : { ok: true, value: undefined };
}
