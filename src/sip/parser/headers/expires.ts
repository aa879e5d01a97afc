import type { HeaderGrammar } from '../../message/headers.js';

/** The largest delta-seconds value RFC 3261 gives a meaning to: 2^32-1 seconds (§20.19, §20.23). */
export const MAX_DELTA_SECONDS = 0xffffffff;

/**
 * Reads `delta-seconds = 1*DIGIT` (RFC 3261 §25.1). Returns undefined unless `text` is all digits; the
 * number is returned unclamped (huge values lose precision but stay above {@link MAX_DELTA_SECONDS}).
 */
export function deltaSeconds(text: string | null | undefined): number | undefined {
  if (!text || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

function single(name: string, section: string): HeaderGrammar<number> {
  return {
    name,
    parse(values) {
      if (values.length > 1) return { ok: false, defect: `more than one ${name}` };
      const n = deltaSeconds(values[0]);
      if (n === undefined) return { ok: false, defect: 'not a delta-seconds value' };
      // RFC 3261 §20.19 / §20.23: the value lies between 0 and 2^32-1. A larger one is a defect, which
      // lets the receiver fall back to its default (RFC 4475 §3.1.2.4).
      if (n > MAX_DELTA_SECONDS) return { ok: false, defect: `value exceeds 2^32-1 (RFC 3261 ${section})` };
      return { ok: true, value: n };
    },
  };
}

/** Expires (RFC 3261 §20.19): one delta-seconds value, 0 to 2^32-1 seconds. */
export const ExpiresHeader = single('Expires', '§20.19');

/** Min-Expires (RFC 3261 §20.23): one delta-seconds value, 0 to 2^32-1 seconds. */
export const MinExpiresHeader = single('Min-Expires', '§20.23');
