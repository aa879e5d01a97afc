import { equivalentUris } from '../parser/uri-equivalence.js';
import { parseUri } from '../parser/uri.js';

/**
 * True when `digestUri` designates the same resource as `requestUri` (RFC 7616 §3.4.6, RFC 2617
 * §3.2.2.5): textually equal, or two equivalent SIP/SIPS URIs (RFC 3261 §19.1.4) or tel URIs (RFC 3966
 * §4). Unparseable text only matches itself.
 */
export function sameRequestUri(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  const a = parseUri(digestUri);
  const b = parseUri(requestUri);
  return a.ok && b.ok && equivalentUris(a.value, b.value);
}
