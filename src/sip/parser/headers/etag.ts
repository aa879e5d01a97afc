import type { HeaderGrammar } from '../../message/headers.js';
import { isToken } from '../scanner.js';

function entityTag(name: string): HeaderGrammar<string> {
  return {
    name,
    parse(values) {
      if (values.length > 1) return { ok: false, defect: `more than one ${name}` };
      // entity-tag = token (RFC 3903 §11.3)
      if (!isToken(values[0]!)) return { ok: false, defect: 'entity-tag is not a token' };
      return { ok: true, value: values[0]! };
    },
  };
}

/** SIP-ETag (RFC 3903 §11.3.1): the entity-tag an ESC assigned, one token, compared as is. */
export const SipETagHeader = entityTag('SIP-ETag');

/** SIP-If-Match (RFC 3903 §11.3.2): the entity-tag a PUBLISH refreshes, modifies or removes; one token. */
export const SipIfMatchHeader = entityTag('SIP-If-Match');
