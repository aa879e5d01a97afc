import { HeaderList } from './headers.js';
import type { HeaderGrammar, ParseResult } from './headers.js';
import { SipError } from './sip-error.js';

/**
 * The SIP message model (RFC 3261 §7). Header fields are kept as raw text in a {@link HeaderList} and
 * parsed lazily through grammars; the body is kept as bytes (decoding is the receiver's business).
 */
abstract class SipMessageBase {
  /** SIP version of the start line, normally `SIP/2.0`. */
  version = 'SIP/2.0';
  /** Body bytes (empty Buffer when there is none). */
  body: Buffer;

  constructor(
    readonly headers: HeaderList,
    body: Buffer = EMPTY,
  ) {
    this.body = body;
  }

  /**
   * The parsed value of a header, or undefined when the header is absent.
   * @throws SipError 400 `Bad <Header> header: <defect>` when its text does not match the grammar.
   */
  header<T>(grammar: HeaderGrammar<T>): T | undefined {
    const r = this.headers.parse(grammar);
    if (!r.ok) throw new SipError(400, `Bad ${grammar.name} header: ${r.defect}`);
    return r.value;
  }

  /**
   * The parsed value of a header that must be present.
   * @throws SipError 400 `Missing <Header> header` or `Bad <Header> header: <defect>`.
   */
  required<T>(grammar: HeaderGrammar<T>): T {
    const v = this.header(grammar);
    if (v === undefined) throw new SipError(400, `Missing ${grammar.name} header`);
    return v;
  }

  /** Like {@link header} but returns the parse result instead of throwing. */
  tryHeader<T>(grammar: HeaderGrammar<T>): ParseResult<T | undefined> {
    return this.headers.parse(grammar);
  }
}

const EMPTY = Buffer.alloc(0);

/** A SIP request. `uri` is the Request-URI text as received (parse it with the URI grammar on demand). */
export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;

  constructor(
    /** Method, case-sensitive (RFC 3261 §7.1), e.g. `SUBSCRIBE`. */
    public method: string,
    /** Request-URI text. */
    public uri: string,
    headers: HeaderList = new HeaderList(),
    body?: Buffer,
  ) {
    super(headers, body);
  }

  /** A copy with its own header list and the same body bytes. */
  clone(): SipRequest {
    const c = new SipRequest(this.method, this.uri, this.headers.clone(), this.body);
    c.version = this.version;
    return c;
  }
}

/** A SIP response. */
export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;

  constructor(
    /** Status code, 100-699. */
    public status: number,
    /** Reason phrase. */
    public reason: string,
    headers: HeaderList = new HeaderList(),
    body?: Buffer,
  ) {
    super(headers, body);
  }

  clone(): SipResponse {
    const c = new SipResponse(this.status, this.reason, this.headers.clone(), this.body);
    c.version = this.version;
    return c;
  }
}

/** A SIP request or response. */
export type SipMessage = SipRequest | SipResponse;
