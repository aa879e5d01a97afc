import type { HeaderGrammar } from '../../message/headers.js';
import { parseDecimal } from '../scanner.js';

/** Max-Forwards (RFC 3261 §20.22): one `1*DIGIT` from 0 to 255; leading zeros allowed (RFC 4475 §3.1.1.1). */
export const MaxForwardsHeader: HeaderGrammar<number> = {
  name: 'Max-Forwards',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one Max-Forwards' };
    const n = parseDecimal(values[0]!);
    if (n === undefined || n > 255) return { ok: false, defect: 'not an integer from 0 to 255' };
    return { ok: true, value: n };
  },
};
