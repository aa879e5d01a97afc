import type { HeaderGrammar } from '../../message/headers.js';
import { parseDecimal } from '../scanner.js';

/**
 * Content-Length (RFC 3261 §20.14): one decimal octet count. A repeated header is a framing error
 * (RFC 4475 §3.3.9), whether or not the values agree.
 */
export const ContentLengthHeader: HeaderGrammar<number> = {
  name: 'Content-Length',
  parse(values) {
    if (values.length > 1) {
      const same = values.every((v) => v === values[0]);
      return { ok: false, defect: same ? 'more than one Content-Length' : 'conflicting values' };
    }
    const n = parseDecimal(values[0]!);
    if (n === undefined) return { ok: false, defect: 'not a decimal number' };
    return { ok: true, value: n };
  },
};
