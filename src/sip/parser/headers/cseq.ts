import type { HeaderGrammar } from '../../message/headers.js';
import type { CSeq } from '../../message/types.js';
import { parseDecimal, runGrammar } from '../scanner.js';
import type { Scanner } from '../scanner.js';

/** `1*DIGIT LWS Method` (one line of CSeq). */
function cseq(s: Scanner): CSeq {
  s.ws();
  const seq = parseDecimal(s.digits('sequence number'))!;
  if (seq > 0x7fffffff) s.fail('sequence number exceeds 2^31-1');
  const c = s.text.charCodeAt(s.pos);
  if (c !== 32 && c !== 9) s.fail(s.eof ? 'missing method' : 'expected white space after the sequence number');
  s.ws();
  const method = s.token('method');
  s.end('CSeq');
  return { seq, method };
}

/**
 * CSeq (RFC 3261 §20.16): `1*DIGIT LWS Method`. Exactly one line. RFC 3261 §8.1.1.5: the sequence number
 * MUST be less than 2^31; leading zeros are allowed (RFC 4475 §3.1.1.1).
 */
export const CSeqHeader: HeaderGrammar<CSeq> = {
  name: 'CSeq',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one CSeq' };
    return runGrammar(values[0]!, cseq);
  },
};
