import type { HeaderGrammar } from '../../message/headers.js';
import type { AcceptRange } from '../../message/types.js';
import { parseList } from '../scanner.js';
import type { Scanner } from '../scanner.js';
import { scanMediaType } from './content-type.js';

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )  (RFC 3261 §25.1)
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

function range(s: Scanner): AcceptRange {
  const m = scanMediaType(s, 'Accept');
  // media-range = "*/*" / ( m-type SLASH "*" ) / ( m-type SLASH m-subtype ): no `*/subtype`.
  if (m.type === '*' && m.subtype !== '*') s.fail(`invalid media-range '*/${m.subtype}' in Accept`);
  let q = 1;
  if (m.params.has('q')) {
    const v = m.params.get('q');
    if (!v || !QVALUE.test(v)) s.fail('q parameter of Accept is not a qvalue');
    q = Number(v);
  }
  return { ...m, q };
}

/**
 * Accept (RFC 3261 §20.1, §25.1): media-ranges merged across every Accept line, in order (clients such as
 * linphone send one line per type). An empty Accept is legal and yields `[]`: no format is acceptable,
 * which differs from an absent header (`undefined`). Empty lines beside non-empty ones add nothing.
 */
export const AcceptHeader: HeaderGrammar<AcceptRange[]> = {
  name: 'Accept',
  parse(values) {
    // Accept = "Accept" HCOLON [ accept-range *(COMMA accept-range) ]
    return parseList(values.filter((v) => v !== ''), range, 'Accept');
  },
};

/**
 * Whether `type/subtype` is acceptable under `ranges` (HTTP/1.1 §14.1 semantics, which RFC 3261 §20.1
 * adopts): the most specific matching range decides (`type/subtype` over `type/*` over `*\/*`; the highest
 * q among equally specific ones), and q=0 means "not acceptable". Media parameters are not compared.
 * An empty list accepts nothing; callers apply their own default when Accept is absent.
 */
export function accepts(ranges: readonly AcceptRange[], type: string, subtype: string): boolean {
  const t = type.toLowerCase();
  const st = subtype.toLowerCase();
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity = r.type === '*' ? 0 : r.type !== t ? -1 : r.subtype === '*' ? 1 : r.subtype === st ? 2 : -1;
    if (specificity < 0) continue;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    } else if (specificity === best) q = Math.max(q, r.q);
  }
  return best >= 0 && q > 0;
}
