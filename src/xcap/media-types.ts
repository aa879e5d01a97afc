/** The media types of XCAP resources (RFC 4825 §15.2) and the Content-Type checks of RFC 4825 §8.2.2. */

/** An element resource: an XML fragment body with one element (RFC 4825 §15.2.1). */
export const XCAP_EL_MIME_TYPE = 'application/xcap-el+xml';
/** An attribute resource: an XML AttValue (RFC 4825 §15.2.2). */
export const XCAP_ATT_MIME_TYPE = 'application/xcap-att+xml';
/** Namespace bindings (RFC 4825 §10, §15.2.3). */
export const XCAP_NS_MIME_TYPE = 'application/xcap-ns+xml';

/** How a request's Content-Type compares with the type a resource requires. */
export type ContentTypeCheck = 'ok' | 'wrong-type' | 'not-utf-8';

/**
 * Compares a Content-Type field value with `expected` (type/subtype, case-insensitively, parameters
 * aside): `wrong-type` when absent or different (RFC 4825 §8.2.2: 415), `not-utf-8` when a charset
 * parameter names another encoding (RFC 4825 §5.3: XCAP documents MUST be UTF-8), else `ok`.
 */
export function checkContentType(value: string | undefined, expected: string): ContentTypeCheck {
  if (value === undefined) return 'wrong-type';
  const [type, ...params] = value.split(';');
  if (type!.trim().toLowerCase() !== expected.toLowerCase()) return 'wrong-type';
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return 'not-utf-8';
  }
  return 'ok';
}
