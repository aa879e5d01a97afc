import { digestChallenge, WWWAuthenticateHeader } from '../sip/parser/headers/authenticate.js';
import type { DigestChallenge } from '../sip/parser/headers/authenticate.js';
import { formatDigestCredentials } from '../sip/parser/headers/authorization.js';
import { DIGEST_ALGORITHMS, ha1, hashUsername, isDigestAlgorithm, requestDigest } from '../util/digest/digest.js';
import type { DigestAlgorithm, DigestQop } from '../util/digest/digest.js';
import { randomToken } from '../util/ids.js';

/**
 * A small XCAP (RFC 4825) client over node's fetch for the client tools (`presenced rules`): GET and
 * PUT of documents with HTTP Digest authentication (RFC 7616) answered from the user's password, and
 * the conditional headers that keep concurrent edits apart (RFC 4825 §7.11, RFC 9110 §13.1).
 */

/** The user's credentials; the password never leaves the process (only digests of it). */
export interface XcapCredentials {
  readonly username: string;
  readonly password: string;
}

/** An HTTP answer: status, headers and the whole body. */
export interface XcapResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Options of one request. */
export interface XcapRequestOptions {
  readonly body?: Buffer;
  readonly contentType?: string;
  /** e.g. `If-Match` with an entity tag, `If-None-Match: *`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The server could not be reached at all (connection refused, unknown host, reset); `code` as node gives it. */
export class XcapConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'XcapConnectionError';
  }
}

/** A Digest challenge this client can answer: a known algorithm and, when qop is offered, a known one. */
type Usable = DigestChallenge & { algorithm: DigestAlgorithm };

/** qop=auth when offered, else auth-int; undefined for an RFC 2069 challenge or only unknown values. */
function chooseQop(offered: readonly string[] | undefined): DigestQop | undefined {
  if (offered?.includes('auth')) return 'auth';
  if (offered?.includes('auth-int')) return 'auth-int';
  return undefined;
}

/**
 * The Digest challenge to answer among the WWW-Authenticate challenges of a 401 (`lines`, one element per
 * header line or all joined with commas): the one with the strongest algorithm this client computes
 * (RFC 7616 §3.7: SHA-256 over MD5). Undefined when none is usable (other schemes, unknown algorithms,
 * a qop list without auth or auth-int). A malformed line does not hide the others.
 */
export function pickChallenge(lines: readonly string[]): Usable | undefined {
  let best: Usable | undefined;
  for (const line of lines) {
    const parsed = WWWAuthenticateHeader.parse([line]);
    if (!parsed.ok) continue;
    for (const value of parsed.value) {
      const d = digestChallenge(value);
      if (!d.ok || !isDigestAlgorithm(d.value.algorithm)) continue;
      if (d.value.qop !== undefined && chooseQop(d.value.qop) === undefined) continue;
      const c = d.value as Usable;
      if (!best || DIGEST_ALGORITHMS.indexOf(c.algorithm) < DIGEST_ALGORITHMS.indexOf(best.algorithm)) best = c;
    }
  }
  return best;
}

/** What one Authorization value is computed from. */
export interface DigestAnswer {
  readonly challenge: Usable;
  readonly credentials: XcapCredentials;
  readonly method: string;
  /** The request-target exactly as sent (path and query): the digest-uri of HTTP (RFC 7616 §3.4.6). */
  readonly uri: string;
  /** nonce-count, 1 for the first use of a nonce. */
  readonly nc: number;
  /** Client nonce; random when absent. */
  readonly cnonce?: string;
  /** Request body, for qop=auth-int. */
  readonly body?: Buffer;
}

/** The Authorization header value answering `a.challenge` (RFC 7616 §3.4). */
export function digestAuthorization(a: DigestAnswer): string {
  const { challenge, credentials } = a;
  const qop = chooseQop(challenge.qop);
  const nc = a.nc.toString(16).padStart(8, '0');
  const cnonce = a.cnonce ?? randomToken(24);
  const response = requestDigest({
    algorithm: challenge.algorithm,
    ha1: ha1(credentials.username, challenge.realm, credentials.password, challenge.algorithm),
    method: a.method,
    uri: a.uri,
    nonce: challenge.nonce,
    ...(qop ? { qop, nc, cnonce, body: a.body ?? Buffer.alloc(0) } : {}),
  });
  return formatDigestCredentials({
    // RFC 7616 §3.4.4: with userhash=true the client sends H(username ":" realm).
    username: challenge.userhash ? hashUsername(credentials.username, challenge.realm, challenge.algorithm) : credentials.username,
    userhash: challenge.userhash,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: a.uri,
    response,
    algorithm: challenge.algorithm,
    // RFC 7616 §3.4: a qop offered MUST be answered with qop, nc and cnonce.
    ...(qop ? { qop, nc, cnonce } : {}),
    // RFC 7616 §3.4: opaque is returned unchanged.
    ...(challenge.opaque !== undefined ? { opaque: challenge.opaque } : {}),
  });
}

/** Largest nonce-count before a fresh challenge is needed (8 hex digits, RFC 7616 §3.4). */
const MAX_NC = 0xffffffff;

/**
 * An XCAP client bound to one server (`base`, e.g. `http://127.0.0.1:8080`). With credentials it
 * answers a 401 once per request with Digest, then reuses the challenge for later requests
 * (RFC 7616 §3.6, nonce-count incremented) until the server challenges again.
 */
export class XcapClient {
  private session: { challenge: Usable; nc: number } | undefined;

  constructor(
    private readonly base: URL,
    private readonly credentials?: XcapCredentials,
  ) {}

  /**
   * Sends `method path` (path and query, percent-encoded as it is to be sent) and reads the whole answer.
   * @throws XcapConnectionError when the server cannot be reached.
   */
  async request(method: string, path: string, o: XcapRequestOptions = {}): Promise<XcapResponse> {
    const url = new URL(path, this.base);
    const target = url.pathname + url.search;
    let res = await this.send(url, method, o, this.nextAuthorization(method, target, o.body));
    if (res.status === 401 && this.credentials) {
      const challenge = pickChallenge(res.headers.get('www-authenticate') === null ? [] : [res.headers.get('www-authenticate')!]);
      // Credentials just refused for this nonce are not sent again unless the nonce was stale (RFC 7616 §3.6).
      const refusedFresh = this.session && challenge && !challenge.stale && this.session.challenge.nonce === challenge.nonce;
      if (challenge && !refusedFresh) {
        this.session = { challenge, nc: 0 };
        res = await this.send(url, method, o, this.nextAuthorization(method, target, o.body));
      }
    }
    return res;
  }

  private nextAuthorization(method: string, uri: string, body: Buffer | undefined): string | undefined {
    if (!this.session || !this.credentials || this.session.nc >= MAX_NC) return undefined;
    this.session.nc++;
    return digestAuthorization({ challenge: this.session.challenge, credentials: this.credentials, method, uri, nc: this.session.nc, ...(body ? { body } : {}) });
  }

  private async send(url: URL, method: string, o: XcapRequestOptions, authorization: string | undefined): Promise<XcapResponse> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.contentType !== undefined) headers['content-type'] = o.contentType;
    if (authorization !== undefined) headers.authorization = authorization;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(o.body ? { body: o.body } : {}), redirect: 'manual' });
    } catch (e) {
      const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
      throw new XcapConnectionError(`cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, cause?.code);
    }
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }
}
