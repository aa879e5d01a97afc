import type { HeaderGrammar } from '../../message/headers.js';
import type { NameAddr } from '../../message/types.js';
import { scanNameAddr } from '../name-addr.js';
import { runGrammar } from '../scanner.js';
import type { Scanner } from '../scanner.js';

function single(name: string): HeaderGrammar<NameAddr> {
  // Made once per header, not per parse: From and To are read for every message.
  const scan = (s: Scanner): NameAddr => {
    const v = scanNameAddr(s, name);
    s.end(name);
    if (v.params.get('tag') === null) s.fail(`empty tag in ${name}`);
    return v;
  };
  return {
    name,
    parse(values) {
      if (values.length > 1) return { ok: false, defect: `more than one ${name}` };
      return runGrammar(values[0]!, scan);
    },
  };
}

/** From (RFC 3261 §20.20): one name-addr with an optional `tag` parameter. */
export const FromHeader = single('From');

/** To (RFC 3261 §20.39): one name-addr with an optional `tag` parameter. */
export const ToHeader = single('To');
