import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The Digest computation itself (RFC 7616 §3.4.1-§3.4.4, RFC 2617 §3.2.2, RFC 2069), independent of SIP
 * and HTTP message types: it takes the method, the digest-uri and the parameters as strings, so the SIP
 * adapters (src/sip/auth) and the HTTP (XCAP) server compute the same values. Strings are hashed as UTF-8
 * (RFC 7616 §4). Hex output is lower case (RFC 7616 §3.2).
 */

/** The algorithms presenced computes, strongest first (RFC 7616 §3.7 order of preference). */
export type DigestAlgorithm = 'SHA-256' | 'MD5';

/** Every {@link DigestAlgorithm}, strongest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

const NODE_HASH: Record<DigestAlgorithm, string> = { 'SHA-256': 'sha256', MD5: 'md5' };
const HEX_LENGTH: Record<DigestAlgorithm, number> = { 'SHA-256': 64, MD5: 32 };

/** The quality of protection values this module computes (RFC 7616 §3.3). */
export type DigestQop = 'auth' | 'auth-int';

/** True for an `algorithm` name (registered spelling, see `canonicalAlgorithm`) this module computes. */
export function isDigestAlgorithm(name: string): name is DigestAlgorithm {
  return name === 'SHA-256' || name === 'MD5';
}

/** Length in hex digits of a digest of `algorithm`: 32 for MD5, 64 for SHA-256 (RFC 7616 §3.2). */
export function digestHexLength(algorithm: DigestAlgorithm): number {
  return HEX_LENGTH[algorithm];
}

/** H(data) of RFC 7616 §3.3: the algorithm's hash of `data` (strings as UTF-8), in lower-case hex. */
export function digestHash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  return createHash(NODE_HASH[algorithm]).update(data).digest('hex');
}

/**
 * H(A1) for the non-session algorithms: H(username ":" realm ":" password) (RFC 7616 §3.4.2). This is
 * what a user registry stores instead of the password (RFC 7616 §5.2).
 */
export function ha1(username: string, realm: string, password: string, algorithm: DigestAlgorithm): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

/** The hashed username sent with `userhash=true`: H(username ":" realm) (RFC 7616 §3.4.4). */
export function hashUsername(username: string, realm: string, algorithm: DigestAlgorithm): string {
  return digestHash(algorithm, `${username}:${realm}`);
}

/** What the request-digest covers. */
export interface DigestInput {
  algorithm: DigestAlgorithm;
  /** H(A1), lower-case hex (see {@link ha1}). */
  ha1: string;
  /** Request method, as in the request line. */
  method: string;
  /** The digest-uri exactly as written in the credentials. */
  uri: string;
  /** The server nonce, unquoted. */
  nonce: string;
  /** Absent for an RFC 2069 response (RFC 2617 §3.2.2.1 compatibility form). */
  qop?: DigestQop;
  /** nonce-count as sent (8 hex digits); required with qop. */
  nc?: string;
  /** Client nonce, unquoted; required with qop. */
  cnonce?: string;
  /** Entity body for qop=auth-int; an absent body counts as empty (RFC 3261 §22.4 item 7). */
  body?: Buffer;
}

/**
 * The request-digest (`response` parameter), lower-case hex:
 * with qop, KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)) (RFC 7616 §3.4.1);
 * without qop, KD(H(A1), nonce ":" H(A2)) (RFC 2617 §3.2.2.1, RFC 2069).
 * A2 = method ":" uri, and ":" H(body) for auth-int (RFC 7616 §3.4.3).
 * @throws Error when qop is given without nc or cnonce (a caller bug).
 */
export function requestDigest(input: DigestInput): string {
  const { algorithm, qop } = input;
  let a2 = `${input.method}:${input.uri}`;
  if (qop === 'auth-int') a2 += `:${digestHash(algorithm, input.body ?? Buffer.alloc(0))}`;
  const ha2 = digestHash(algorithm, a2);
  const ha1Hex = input.ha1.toLowerCase();
  if (qop === undefined) return digestHash(algorithm, `${ha1Hex}:${input.nonce}:${ha2}`);
  if (input.nc === undefined || input.cnonce === undefined) throw new Error('qop needs nc and cnonce');
  return digestHash(algorithm, `${ha1Hex}:${input.nonce}:${input.nc}:${input.cnonce}:${qop}:${ha2}`);
}

/**
 * Compares two hex digests in constant time for equal lengths (crypto.timingSafeEqual); case-insensitive.
 * Different lengths compare unequal at once (the length is not secret).
 */
export function digestEquals(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'latin1');
  const y = Buffer.from(b.toLowerCase(), 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}
