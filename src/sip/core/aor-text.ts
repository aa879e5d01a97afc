import { parseUri } from '../parser/uri.js';
import { canonicalAor } from './aor.js';
import type { LocalIdentity } from './local-identity.js';

/**
 * The canonical AOR (see {@link canonicalAor}) of an identity written as text, e.g. by an operator
 * (`sip:Alice@EXAMPLE.com:5060` gives `sip:Alice@example.com`), or undefined when the text is not a URI
 * or not a user's identity. The subscriber registry's `canonicalIdentity`.
 */
export function canonicalAorOfText(text: string, identity?: LocalIdentity): string | undefined {
  const uri = parseUri(text);
  return uri.ok ? canonicalAor(uri.value, identity) : undefined;
}
