import type { HeaderGrammar } from '../../message/headers.js';
import type { RetryAfter } from '../../message/types.js';
import { runGrammar } from '../scanner.js';
import type { Scanner } from '../scanner.js';
import { MAX_DELTA_SECONDS, deltaSeconds } from './expires.js';

/**
 * comment = LPAREN *(ctext / quoted-pair / comment) RPAREN (RFC 3261 §25.1). Returns the text between
 * the outer parentheses as on the wire; nesting is bounded by the text's length.
 */
function comment(s: Scanner): string {
  const start = s.pos;
  let depth = 0;
  while (!s.eof) {
    const c = s.peek();
    if (c === '\\') {
      s.pos += 2;
      continue;
    }
    s.pos++;
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return s.text.slice(start + 1, s.pos - 1);
  }
  return s.fail('unterminated comment in Retry-After');
}

/**
 * Retry-After (RFC 3261 §20.33, §25.1): `delta-seconds [ comment ] *( SEMI retry-param )`, e.g.
 * `18000;duration=3600` or `120 (I'm in a meeting)`. RFC 3261 sets no upper bound; values above 2^32-1
 * read as 2^32-1. `duration` must be delta-seconds. Exactly one line.
 */
export const RetryAfterHeader: HeaderGrammar<RetryAfter> = {
  name: 'Retry-After',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one Retry-After' };
    return runGrammar(values[0]!, (s: Scanner) => {
      s.ws();
      const n = deltaSeconds(s.until(' \t(;'));
      if (n === undefined) s.fail('Retry-After is not delta-seconds');
      const out: RetryAfter = { seconds: Math.min(n, MAX_DELTA_SECONDS), params: new Map() };
      s.ws();
      if (s.peek() === '(') out.comment = comment(s);
      s.params(out.params, 'Retry-After');
      s.end('Retry-After');
      if (out.params.has('duration')) {
        const d = deltaSeconds(out.params.get('duration'));
        if (d === undefined) s.fail('duration parameter of Retry-After is not delta-seconds');
        out.duration = Math.min(d, MAX_DELTA_SECONDS);
      }
      return out;
    });
  },
};
