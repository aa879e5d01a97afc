import type { HeaderGrammar } from '../../message/headers.js';

/** Max-Forwards (RFC 3261 §20.22): one integer 0-255. */
export const MaxForwardsHeader: HeaderGrammar<number> = {
  name: 'Max-Forwards',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one Max-Forwards' };
    const v = values[0]!;
    if (!/^\d{1,3}$/.test(v) || Number(v) > 255) return { ok: false, defect: 'not an integer from 0 to 255' };
    return { ok: true, value: Number(v) };
  },
};
