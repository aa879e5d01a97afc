import { domainToASCII } from 'node:url';
import { canonicalAor } from '../../sip/core/aor.js';
import { equivalentUris } from '../../sip/parser/uri-equivalence.js';
import { parseUri } from '../../sip/parser/uri.js';

/**
 * Comparisons of identities, domains and URIs in authorisation rules (RFC 4745 §7.1, RFC 5025 §3.1.1,
 * §3.3.1).
 */

/**
 * The key an identity is compared by: the canonical address-of-record of a SIP, SIPS, tel, pres or im
 * URI (user part case-sensitive, host case-insensitive, parameters and port dropped; a SIPS URI keys as
 * its SIP form, as the server keys every presentity and watcher, see `canonicalAor`); any other text as
 * written, trimmed. A SIP URI and a tel URI never compare equal (RFC 5025 §3.1.1.2: a SIP URI with a
 * phone number does not match a tel URI).
 */
export function identityKey(uri: string): string {
  const text = uri.trim();
  const parsed = parseUri(text);
  return (parsed.ok ? canonicalAor(parsed.value) : undefined) ?? text;
}

/**
 * A domain prepared for comparison (RFC 4745 §7.1.3): percent-encoding translated, then IDNA ToASCII
 * (which also lower-cases). Empty when the conversion fails: such a domain equals no other.
 */
export function domainKey(domain: string): string {
  let d = domain.trim();
  try {
    d = decodeURIComponent(d);
  } catch {
    return '';
  }
  return domainToASCII(d);
}

/** The domain of an identity key (`sip:user@host` → `host` as a domain key), or undefined (tel and others). */
export function domainOfIdentity(key: string): string | undefined {
  if (!key.startsWith('sip:')) return undefined;
  const at = key.lastIndexOf('@');
  if (at < 0) return undefined;
  const d = domainKey(key.slice(at + 1));
  return d === '' ? undefined : d;
}

/** `urn:NID:NSS` with the case-insensitive parts lower-cased (RFC 8141 §3.1), or undefined for another text. */
function urnKey(text: string): string | undefined {
  const m = /^urn:([A-Za-z0-9][A-Za-z0-9-]{0,31}):(.*)$/i.exec(text);
  return m ? `urn:${m[1]!.toLowerCase()}:${m[2]!.replace(/%[0-9a-fA-F]{2}/g, (e) => e.toUpperCase())}` : undefined;
}

/**
 * URI equivalence for service URIs and device IDs (RFC 5025 §3.3.1): equal text, equivalent SIP/SIPS or
 * tel URIs (RFC 3261 §19.1.4, RFC 3966 §4), equal URNs (NID case-insensitive), or other URIs equal but
 * for the case of the scheme.
 */
export function sameUri(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim();
  if (x === y) return true;
  const ux = urnKey(x);
  if (ux !== undefined) return ux === urnKey(y);
  const px = parseUri(x);
  const py = parseUri(y);
  if (!px.ok || !py.ok) return false;
  if ('text' in px.value && 'text' in py.value) {
    const colon = x.indexOf(':');
    return x.slice(0, colon).toLowerCase() === y.slice(0, colon).toLowerCase() && x.slice(colon) === y.slice(colon);
  }
  return equivalentUris(px.value, py.value);
}
