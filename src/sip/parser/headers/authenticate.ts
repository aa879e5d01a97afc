import type { HeaderGrammar, ParseResult } from '../../message/headers.js';
import { isToken, isTokenChar, parseList, quote, runEach, unquote } from '../scanner.js';
import type { Scanner } from '../scanner.js';

/**
 * Challenges and the shared auth-param grammar (RFC 3261 §20.27, §20.44, §22, §25.1; RFC 7235 §2.1;
 * RFC 7616 §3.3, §3.5): WWW-Authenticate, Proxy-Authenticate and Authentication-Info. The credentials
 * headers (Authorization, Proxy-Authorization) in `authorization.ts` reuse {@link authValueList}.
 */

/**
 * One challenge or one set of credentials: `auth-scheme [ 1*SP ( token68 / auth-param *(COMMA auth-param) ) ]`.
 * RFC 3261 writes one per header line; HTTP (RFC 7235 §4.1) also lets several share a line, which the
 * grammar accepts.
 */
export interface AuthValue {
  /** auth-scheme as written, e.g. `Digest`; schemes compare case-insensitively (RFC 7235 §2.1). */
  scheme: string;
  /** A token68 (RFC 7235 §2.1, e.g. Basic credentials) in place of parameters; absent for Digest. */
  token68?: string;
  /** auth-params in wire order: lower-cased name to value, quoted-strings unquoted (quoted-pairs removed). */
  params: Map<string, string>;
}

/** Which parameters a sender writes as quoted-string and which as bare tokens (RFC 7616 §3.3-§3.5). */
export interface QuotingRules {
  quoted: ReadonlySet<string>;
  bare: ReadonlySet<string>;
}

// RFC 7616 §3.3: realm, domain, nonce, opaque and qop only as quoted-string; stale and algorithm never
// (charset and userhash bare too, as in the RFC 7616 §3.9.2 example).
const CHALLENGE_QUOTING: QuotingRules = {
  quoted: new Set(['realm', 'domain', 'nonce', 'opaque', 'qop']),
  bare: new Set(['stale', 'algorithm', 'charset', 'userhash']),
};

const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * True when the text at the cursor is `token *LWS "="`: an auth-param rather than a new scheme. With
 * `withValue`, a value must follow the `=` as well, which tells a parameter from a token68 ending in `=`
 * padding (`abc==`).
 */
function paramAhead(s: Scanner, withValue = false): boolean {
  let i = s.pos;
  const t = s.text;
  while (i < t.length && isTokenChar(t.charCodeAt(i))) i++;
  if (i === s.pos) return false;
  while (t[i] === ' ' || t[i] === '\t') i++;
  if (t[i] !== '=') return false;
  if (!withValue) return true;
  i++;
  while (t[i] === ' ' || t[i] === '\t') i++;
  return i < t.length && t[i] !== '=' && t[i] !== ',';
}

/** A token68 at the cursor when it stands alone (followed by the end or a comma), else undefined. */
function token68(s: Scanner): string | undefined {
  const t = s.text;
  let i = s.pos;
  while (i < t.length && TOKEN68_CHAR.test(t[i]!)) i++;
  if (i === s.pos) return undefined;
  while (t[i] === '=') i++;
  let j = i;
  while (t[j] === ' ' || t[j] === '\t') j++;
  if (j < t.length && t[j] !== ',') return undefined;
  const value = t.slice(s.pos, i);
  s.pos = i;
  return value;
}

/** Skips white space and empty list elements (RFC 7230 §7 `#rule` lets a recipient ignore them). */
function skipEmpty(s: Scanner): void {
  s.ws();
  while (s.eat(',')) s.ws();
}

/** One `name = ( token / quoted-string )`, added to `into`; a repeated name is a defect (RFC 7235 §2.1). */
function scanAuthParam(s: Scanner, into: Map<string, string>, what: string): void {
  const name = s.token(`auth-param name in ${what}`).toLowerCase();
  s.expect('=', `after auth-param '${name}' in ${what}`);
  let value: string;
  if (s.peek() === '"') value = unquote(s.quoted(`value of '${name}' in ${what}`));
  else {
    // Lenient: token, or any unquoted run up to a comma or white space (e.g. an unquoted base64 nonce).
    value = s.until(', \t"');
    if (!value.length) s.fail(`empty value of '${name}' in ${what}`);
  }
  if (into.has(name)) s.fail(`duplicate parameter '${name}' in ${what}`);
  into.set(name, value);
}

/**
 * Reads every challenge or credentials value of one header line. A comma separates parameters and
 * values alike: a new value starts where a list element is a token not followed by `=` (the scheme),
 * as in `Digest realm="a", nonce="n", Digest realm="b", nonce="m"`.
 */
export function scanAuthValues(s: Scanner, what: string): AuthValue[] {
  const out: AuthValue[] = [];
  skipEmpty(s);
  while (!s.eof) {
    const scheme = s.token(`auth-scheme in ${what}`);
    const c = s.peek();
    if (c !== '' && c !== ' ' && c !== '\t' && c !== ',') s.fail(`expected white space after auth-scheme in ${what}`);
    const value: AuthValue = { scheme, params: new Map() };
    out.push(value);
    s.ws();
    if (!s.eof && s.peek() !== ',' && !paramAhead(s, true)) {
      const t68 = token68(s);
      if (t68 === undefined) s.fail(`expected auth-param or token68 after '${scheme}' in ${what}`);
      value.token68 = t68;
    }
    for (;;) {
      s.ws();
      if (s.eof) break;
      if (value.token68 === undefined && paramAhead(s)) {
        scanAuthParam(s, value.params, what);
        s.ws();
        if (s.eof) break;
      }
      if (!s.eat(',')) s.fail(`unexpected '${s.text.slice(s.pos, s.pos + 16)}' in ${what}`);
      skipEmpty(s);
      if (!paramAhead(s)) break;
      if (value.token68 !== undefined) s.fail(`auth-param after token68 in ${what}`);
    }
  }
  return out;
}

/**
 * The grammar of a header carrying challenges or credentials: every value of every line, in order.
 * Shared with `authorization.ts`.
 */
export function authValueList(name: string): HeaderGrammar<AuthValue[]> {
  return {
    name,
    parse(values) {
      const r = runEach(values, (s) => scanAuthValues(s, name));
      if (!r.ok) return r;
      const all = r.value.flat();
      if (!all.length) return { ok: false, defect: `empty ${name}` };
      return { ok: true, value: all };
    },
  };
}

/** WWW-Authenticate (RFC 3261 §20.44, RFC 7235 §4.1): every challenge of every line, in order. */
export const WWWAuthenticateHeader = authValueList('WWW-Authenticate');

/** Proxy-Authenticate (RFC 3261 §20.27, RFC 7235 §4.3): every challenge of every line, in order. */
export const ProxyAuthenticateHeader = authValueList('Proxy-Authenticate');

/**
 * Authentication-Info (RFC 3261 §20.6, RFC 7616 §3.5): `ainfo *(COMMA ainfo)`, an auth-param list
 * without a scheme; the lines are one list. Names lower-cased, values unquoted; a repeated name is a defect.
 */
export const AuthenticationInfoHeader: HeaderGrammar<Map<string, string>> = {
  name: 'Authentication-Info',
  parse(values) {
    const params = new Map<string, string>();
    const r = parseList(values, (s) => scanAuthParam(s, params, 'Authentication-Info'), 'Authentication-Info');
    return r.ok ? { ok: true, value: params } : r;
  },
};

/** The `algorithm` names of RFC 7616 §6.1 in their registered spelling, keyed by lower case. */
const ALGORITHM_NAMES = new Map(
  ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'SHA-512-256-sess'].map((a) => [a.toLowerCase(), a]),
);

/** An `algorithm` value in its registered spelling (`md5` → `MD5`); unknown names are returned as given. */
export function canonicalAlgorithm(name: string): string {
  return ALGORITHM_NAMES.get(name.toLowerCase()) ?? name;
}

/** A Digest challenge with its known parameters (RFC 7616 §3.3; RFC 3261 §25.1 digest-cln). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** Registered spelling (see {@link canonicalAlgorithm}); `MD5` when absent (RFC 7616 §3.3). */
  algorithm: string;
  /** qop-options, lower-cased; undefined for an RFC 2069 challenge without qop. */
  qop?: string[];
  opaque?: string;
  /** True only for `stale=true` (case-insensitive); anything else is false (RFC 7616 §3.3). */
  stale: boolean;
  /** The space-separated URIs of `domain`, when present. */
  domain?: string[];
  /** `userhash=true`: the server wants the username hashed (RFC 7616 §3.4.4). */
  userhash: boolean;
  /** `charset`, e.g. `UTF-8`, when present. */
  charset?: string;
}

/**
 * The Digest view of a challenge. Fails when the scheme is not Digest or realm or nonce is missing.
 * Unknown parameters are ignored (RFC 7616 §3.3: unrecognised qop options too, they stay in `qop`).
 */
export function digestChallenge(v: AuthValue): ParseResult<DigestChallenge> {
  if (v.scheme.toLowerCase() !== 'digest') return { ok: false, defect: `scheme ${v.scheme} is not Digest` };
  if (v.token68 !== undefined) return { ok: false, defect: 'token68 instead of Digest parameters' };
  const p = v.params;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined) return { ok: false, defect: 'missing realm' };
  if (nonce === undefined) return { ok: false, defect: 'missing nonce' };
  const c: DigestChallenge = {
    realm,
    nonce,
    algorithm: canonicalAlgorithm(p.get('algorithm') ?? 'MD5'),
    stale: p.get('stale')?.toLowerCase() === 'true',
    userhash: p.get('userhash')?.toLowerCase() === 'true',
  };
  const qop = p.get('qop');
  if (qop !== undefined) c.qop = qop.split(',').map((q) => q.trim().toLowerCase()).filter((q) => q.length);
  const opaque = p.get('opaque');
  if (opaque !== undefined) c.opaque = opaque;
  const domain = p.get('domain');
  if (domain !== undefined) c.domain = domain.split(/[ \t]+/).filter((d) => d.length);
  const charset = p.get('charset');
  if (charset !== undefined) c.charset = charset;
  return { ok: true, value: c };
}

/**
 * Writes an auth-param list. Parameters named in `rules.quoted` are always quoted, those in `rules.bare`
 * never (the caller guarantees a token); others are bare when they are a token and quoted otherwise.
 */
function formatParams(params: Iterable<readonly [string, string]>, rules: QuotingRules): string {
  const parts: string[] = [];
  for (const [name, value] of params) {
    const bare = rules.bare.has(name) || (!rules.quoted.has(name) && isToken(value));
    parts.push(`${name}=${bare ? value : quote(value)}`);
  }
  return parts.join(', ');
}

/**
 * Writes a challenge or credentials value: scheme, then the token68 or the parameters, quoted per
 * `rules`. Shared with `authorization.ts`.
 */
export function formatAuthValue(v: AuthValue, rules: QuotingRules): string {
  if (v.token68 !== undefined) return `${v.scheme} ${v.token68}`;
  return v.params.size ? `${v.scheme} ${formatParams(v.params, rules)}` : v.scheme;
}

/** Writes one challenge for a WWW-Authenticate or Proxy-Authenticate line, quoting per RFC 7616 §3.3. */
export function formatChallenge(v: AuthValue): string {
  return formatAuthValue(v, CHALLENGE_QUOTING);
}

/**
 * Writes a Digest challenge: realm, nonce, algorithm, qop, then opaque, domain, stale (only when true),
 * charset and userhash (only when true), quoted per RFC 7616 §3.3.
 */
export function formatDigestChallenge(c: DigestChallenge): string {
  const params = new Map<string, string>([['realm', c.realm], ['nonce', c.nonce], ['algorithm', c.algorithm]]);
  if (c.qop) params.set('qop', c.qop.join(','));
  if (c.opaque !== undefined) params.set('opaque', c.opaque);
  if (c.domain) params.set('domain', c.domain.join(' '));
  if (c.stale) params.set('stale', 'true');
  if (c.charset !== undefined) params.set('charset', c.charset);
  if (c.userhash) params.set('userhash', 'true');
  return formatChallenge({ scheme: 'Digest', params });
}
