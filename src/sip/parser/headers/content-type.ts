import type { HeaderGrammar } from '../../message/headers.js';
import type { MediaType } from '../../message/types.js';
import type { Scanner } from '../scanner.js';
import { runGrammar } from '../scanner.js';

/**
 * media-type = m-type SLASH m-subtype *(SEMI m-parameter) (RFC 3261 §20.15, §25.1). Type and subtype are
 * lower-cased; parameter values keep their wire text (quotes included).
 */
export function scanMediaType(s: Scanner, what: string): MediaType {
  s.ws();
  const type = s.token(`media type in ${what}`).toLowerCase();
  s.expect('/', `in ${what}`);
  const subtype = s.token(`media subtype in ${what}`).toLowerCase();
  const params = new Map<string, string | null>();
  s.params(params, what);
  return { type, subtype, params };
}

/** Content-Type (RFC 3261 §20.15): exactly one media-type. */
export const ContentTypeHeader: HeaderGrammar<MediaType> = {
  name: 'Content-Type',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one Content-Type' };
    return runGrammar(values[0]!, (s) => {
      const m = scanMediaType(s, 'Content-Type');
      s.end('Content-Type');
      return m;
    });
  },
};
