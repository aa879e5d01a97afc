import type { Uri } from '../message/types.js';
import { unescapeUri } from '../parser/scanner.js';
import type { LocalIdentity } from './local-identity.js';

/**
 * Canonical address-of-record of a URI, the key under which presentities, publications, subscriptions
 * and registrar bindings are stored (RFC 3261 §10.3 step 5, §19.1.4 comparison rules):
 *
 * - sip/sips: `sip:<user>@<host>` — the user part unescaped (case kept, as §19.1.4 compares it
 *   case-sensitively), the host lower-cased; port, URI parameters and headers dropped. A sips URI maps to
 *   the same AOR as its sip form. When the host is one of this server's own addresses or names
 *   (e.g. `127.0.0.1`, `localhost`) it is replaced by the primary served domain, so a phone addressing
 *   the server by IP address and another addressing it by domain reach the same presentity. Port
 *   numbers are dropped because real clients send the Request-URI with the server port and From/To
 *   without it (linphone, see shared/captures).
 * - tel: `tel:<number>` with visual separators removed (RFC 3966 §5.1.1).
 * - pres: / im: URIs (RFC 3859, RFC 3860): mapped to `sip:<user>@<domain>`.
 *
 * Returns undefined for a URI without a user part or of another scheme.
 */
export function canonicalAor(uri: Uri, identity?: LocalIdentity): string | undefined {
  if (uri.scheme === 'tel') {
    const number = (uri as { number: string }).number.replace(/[-.()]/g, '');
    return `tel:${number}`;
  }
  if (uri.scheme === 'sip' || uri.scheme === 'sips') {
    const u = uri as { user?: string; host: string };
    if (u.user === undefined || u.user === '') return undefined;
    return `sip:${unescapeUri(u.user)}@${hostKey(u.host, identity)}`;
  }
  if ((uri.scheme === 'pres' || uri.scheme === 'im') && 'text' in uri) {
    const m = /^[a-z]+:([^@;?]+)@([^;?]+)/i.exec(uri.text);
    if (!m) return undefined;
    return `sip:${unescapeUri(m[1]!)}@${hostKey(m[2]!.toLowerCase(), identity)}`;
  }
  return undefined;
}

function hostKey(host: string, identity: LocalIdentity | undefined): string {
  const h = host.toLowerCase();
  if (!identity) return h;
  const domains = identity.servedDomains;
  if (domains.includes(h)) return h;
  if (identity.isLocalHost(h) && domains.length) return domains[0]!;
  return h;
}
