import type { HeaderGrammar } from '../../message/headers.js';

/** Content-Length (RFC 3261 §20.14): one decimal octet count. Repeated lines must agree. */
export const ContentLengthHeader: HeaderGrammar<number> = {
  name: 'Content-Length',
  parse(values) {
    let n: number | undefined;
    for (const v of values) {
      if (!/^\d{1,10}$/.test(v)) return { ok: false, defect: 'not a decimal number' };
      if (n !== undefined && Number(v) !== n) return { ok: false, defect: 'conflicting values' };
      n = Number(v);
    }
    if (values.length > 1) return { ok: false, defect: 'more than one Content-Length' };
    return { ok: true, value: n! };
  },
};
