import { randomBytes } from 'node:crypto';
import type { Clock } from '../../util/clock.js';
import { silentLogger } from '../../util/logger.js';
import type { Logger } from '../../util/logger.js';
import type { SipRequest } from '../message/message.js';
import { formatDigestChallenge } from '../parser/headers/authenticate.js';
import type { AuthValue } from '../parser/headers/authenticate.js';
import { AuthorizationHeader, ProxyAuthorizationHeader, digestCredentials } from '../parser/headers/authorization.js';
import type { DigestCredentials } from '../parser/headers/authorization.js';
import { DIGEST_ALGORITHMS, digestEquals, digestHexLength, isDigestAlgorithm, requestDigest } from '../../util/digest/digest.js';
import type { DigestAlgorithm } from '../../util/digest/digest.js';
import { NonceCounts } from '../../util/digest/nonce-counts.js';
import { NonceIssuer } from '../../util/digest/nonce.js';
import { sameRequestUri } from './uri-match.js';

/**
 * Server side of SIP Digest authentication (RFC 3261 §22, RFC 7616, RFC 2617): challenges with
 * stateless signed nonces and verifies credentials against a store of H(A1) values.
 *
 * Outcomes (RFC 3261 §22.1-§22.4, RFC 7616 §3.3-§3.4):
 * - no Digest credentials for this realm (none at all, other realms, other schemes, Basic): challenge,
 *   401 with WWW-Authenticate (407 with Proxy-Authenticate for a proxy);
 * - malformed credentials, an algorithm or qop that was not offered, a response of the wrong length,
 *   or a digest-uri that does not designate the Request-URI: 400 naming the defect (RFC 7616 §3.4,
 *   §3.4.6);
 * - unknown user or wrong response: challenge again with stale=false, like Kamailio's and Asterisk's
 *   usual configurations; RFC 3261 §22.1 allows either this or 403, which `onBadCredentials: 'forbidden'`
 *   selects (FreeSWITCH's behaviour). An unknown user and a wrong password are indistinguishable;
 * - a correct response over an expired or unknown nonce (e.g. after a secret change), or a replayed or
 *   out-of-order nonce-count: challenge with stale=true, so the client retries without asking the user
 *   (RFC 7616 §3.3: stale only when the digest itself was valid).
 *
 * An RFC 2069 response (MD5 without qop, accepted for RFC 2543 clients per RFC 3261 §22.4) has no
 * nonce-count, so it can be replayed until its nonce expires; qop=auth responses cannot.
 *
 * RFC 3261 §22.1: callers MUST NOT challenge ACK or CANCEL, so they do not call {@link verify} for them.
 */

/** The outcome of {@link DigestAuthenticator.verify}. */
export type AuthResult =
  | { ok: true; username: string; realm: string; algorithm: DigestAlgorithm }
  | {
      ok: false;
      /** 401/407: challenge (`headers` holds it); 400: malformed credentials; 403: rejected credentials. */
      status: 400 | 401 | 403 | 407;
      /** Reason phrase naming the cause, e.g. `Bad Authorization header: missing nonce` or `Stale nonce`. */
      reason: string;
      /** True when the challenge carries stale=true. */
      stale?: boolean;
      /** Header lines for the response: the challenges of a 401/407, empty otherwise. */
      headers: Array<[string, string]>;
    };

/** What the request-digest covers of a request; protocol-independent (SIP here, HTTP for XCAP). */
export interface DigestRequest {
  /** Request method as in the request line. */
  method: string;
  /** Request-URI (SIP) or request-target (HTTP) as in the request line. */
  uri: string;
}

/** Options of {@link DigestAuthenticator}. */
export interface DigestAuthenticatorOptions {
  /** Protection domain (RFC 3261 §22.1: globally unique, containing a host or domain name). */
  realm: string;
  /** Key of the stateless nonces, at least 16 bytes; servers sharing it accept each other's nonces. */
  secret: Buffer;
  /** Nonce lifetime in seconds (default 300); older nonces get a stale challenge. */
  nonceTtlSeconds?: number;
  /** Algorithms offered, one challenge each, most preferred first (default SHA-256 then MD5, RFC 7616 §3.7). */
  algorithms?: readonly DigestAlgorithm[];
  clock: Clock;
  /**
   * H(A1) = H(username ":" realm ":" password) in lower-case hex for `algorithm` (see `ha1`), or
   * undefined for an unknown user. Never the password. A rejection propagates out of `verify`.
   */
  lookupHa1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined>;
  /** Answer to an unknown user or a wrong response: `'challenge'` (401/407, default) or `'forbidden'` (403). */
  onBadCredentials?: 'challenge' | 'forbidden';
  /**
   * Whether the credentials' digest-uri designates the Request-URI (default: equal text or RFC 3261
   * §19.1.4 equivalence). `false` turns the check off, which RFC 3261 §22.4 item 6 allows where a proxy
   * retargets requests before they reach this server.
   */
  matchDigestUri?: ((digestUri: string, requestUri: string) => boolean) | false;
  /** Most nonces whose nonce-count is tracked at once (default 100,000; about 150 bytes each). */
  maxTrackedNonces?: number;
  /** Where failed logins are reported (RFC 7616 §3.4: a login failure SHOULD be logged). */
  logger?: Logger;
}

type Failure = Extract<AuthResult, { ok: false }>;

/**
 * Server side of Digest authentication (RFC 3261 §22, RFC 7616): issues 401/407 challenges with
 * stateless signed nonces and verifies credentials (`verify` for SIP requests, `verifyCredentials` for
 * any protocol, e.g. HTTP for XCAP), with expiry (stale=true) and nonce-count replay protection.
 */
export class DigestAuthenticator {
  readonly realm: string;
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly nonces: NonceIssuer;
  private readonly counts: NonceCounts;
  private readonly clock: Clock;
  private readonly lookupHa1: DigestAuthenticatorOptions['lookupHa1'];
  private readonly forbidBadCredentials: boolean;
  private readonly matchDigestUri: ((digestUri: string, requestUri: string) => boolean) | false;
  private readonly logger: Logger;

  /** @throws Error on an empty or unknown algorithm list, a short secret or a non-positive lifetime. */
  constructor(opts: DigestAuthenticatorOptions) {
    const algorithms = opts.algorithms ?? DIGEST_ALGORITHMS;
    if (!algorithms.length || algorithms.some((a) => !isDigestAlgorithm(a))) throw new Error('bad digest algorithm list');
    // RFC 7616 §3.7: each challenge of one response MUST use a different algorithm.
    if (new Set(algorithms).size !== algorithms.length) throw new Error('digest algorithms must differ');
    const ttlMs = (opts.nonceTtlSeconds ?? 300) * 1000;
    this.realm = opts.realm;
    this.algorithms = [...algorithms];
    this.nonces = new NonceIssuer({ secret: opts.secret, realm: opts.realm, ttlMs, clock: opts.clock });
    this.counts = new NonceCounts({ maxEntries: opts.maxTrackedNonces ?? 100_000, bucketMs: Math.max(1000, ttlMs / 16) });
    this.clock = opts.clock;
    this.lookupHa1 = opts.lookupHa1;
    this.forbidBadCredentials = opts.onBadCredentials === 'forbidden';
    this.matchDigestUri = opts.matchDigestUri ?? sameRequestUri;
    this.logger = opts.logger ?? silentLogger;
  }

  /**
   * The challenge lines for a 401 (`WWW-Authenticate`) or, with `proxy`, a 407 (`Proxy-Authenticate`):
   * one per offered algorithm in order of preference (RFC 7616 §3.7), sharing one fresh nonce, each
   * with qop="auth" (RFC 3261 §22.4 item 8: servers MUST always send qop) and stale=true when asked.
   */
  challenge(opts: { stale?: boolean; proxy?: boolean } = {}): Array<[string, string]> {
    const name = opts.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const nonce = this.nonces.issue();
    return this.algorithms.map((algorithm) => [
      name,
      formatDigestChallenge({ realm: this.realm, nonce, algorithm, qop: ['auth'], stale: opts.stale === true, userhash: false }),
    ]);
  }

  /**
   * Verifies the request's Authorization (or, with `proxy`, Proxy-Authorization) credentials for this
   * realm; see the class description for the outcomes. Credentials of other realms are left alone
   * (RFC 3261 §22.3: MUST NOT be consumed by a proxy of another realm).
   */
  async verify(req: SipRequest, opts: { proxy?: boolean } = {}): Promise<AuthResult> {
    const grammar = opts.proxy ? ProxyAuthorizationHeader : AuthorizationHeader;
    const parsed = req.tryHeader(grammar);
    if (!parsed.ok) return this.malformed(grammar.name, parsed.defect);
    return this.verifyCredentials({ method: req.method, uri: req.uri }, parsed.value ?? [], opts);
  }

  /**
   * The protocol-independent part of {@link verify}: checks parsed credentials values against a request.
   * When several Digest credentials name this realm (RFC 3261 §22.3), the first that verifies wins;
   * otherwise the outcome of the first is returned.
   */
  async verifyCredentials(req: DigestRequest, values: readonly AuthValue[], opts: { proxy?: boolean } = {}): Promise<AuthResult> {
    const proxy = opts.proxy === true;
    const mine = values.filter((v) => v.scheme.toLowerCase() === 'digest' && v.params.get('realm') === this.realm);
    if (!mine.length) return this.challengeResult(proxy, false, proxy ? 'Proxy Authentication Required' : 'Unauthorized');
    let first: AuthResult | undefined;
    for (const v of mine) {
      const r = await this.check(req, v, proxy);
      if (r.ok) return r;
      first ??= r;
    }
    return first!;
  }

  private async check(req: DigestRequest, value: AuthValue, proxy: boolean): Promise<AuthResult> {
    const header = proxy ? 'Proxy-Authorization' : 'Authorization';
    const parsed = digestCredentials(value);
    if (!parsed.ok) return this.malformed(header, parsed.defect);
    const c = parsed.value;
    const defect = this.offerDefect(c) ?? this.uriDefect(c, req);
    if (defect) return this.malformed(header, defect);
    const algorithm = c.algorithm as DigestAlgorithm;
    const nonce = this.nonces.check(c.nonce);
    const stored = await this.lookupHa1(c.username, this.realm, algorithm);
    // An unknown user costs the same digest computation as a known one.
    const expected = requestDigest({
      algorithm,
      ha1: stored ?? DUMMY_HA1,
      method: req.method,
      uri: c.uri,
      nonce: c.nonce,
      ...(c.qop === 'auth' ? { qop: 'auth' as const, nc: c.nc!, cnonce: c.cnonce! } : {}),
    });
    // Constant-time comparison of the responses.
    if (!digestEquals(expected, c.response) || stored === undefined) {
      this.logger.info(
        { realm: this.realm, ...(stored !== undefined ? { username: c.username } : {}), algorithm },
        stored === undefined ? 'digest login failed: unknown user' : 'digest login failed: wrong response',
      );
      if (this.forbidBadCredentials) return { ok: false, status: 403, reason: 'Forbidden', headers: [] };
      return this.challengeResult(proxy, false, 'Invalid credentials');
    }
    // RFC 7616 §3.3: stale=true only for a request whose nonce is invalid but whose digest is valid.
    if (nonce.kind !== 'fresh') return this.challengeResult(proxy, true, 'Stale nonce');
    if (c.qop !== undefined) {
      // RFC 7616 §3.4 nc: a count seen before means a replay. Counted only once the digest verified,
      // so unauthenticated requests cannot advance it.
      const nc = parseInt(c.nc!, 16);
      if (!this.counts.advance(`${c.nonce}\n${c.username}`, nc, nonce.issuedAt, nonce.expiresAt, this.clock.now())) {
        this.logger.warn({ realm: this.realm, username: c.username, nc: c.nc }, 'digest nonce-count replayed');
        return this.challengeResult(proxy, true, 'Nonce count replayed');
      }
    }
    return { ok: true, username: c.username, realm: this.realm, algorithm };
  }

  /** Defects of credentials that ask for something this server did not offer. */
  private offerDefect(c: DigestCredentials): string | undefined {
    const algorithm = c.algorithm;
    if (!isDigestAlgorithm(algorithm) || !this.algorithms.includes(algorithm)) return `algorithm ${algorithm} was not offered`;
    const hex = digestHexLength(algorithm);
    if (c.response.length !== hex) return `response is not ${hex} hex digits for ${algorithm}`;
    // RFC 7616 §3.4: qop MUST be one of the offered values (we offer only auth).
    if (c.qop !== undefined && c.qop !== 'auth') return `qop ${c.qop} was not offered`;
    // RFC 3261 §22.4: the RFC 2069 form without qop stays acceptable for compatibility with RFC 2543,
    // which only knew MD5; RFC 7616 §3.4 makes qop mandatory for everything newer.
    if (c.qop === undefined && algorithm !== 'MD5') return `missing qop for ${algorithm}`;
    if (c.userhash) return 'userhash was not offered';
    return undefined;
  }

  /** RFC 7616 §3.4.6 / RFC 2617 §3.2.2.5: uri must designate the Request-URI, else 400. */
  private uriDefect(c: DigestCredentials, req: DigestRequest): string | undefined {
    if (this.matchDigestUri === false || this.matchDigestUri(c.uri, req.uri)) return undefined;
    this.logger.warn({ realm: this.realm, uri: c.uri, requestUri: req.uri }, 'digest-uri does not match the Request-URI');
    return 'uri does not match the Request-URI';
  }

  private malformed(header: string, defect: string): Failure {
    return { ok: false, status: 400, reason: `Bad ${header} header: ${defect}`, headers: [] };
  }

  private challengeResult(proxy: boolean, stale: boolean, reason: string): Failure {
    const r: Failure = { ok: false, status: proxy ? 407 : 401, reason, headers: this.challenge({ stale, proxy }) };
    if (stale) r.stale = true;
    return r;
  }
}

/** Stands in for H(A1) of an unknown user; random, so it matches no response. */
const DUMMY_HA1 = randomBytes(32).toString('hex');
