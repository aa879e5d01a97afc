import { HeaderList } from './headers.js';
import type { HeaderGrammar, ParseResult } from './headers.js';
import { SipError } from './sip-error.js';
import type { Uri } from './types.js';
import { parseUri } from '../parser/uri.js';

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

/** A SIP request. `uri` is the Request-URI text as received; {@link SipRequest.requestUri} parses it. */
export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  // The parsed Request-URI and the text it was parsed from (a changed `uri` is parsed again).
  private parsedUri: { text: string; result: ParseResult<Uri> } | undefined = undefined;

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

  /**
   * The Request-URI parsed with the URI grammar (RFC 3261 §19.1, §25.1; any other scheme as RFC 3986
   * text), or its defect; cached until `uri` changes. The parser fills it while it checks the
   * Request-URI, so the UAS core does not parse it again. The value is shared: do not mutate it.
   */
  get requestUri(): ParseResult<Uri> {
    const cached = this.parsedUri;
    if (cached !== undefined && cached.text === this.uri) return cached.result;
    const result = parseUri(this.uri);
    this.parsedUri = { text: this.uri, result };
    return result;
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
