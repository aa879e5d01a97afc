import type { ParseResult } from '../../message/headers.js';
import { authValueList, canonicalAlgorithm, formatAuthValue } from './authenticate.js';
import type { AuthValue, QuotingRules } from './authenticate.js';

/**
 * Credentials (RFC 3261 §20.7, §20.28, §22, §25.1; RFC 7616 §3.4): Authorization and
 * Proxy-Authorization. RFC 3261 §7.3.1 forbids combining these lines, but values sharing a line are
 * still read one by one (same grammar as the challenges).
 */

/** Authorization (RFC 3261 §20.7): every credentials value of every line, in order. */
export const AuthorizationHeader = authValueList('Authorization');

/** Proxy-Authorization (RFC 3261 §20.28): every credentials value of every line, in order. */
export const ProxyAuthorizationHeader = authValueList('Proxy-Authorization');

/** Digest credentials with their known parameters (RFC 7616 §3.4; RFC 3261 §25.1 dig-resp). */
export interface DigestCredentials {
  /** The user name: `username`, or `username*` decoded (RFC 7616 §3.4, RFC 5987); a hash with `userhash`. */
  username: string;
  /** `userhash=true`: `username` is H(username ":" realm) (RFC 7616 §3.4.4). */
  userhash: boolean;
  realm: string;
  nonce: string;
  /** digest-uri, exactly as sent (the digest covers this text). */
  uri: string;
  /** request-digest, lower-cased hex. */
  response: string;
  /** Registered spelling (`MD5`, `SHA-256`, …); `MD5` when absent (RFC 7616 §3.3). */
  algorithm: string;
  /** message-qop, lower-cased; undefined for an RFC 2069 response. */
  qop?: string;
  /** nonce-count: exactly 8 hex digits as sent (the digest covers this text); present with qop. */
  nc?: string;
  /** cnonce; present with qop. */
  cnonce?: string;
  opaque?: string;
}

/** Decodes an RFC 5987 ext-value `charset'lang'pct-encoded`; only UTF-8 (RFC 7616 §4). */
function decodeExtValue(v: string): string | undefined {
  const m = /^([A-Za-z0-9!#$&+\-^_`{}~]+)'[A-Za-z0-9-]*'((?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-Fa-f]{2})*)$/.exec(v);
  if (!m || m[1]!.toLowerCase() !== 'utf-8') return undefined;
  try {
    return decodeURIComponent(m[2]!);
  } catch {
    return undefined;
  }
}

/**
 * The Digest view of credentials, checking the parameter rules of RFC 7616 §3.4 and RFC 3261 §25.1.
 * Fails, naming the defect, when the scheme is not Digest, username (or username*), realm, nonce, uri
 * or response is missing, username and username* are both present, response is not hex, nc is not
 * 8 hex digits, or qop comes without nc and cnonce (or nc/cnonce without qop).
 */
export function digestCredentials(v: AuthValue): ParseResult<DigestCredentials> {
  const fail = (defect: string): ParseResult<DigestCredentials> => ({ ok: false, defect });
  if (v.scheme.toLowerCase() !== 'digest') return fail(`scheme ${v.scheme} is not Digest`);
  if (v.token68 !== undefined) return fail('token68 instead of Digest parameters');
  const p = v.params;
  const plain = p.get('username');
  const ext = p.get('username*');
  // RFC 7616 §3.4: sending both username and username* MUST be treated as an error.
  if (plain !== undefined && ext !== undefined) return fail('both username and username* present');
  let username = plain;
  if (ext !== undefined) {
    username = decodeExtValue(ext);
    if (username === undefined) return fail('username* is not a UTF-8 ext-value');
  }
  if (username === undefined) return fail('missing username');
  for (const name of ['realm', 'nonce', 'uri', 'response']) {
    if (!p.has(name)) return fail(`missing ${name}`);
  }
  const response = p.get('response')!;
  if (!/^[0-9a-fA-F]+$/.test(response)) return fail('response is not hexadecimal');
  const userhash = p.get('userhash')?.toLowerCase();
  if (userhash !== undefined && userhash !== 'true' && userhash !== 'false') return fail('userhash is not true or false');
  const c: DigestCredentials = {
    username,
    userhash: userhash === 'true',
    realm: p.get('realm')!,
    nonce: p.get('nonce')!,
    uri: p.get('uri')!,
    response: response.toLowerCase(),
    algorithm: canonicalAlgorithm(p.get('algorithm') ?? 'MD5'),
  };
  const qop = p.get('qop');
  const nc = p.get('nc');
  const cnonce = p.get('cnonce');
  if (qop !== undefined) {
    c.qop = qop.toLowerCase();
    // RFC 7616 §3.4 / RFC 2617 §3.2.2: with qop, cnonce and nc MUST be sent.
    if (cnonce === undefined) return fail('qop without cnonce');
    if (nc === undefined) return fail('qop without nc');
    // RFC 3261 §25.1 nc-value = 8LHEX (RFC 7616 §3.5: exactly 8 hex digits).
    if (!/^[0-9a-fA-F]{8}$/.test(nc)) return fail('nc is not 8 hexadecimal digits');
    c.nc = nc;
    c.cnonce = cnonce;
  } else if (cnonce !== undefined || nc !== undefined) {
    // RFC 3261 §22.4 item 8 / RFC 2617 §3.2.2: no cnonce (nor nc) without qop.
    return fail(`${cnonce !== undefined ? 'cnonce' : 'nc'} without qop`);
  }
  const opaque = p.get('opaque');
  if (opaque !== undefined) c.opaque = opaque;
  return { ok: true, value: c };
}

// RFC 7616 §3.4: username, realm, nonce, uri, response, cnonce, opaque only quoted; algorithm, qop, nc
// never. RFC 3261 §22.4 item 2: uri MUST be quoted.
const CREDENTIALS_QUOTING: QuotingRules = {
  quoted: new Set(['username', 'realm', 'nonce', 'uri', 'response', 'cnonce', 'opaque']),
  bare: new Set(['algorithm', 'qop', 'nc', 'userhash']),
};

/** Writes one credentials value for an Authorization or Proxy-Authorization line (RFC 7616 §3.4 quoting). */
export function formatCredentials(v: AuthValue): string {
  return formatAuthValue(v, CREDENTIALS_QUOTING);
}

/**
 * Writes Digest credentials: username, realm, nonce, uri, response, algorithm, then qop, nc, cnonce,
 * opaque and userhash (only when true), quoted per RFC 7616 §3.4.
 */
export function formatDigestCredentials(c: DigestCredentials): string {
  const params = new Map<string, string>([
    ['username', c.username],
    ['realm', c.realm],
    ['nonce', c.nonce],
    ['uri', c.uri],
    ['response', c.response],
    ['algorithm', c.algorithm],
  ]);
  if (c.qop !== undefined) params.set('qop', c.qop);
  if (c.nc !== undefined) params.set('nc', c.nc);
  if (c.cnonce !== undefined) params.set('cnonce', c.cnonce);
  if (c.opaque !== undefined) params.set('opaque', c.opaque);
  if (c.userhash) params.set('userhash', 'true');
  return formatCredentials({ scheme: 'Digest', params });
}
