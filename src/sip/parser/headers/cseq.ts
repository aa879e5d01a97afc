import type { HeaderGrammar } from '../../message/headers.js';
import type { CSeq } from '../../message/types.js';
import { runGrammar } from '../scanner.js';

/** CSeq (RFC 3261 §20.16): `1*DIGIT LWS Method`, the number below 2^31. Exactly one line. */
export const CSeqHeader: HeaderGrammar<CSeq> = {
  name: 'CSeq',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one CSeq' };
    return runGrammar(values[0]!, (s) => {
      s.ws();
      const digits = s.until(' \t');
      if (!/^\d{1,10}$/.test(digits)) s.fail('sequence number is not a number');
      const seq = Number(digits);
      if (seq > 0x7fffffff) s.fail('sequence number exceeds 2^31-1');
      s.ws();
      const method = s.token('method');
      s.end('CSeq');
      return { seq, method };
    });
  },
};
