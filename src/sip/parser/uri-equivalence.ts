import type { Params, SipUri, Uri } from '../message/types.js';

/**
 * URI equivalence: SIP and SIPS URIs by the comparison rules of RFC 3261 §19.1.4, tel URIs by RFC 3966
 * §4. Used wherever the RFCs say "using the URI comparison rules": digest-uri checks (RFC 7616 §3.4.6)
 * and registrar bindings (RFC 3261 §10.3 step 7).
 */

// RFC 3261 §19.1.4: these uri-parameters never match when present in only one of the URIs.
const MUST_BE_IN_BOTH = ['user', 'ttl', 'method', 'maddr', 'transport'];

/** Decodes %HH of unreserved characters (RFC 3261 §19.1.4: equivalent to their escape); upper-cases the rest. */
function normalizeEscapes(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (esc, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-_.!~*'()]/.test(c) ? c : esc.toUpperCase();
  });
}

function sameOptional(a: string | undefined, b: string | undefined, fold: boolean): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = normalizeEscapes(a);
  const y = normalizeEscapes(b);
  return fold ? x.toLowerCase() === y.toLowerCase() : x === y;
}

function sameParams(a: Params, b: Params, mustBeInBoth: readonly string[]): boolean {
  for (const name of mustBeInBoth) if (a.has(name) !== b.has(name)) return false;
  for (const [name, value] of a) {
    if (!b.has(name)) continue;
    const other = b.get(name);
    if (value === null || other === null || other === undefined) {
      if (value !== other) return false;
    } else if (!sameOptional(value, other, true)) return false;
  }
  return true;
}

function sameSipUri(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false; // a SIP and a SIPS URI are never equivalent
  // userinfo is case-sensitive; host (already lower-cased) and port must match, an absent port only
  // matching an absent port.
  if (!sameOptional(a.user, b.user, false) || !sameOptional(a.password, b.password, false)) return false;
  if (a.host !== b.host || a.port !== b.port) return false;
  if (!sameParams(a.params, b.params, MUST_BE_IN_BOTH)) return false;
  // URI headers are never ignored: each must be in both and match.
  const headers = (u: SipUri): string[] =>
    u.headers.map(([n, v]) => `${normalizeEscapes(n).toLowerCase()}=${normalizeEscapes(v)}`).sort();
  const ha = headers(a);
  const hb = headers(b);
  return ha.length === hb.length && ha.every((h, i) => h === hb[i]);
}

/**
 * True when two parsed URIs are equivalent: SIP/SIPS by RFC 3261 §19.1.4, tel by RFC 3966 §4 (visual
 * separators ignored, parameters compared regardless of order and case). URIs of any other scheme are
 * never equivalent here; compare their text instead.
 */
export function equivalentUris(a: Uri, b: Uri): boolean {
  if (a.scheme !== b.scheme) return false;
  if ('host' in a && 'host' in b) return sameSipUri(a, b);
  if ('number' in a && 'number' in b) {
    const digits = (n: string): string => n.replace(/[-.()]/g, '').toLowerCase();
    if (digits(a.number) !== digits(b.number) || a.params.size !== b.params.size) return false;
    return sameParams(a.params, b.params, [...a.params.keys()]);
  }
  return false;
}
