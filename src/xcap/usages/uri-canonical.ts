/**
 * SIP URI canonicalization (RFC 4826 §5), so that RLS service URIs that are equal under RFC 3261
 * §19.1.4 compare equal as strings: the uniqueness of `<service uri>` (RFC 4826 §4.4.5) is checked on
 * canonical URIs, as an RLS looks services up by URI equality (RFC 4826 §4.5). The XCAP layer does not
 * use the SIP stack (DESIGN.md §3), hence this small text-level version.
 */

// RFC 3261 §25.1: characters a SIP URI user part may hold unescaped (unreserved / user-unreserved).
const USER_CHAR = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;
// RFC 3261 §25.1: characters a URI parameter may hold unescaped (unreserved / param-unreserved).
const PARAM_CHAR = /[A-Za-z0-9\-_.!~*'()[\]/:&+$]/;

/** Step 2: removes the percent-encoding of characters `allowed` permits unescaped; hex digits upper-cased. */
function unescapeAllowed(text: string, allowed: RegExp): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (match, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return allowed.test(c) ? c : match.toUpperCase();
  });
}

/**
 * The canonical form of `uri` (RFC 4826 §5) when it is a sip or sips URI: scheme, host and parameters
 * lower-cased (step 1), needless percent-encoding removed (step 2), parameters ordered by name (step 3),
 * headers dropped (step 4). Any other URI is returned with only its scheme lower-cased.
 */
export function canonicalUri(uri: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  if (!scheme) return uri;
  const name = scheme[1]!.toLowerCase();
  const rest = uri.slice(scheme[0].length);
  if (name !== 'sip' && name !== 'sips') return `${name}:${rest}`;
  // The user part may contain ';' and '?' (user-unreserved), never an unescaped '@': the first '@' ends it.
  const at = rest.indexOf('@');
  const userinfo = at < 0 ? undefined : rest.slice(0, at);
  const afterUser = at < 0 ? rest : rest.slice(at + 1);
  const headersAt = afterUser.indexOf('?');
  const withoutHeaders = headersAt < 0 ? afterUser : afterUser.slice(0, headersAt);
  const [hostport = '', ...params] = withoutHeaders.split(';');
  const canonicalParams = params
    .filter((p) => p !== '')
    .map((p) => unescapeAllowed(p, PARAM_CHAR).toLowerCase())
    .sort((a, b) => {
      const na = a.split('=')[0]!;
      const nb = b.split('=')[0]!;
      return na < nb ? -1 : na > nb ? 1 : 0;
    });
  const user = userinfo === undefined ? '' : `${unescapeAllowed(userinfo, USER_CHAR)}@`;
  return `${name}:${user}${hostport.toLowerCase()}${canonicalParams.map((p) => `;${p}`).join('')}`;
}
