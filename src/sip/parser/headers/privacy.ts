import type { HeaderGrammar } from '../../message/headers.js';
import { runGrammar } from '../scanner.js';

/**
 * Privacy (RFC 3323 §4.2; `id` from RFC 3325 §9.3): `priv-value *(";" priv-value)` — separated by
 * semicolons, not commas, so the header is one line. Values are lower-cased tokens (`header`, `session`,
 * `user`, `none`, `critical`, `id` or an extension).
 */
export const PrivacyHeader: HeaderGrammar<string[]> = {
  name: 'Privacy',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one Privacy' };
    return runGrammar(values[0]!, (s) => {
      const out = new Set<string>();
      s.ws();
      do {
        const v = s.token('priv-value').toLowerCase();
        // RFC 3323 §4.2: each legitimate priv-value can appear zero or one times.
        if (out.has(v)) s.fail(`duplicate priv-value '${v}'`);
        out.add(v);
      } while (s.eat(';'));
      s.end('Privacy');
      // RFC 3323 §4.2: user agents MUST NOT populate any other priv-values with 'none'.
      if (out.has('none') && out.size > 1) s.fail("'none' must be the only priv-value");
      return [...out];
    });
  },
};
