import type { HeaderGrammar } from '../../message/headers.js';
import type { NameAddr } from '../../message/types.js';
import { scanNameAddr } from '../name-addr.js';
import { parseList } from '../scanner.js';
import type { Scanner } from '../scanner.js';
import { parseUri } from '../uri.js';
import { isNameAddrAhead } from './route.js';

/**
 * `PAssertedID-value = name-addr / addr-spec` (RFC 3325 §9.1), with no header parameters. In the
 * addr-spec form everything up to the next comma is the URI, so `sip:+1234@example.com;user=phone` keeps
 * its uri-parameter (unlike Contact, where RFC 3261 §20.10 makes them header parameters).
 */
function identity(s: Scanner, what: string): NameAddr {
  if (isNameAddrAhead(s)) {
    const v = scanNameAddr(s, what);
    if (v.params.size) s.fail(`${what} value takes no header parameters`);
    return v;
  }
  const comma = s.text.indexOf(',', s.pos);
  const end = comma < 0 ? s.text.length : comma;
  const r = parseUri(s.text.slice(s.pos, end).trimEnd());
  if (!r.ok) s.fail(`${r.defect} in ${what}`);
  s.pos = end;
  return { uri: r.value, params: new Map() };
}

function identities(name: string): HeaderGrammar<NameAddr[]> {
  return {
    name,
    parse(values) {
      const r = parseList(values, (s) => identity(s, name), name);
      if (!r.ok) return r;
      const schemes = r.value.map((v) => (v.uri.scheme === 'sips' ? 'sip' : v.uri.scheme));
      // RFC 3325 §9.1/§9.2: one or two values; one MUST be sip/sips/tel; of two, one sip or sips and one tel.
      if (schemes.length > 2) return { ok: false, defect: `more than two ${name} values` };
      if (schemes.length === 1 && schemes[0] !== 'sip' && schemes[0] !== 'tel') {
        return { ok: false, defect: `${name} URI must be sip, sips or tel` };
      }
      if (schemes.length === 2 && !(schemes.includes('sip') && schemes.includes('tel'))) {
        return { ok: false, defect: `two ${name} values must be one sip or sips URI and one tel URI` };
      }
      return r;
    },
  };
}

/** P-Asserted-Identity (RFC 3325 §9.1): one or two identities, at most one sip/sips and one tel. */
export const PAssertedIdentityHeader = identities('P-Asserted-Identity');

/** P-Preferred-Identity (RFC 3325 §9.2): one or two identities, at most one sip/sips and one tel. */
export const PPreferredIdentityHeader = identities('P-Preferred-Identity');
